import { Transform, Writable, type Readable } from 'node:stream';
import * as tar from 'tar';
import { pipeline } from 'node:stream/promises';
import { keyOf, listBackups, readManifest } from '../artifacts/catalog.js';
import { matching, mismatch, readBack } from '../artifacts/check.js';
import { decompressor } from '../artifacts/codec.js';
import { decryptionKeys, decryptor, type DecryptionKeys } from '../artifacts/encrypt.js';
import type { SourceEntry } from '../artifacts/manifest.js';
import { IntegrityError, KeyError, NotFoundError, RunError, UsageError, reason } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import { refusal } from '../sources/safe-extract.js';
import type { Target } from '../targets/target.js';
import { checkObjects, parseSample, type Sample } from '../repository/check.js';
import { RepoReader, parseSnapshot } from '../repository/reader.js';
import { buildSnapshot } from '../repository/restore.js';
import { CollectedReporter } from '../report/collected.js';
import type { Reporter } from '../report/reporter.js';
import { counting } from '../util/counting.js';
import { plural } from '../report/counts.js';
import { formatBytes } from '../report/terminal.js';
import { matchBackupId } from '../restore/locate.js';
import { type Command } from './context.js';
import { loadRecovered, selectTargets } from './targets.js';
import { compareBackupIds } from '../artifacts/backup-id.js';

interface ArtifactReport {
  file: string;
  ok: boolean;
  bytes: number;
  /** With --deep: the bytes after decrypting and decompressing. */
  decoded_bytes?: number;
  problem?: string;
  /** Could not be read from here (unreachable, or a store readable only inside a job): not evidence of damage. */
  unreadable?: boolean;
}

interface CopyReport {
  target: string;
  backup: string;
  ok: boolean;
  deep: boolean;
  artifacts: ArtifactReport[];
  /** The repository's objects (backup "repository"): what was read and checked. */
  repository?: { indexes: number; packs: number; skipped: number; bytes: number };
  /** Some artifact could not be read and none was found damaged. */
  unreadable?: boolean;
  problems: string[];
}

/**
 * --deep: stream the copy through decryption (which authenticates every
 * 64 KiB chunk) and decompression (which checks the frames), writing nothing;
 * a files archive is also read entry by entry against the extraction rules,
 * so an unsafe archive shows here rather than at restore time. A missing or
 * wrong key stops verify with a KeyError: a deep check that cannot open the
 * data proves nothing.
 */
async function deepCheck(target: Target, loaded: LoadedPlan, id: string, entry: SourceEntry, keys: () => DecryptionKeys, onBytes: (done: number) => void): Promise<number> {
  const { encryption, file, compression } = entry.artifact;
  let decodedBytes = 0;
  const count = new Transform({ transform: (chunk: Buffer, _e, callback) => ((decodedBytes += chunk.length), callback(null, chunk)) });
  const opening = encryption ? [decryptor(encryption, keys(), `The artifact ${file} of backup ${id}`)] : [];
  const stored = await target.get(keyOf.file(loaded.plan.name, id, file));
  let readFailed = false;
  stored.once('error', () => (readFailed = true));
  if (entry.storage === 'repository') return deepRepository(target, loaded, id, entry, stored, [matching(entry), ...opening], keys);
  await pipeline([stored, counting(onBytes), matching(entry), ...opening, decompressor(compression.algorithm), count, entry.kind === 'files' ? archiveCheck(file) : discard()]).catch((error: unknown) => {
    // The bytes arrived but do not decode (the zstd tool's failure is a RunError): that is damage, not an unreadable copy.
    if (!readFailed && error instanceof RunError && !(error instanceof IntegrityError)) throw new IntegrityError(`${file} does not decode: ${reason(error)}`);
    throw error;
  });
  return decodedBytes;
}

/** --deep of a repository snapshot: every tree and blob it names is read, its pack checked, its id proven. */
async function deepRepository(target: Target, loaded: LoadedPlan, id: string, entry: SourceEntry, stored: Readable, opening: Transform[], keys: () => DecryptionKeys): Promise<number> {
  const parts: Buffer[] = [];
  await pipeline([stored, ...opening, new Writable({ write: (chunk: Buffer, _e, callback) => (parts.push(chunk), callback()) })]);
  const snapshot = parseSnapshot(Buffer.concat(parts), `The snapshot object ${entry.artifact.file} of backup ${id}`);
  const reader = await RepoReader.open(target, loaded.plan.name, snapshot, loaded.plan.encryption, entry.artifact.encryption ? keys() : { identities: [] });
  const { counts } = await buildSnapshot({ reader, snapshot, into: '', source: entry.name, reporter: new CollectedReporter(), signal: new AbortController().signal, dryRun: true });
  return counts.bytes;
}

const discard = () => new Writable({ write: (_chunk, _e, callback) => callback() });

/** A tar parser that fails on the first entry extraction would refuse. */
function archiveCheck(file: string): Writable {
  const parser: tar.Parser = new tar.Parser({
    strict: true,
    onReadEntry(entry) {
      const why = refusal({ path: entry.path, type: entry.type, linkpath: entry.linkpath });
      if (why) parser.abort(new IntegrityError(`${file} holds an unsafe archive: ${why}.`));
      entry.resume();
    },
  });
  return parser as unknown as Writable;
}

async function checkArtifact(target: Target, loaded: LoadedPlan, id: string, entry: SourceEntry, deep: boolean, keys: () => DecryptionKeys, reporter: Reporter): Promise<ArtifactReport> {
  const { file, bytes } = entry.artifact;
  const report: ArtifactReport = { file, ok: true, bytes };
  const progress = (what: string) => (done: number) => reporter.progress(`${what}:${target.name}:${id}:${file}`, done, bytes, `${what === 'read' ? 'reading' : 'decoding'} ${file} on ${target.name}`);
  try {
    const problem = mismatch(entry, await readBack(target, loaded.plan.name, id, entry, undefined, progress('read')));
    if (problem) return { ...report, ok: false, problem };
    if (deep) report.decoded_bytes = await deepCheck(target, loaded, id, entry, keys, progress('decode'));
    return report;
  } catch (error) {
    if (error instanceof KeyError) throw error;
    return { ...report, ok: false, problem: reason(error), ...(error instanceof RunError ? { unreadable: true } : {}) };
  }
}

function line(copy: CopyReport): string {
  const bad = [...copy.problems, ...copy.artifacts.filter((a) => !a.ok).map((a) => a.file)];
  const objects = copy.repository ? ` (${copy.repository.indexes} indexes, ${copy.repository.packs} packs, ${copy.repository.bytes} bytes${copy.repository.skipped ? `; ${copy.repository.skipped} packs outside the sample` : ''})` : '';
  const head = `${copy.target}: ${copy.backup}${objects}: ${copy.ok ? `ok${copy.deep ? ' (deep)' : ''}` : `${copy.unreadable ? 'UNREADABLE' : 'DAMAGED'}: ${bad.join(', ')}`}`;
  const parts = copy.artifacts.map((a) => `  ${a.file}: ${a.ok ? `ok, ${a.bytes} bytes, sha256 matches${a.decoded_bytes !== undefined ? `, decoded to ${a.decoded_bytes} bytes` : ''}` : `${a.unreadable ? 'UNREADABLE' : 'DAMAGED'}: ${a.problem}`}`);
  return [head, ...copy.problems.map((p) => `  ${p}`), ...parts].join('\n');
}

/** Each target's complete backups, or why it could not be listed. */
async function holdingsOf(targets: Target[], plan: string): Promise<{ target: Target; complete?: Awaited<ReturnType<typeof listBackups>>; error?: string }[]> {
  return Promise.all(
    targets.map((target) =>
      listBackups(target, plan).then(
        (backups) => ({ target, complete: backups.filter((b) => b.complete) }),
        (error: unknown) => ({ target, error: reason(error) }),
      ),
    ),
  );
}

interface Claim {
  id: string;
  by: string;
  on: string;
}

/** Checks one stored backup; the copies its manifest names are added to `claims`. */
async function checkCopy(target: Target, loaded: LoadedPlan, id: string, deep: boolean, keys: () => DecryptionKeys, claims: Claim[], reporter: Reporter): Promise<CopyReport> {
  const copy: CopyReport = { target: target.name, backup: id, ok: true, deep, artifacts: [], problems: [] };
  try {
    const manifest = await readManifest(target, loaded.plan.name, id, loaded.plan.signing);
    for (const c of manifest.copies) if (c.counted !== false && !(c.expires_at && Date.parse(c.expires_at) < Date.now())) claims.push({ id, by: target.name, on: c.target });
    for (const entry of manifest.sources) copy.artifacts.push(await checkArtifact(target, loaded, id, entry, deep, keys, reporter));
  } catch (error) {
    if (error instanceof KeyError) throw error;
    copy.problems.push(reason(error));
    if (error instanceof RunError) copy.unreadable = true;
  }
  copy.ok = copy.problems.length === 0 && copy.artifacts.every((a) => a.ok);
  // Damage (a mismatch, a missing or broken file) outweighs a read that failed (RunError: unreachable).
  const damaged = copy.artifacts.some((a) => !a.ok && !a.unreadable) || (copy.problems.length > 0 && !copy.unreadable);
  if (!copy.ok && !damaged) copy.unreadable = true;
  else delete copy.unreadable;
  return copy;
}

/** Copies a manifest names that their target (one that could be listed) does not hold. */
function missingCopies(claims: Claim[], listed: Map<string, Set<string>>): string[] {
  const missing = new Map<string, string>();
  for (const { id, by, on } of claims) {
    if (!listed.has(on) || listed.get(on)!.has(id) || missing.has(`${id} ${on}`)) continue;
    missing.set(`${id} ${on}`, `backup ${id}: its manifest on "${by}" names a copy on "${on}", which "${on}" does not hold (pruned there, or lost)`);
  }
  return [...missing.values()];
}

function sampleOf(text: string | undefined): Sample | undefined {
  if (text === undefined) return undefined;
  const sample = parseSample(text);
  if (!sample) throw new UsageError(`--sample ${text} is not a share of the repository.`, { hint: 'Give a percentage (10%: a slice of ten, another each day) or a slice (3/7: the third of seven).' });
  return sample;
}

/** The repository's own objects on a target: one report line, as a copy named "repository". */
async function checkRepository(target: Target, plan: string, sample: Sample | undefined): Promise<CopyReport> {
  const copy: CopyReport = { target: target.name, backup: 'repository', ok: true, deep: false, artifacts: [], problems: [] };
  try {
    const objects = await checkObjects(target, plan, sample);
    copy.problems.push(...objects.problems);
    copy.ok = objects.problems.length === 0;
    copy.repository = { indexes: objects.indexes, packs: objects.packs, skipped: objects.skipped, bytes: objects.bytes };
  } catch (error) {
    copy.ok = false;
    copy.unreadable = true;
    copy.problems.push(reason(error));
  }
  return copy;
}

/** Re-reads stored copies and checks every size and sha256 against the manifest; --deep also decrypts and decompresses. */
export const verify: Command = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const { plan } = loaded;
  let keys: DecryptionKeys | undefined;
  const getKeys = () => (keys ??= decryptionKeys(io.env, plan.encryption, loaded.secrets));
  const reports: CopyReport[] = [];
  const report = (copy: CopyReport) => {
    reports.push(copy);
    if (!input.json) io.reporter.output(line(copy));
  };
  const claims: Claim[] = [];
  const repository = plan.sources.some((s) => s.type === 'files' && s.storage === 'repository');
  const sample = sampleOf(input.sample);
  const listed = new Map<string, Set<string>>();
  const holdings = await holdingsOf(selectTargets(loaded, input.target, io.env, io.reporter), plan.name);
  // "latest" is the newest backup anywhere: a target that missed it must not pass by verifying an older one.
  const latest = holdings.flatMap((h) => h.complete ?? []).sort((a, b) => compareBackupIds(b.id, a.id))[0]?.id;
  const everywhere = [...new Set(holdings.flatMap((h) => h.complete ?? []).map((b) => b.id))];
  const wanted = input.backup === 'latest' ? latest : input.backup === 'all' ? undefined : (matchBackupId(everywhere, input.backup) ?? input.backup);
  for (const { target, complete, error } of holdings) {
    // A target that cannot be listed (an unmounted drive, a store that is down) is reported, never skipped.
    if (!complete) {
      report({ target: target.name, backup: input.backup, ok: false, unreadable: true, deep: input.deep, artifacts: [], problems: [error!] });
      continue;
    }
    listed.set(target.name, new Set(complete.map((b) => b.id)));
    const chosen = input.backup === 'all' ? complete : complete.filter((b) => b.id === wanted);
    if (chosen.length === 0 && input.backup === 'latest' && latest && !input.json) io.reporter.output(`${target.name}: ${latest}: not on this target`);
    for (const backup of chosen) report(await checkCopy(target, loaded, backup.id, input.deep, getKeys, claims, io.reporter));
    if (repository && chosen.length > 0) report(await checkRepository(target, plan.name, sample));
  }
  for (const text of missingCopies(claims, listed)) io.reporter.warn(`Missing copy: ${text}.`);
  if (reports.length === 0) throw new NotFoundError(`No backup matching "${input.backup}" was found to verify.`, { hint: 'Run `restorable list`.' });
  const bad = reports.filter((r) => !r.ok && !r.unreadable);
  const unread = reports.filter((r) => r.unreadable);
  if (!input.json) {
    const bytes = reports.reduce((sum, r) => sum + r.artifacts.filter((a) => a.ok).reduce((s, a) => s + a.bytes, 0), 0);
    const ok = reports.length - bad.length - unread.length;
    io.reporter.output(`Total: ${plural(reports.length, 'copy', 'copies')} checked${input.deep ? ' deep' : ''}: ${ok} ok (${formatBytes(bytes)} read), ${bad.length} damaged, ${unread.length} unreadable.`);
  }
  if (bad.length === 0 && unread.length > 0) {
    throw new RunError(`${unread.length} of ${reports.length} cop${reports.length === 1 ? 'y' : 'ies'} could not be read: ${unread.map((r) => `${r.backup} on ${r.target}`).join(', ')}; the others verified.`, {
      hint: 'See the reasons above; a GitHub cache can be read only inside a workflow job (--target NAME verifies one target).',
    });
  }
  if (bad.length > 0) {
    throw new IntegrityError(`${bad.length} of ${reports.length} cop${reports.length === 1 ? 'y is' : 'ies are'} damaged: ${bad.map((r) => `${r.backup} on ${r.target}`).join(', ')}.`, {
      hint: 'Restore from a copy that verified (--target NAME); the next backup writes fresh copies.',
    });
  }
  return { ok: true, deep: input.deep, copies: reports };
};
