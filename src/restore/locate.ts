/**
 * Finding the backup to restore and proving its bytes before anything is
 * touched. Every artifact's sha256 is checked in full first (a decrypting or
 * decompressing stream would emit data before it could notice damage), then
 * decoding reads the verified bytes.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { keyOf, listBackups } from '../artifacts/catalog.js';
import { decompressor } from '../artifacts/codec.js';
import { matching, mismatch, readBack } from '../artifacts/check.js';
import { counting } from '../util/counting.js';
import { decryptor, openable, type DecryptionKeys } from '../artifacts/encrypt.js';
import type { Manifest, SourceEntry } from '../artifacts/manifest.js';
import { IntegrityError, NotFoundError, UsageError, reason } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import type { Target } from '../targets/target.js';
import { isNoSpace, mib, noRoom } from './room.js';
import { compareBackupIds } from '../artifacts/backup-id.js';

export interface Located {
  target: Target;
  manifest: Manifest;
}

/**
 * The backup `selector` ("latest" or an id) names: the newest complete one
 * across targets, and the targets holding it, in plan order. Each holder is a
 * full copy: restore falls back to the next when one copy is damaged.
 */
/**
 * A backup named as people name it: the whole id, its random tag (`236a02`),
 * or a unique prefix (`20261121T02`). Two matches are a usage error that
 * lists them, never a guess.
 */
export function matchBackupId(ids: readonly string[], selector: string): string | undefined {
  if (ids.includes(selector)) return selector;
  if (selector.length < 4) return undefined;
  const matches = ids.filter((id) => id.startsWith(selector) || id.endsWith(`-${selector}`));
  if (matches.length > 1) throw new UsageError(`"${selector}" matches ${matches.length} backups: ${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', ...' : ''}.`, { hint: 'Give more of the id (or the whole id, from `restorable list`).' });
  return matches[0];
}

export async function findBackup(targets: Target[], plan: string, selector: string, reporter: Reporter, only?: string): Promise<{ id: string; holders: Target[] }> {
  const candidates = only ? targets.filter((t) => t.name === only) : targets;
  if (only && candidates.length === 0) throw new UsageError(`The plan has no target named "${only}".`, { hint: `Targets: ${targets.map((t) => t.name).join(', ')}` });
  const holdings = await Promise.all(
    candidates.map(async (target) => {
      try {
        return { target, ids: (await listBackups(target, plan)).filter((b) => b.complete).map((b) => b.id) };
      } catch (error) {
        reporter.warn(`Cannot list target "${target.name}": ${reason(error)}`);
        return { target, ids: [] as string[] };
      }
    }),
  );
  const all = [...new Set(holdings.flatMap((h) => h.ids))].sort((a, b) => compareBackupIds(b, a));
  const id = selector === 'latest' ? all[0] : matchBackupId(all, selector);
  if (!id) {
    const where = candidates.map((t) => t.name).join(', ');
    throw new NotFoundError(selector === 'latest' ? `No complete backup of plan "${plan}" was found on ${where}.` : `Backup ${selector} was not found on ${where}.`, {
      hint: 'Run `restorable list` to see the backups each target holds.',
    });
  }
  return { id, holders: holdings.filter((h) => h.ids.includes(id)).map((h) => h.target) };
}

/**
 * Returns a local path holding the artifact's verified bytes: the target's own
 * file when it is local, else a copy downloaded into `stagingDir`.
 */
export async function fetchVerified(target: Target, plan: string, id: string, entry: SourceEntry, stagingDir: string, reporter?: Reporter): Promise<string> {
  const path = target.localPath ? target.localPath(keyOf.file(plan, id, entry.artifact.file)) : join(stagingDir, entry.artifact.file);
  const { file, bytes } = entry.artifact;
  const onBytes = reporter && ((done: number) => reporter.progress(`check:${target.name}:${file}`, done, bytes, `checking ${file} on ${target.name}`));
  const read = await readBack(target, plan, id, entry, target.localPath ? undefined : path, onBytes).catch((error: unknown) => {
    throw isNoSpace(error) ? noRoom(`the download of ${entry.artifact.file}`, stagingDir, mib(entry.artifact.bytes), error, { staging: true }) : error;
  });
  const problem = mismatch(entry, read);
  if (problem) {
    throw new IntegrityError(`The artifact ${entry.artifact.file} of backup ${id} on target "${target.name}" is damaged: ${problem}`, {
      hint: 'Nothing was restored. Use a copy on another target (--target NAME) or another backup (--backup ID), and run `restorable verify`.',
    });
  }
  return path;
}

/**
 * The decoded snapshot from verified bytes at `path`, hashed again on the
 * way, decrypted when the manifest says so, then decompressed, and cut off
 * (IntegrityError) as soon as it decodes past the size the manifest records:
 * a few hundred KB of zstd can hold 10 GiB of zeros. Errors surface on the
 * returned stream.
 */
export function decoded(path: string, entry: SourceEntry, keys?: DecryptionKeys, onRead?: (done: number) => void): Readable {
  const decoder = decompressor(entry.artifact.compression.algorithm);
  const { encryption, file, decoded_bytes: limit } = entry.artifact;
  const opening = encryption ? [decryptor(encryption, keys ?? { identities: [] }, `The artifact ${file}`)] : [];
  const output = limit === undefined ? decoder : new PassThrough({ highWaterMark: 1 << 20 });
  const bounds = limit === undefined ? [] : [bounded(file, limit), output];
  pipeline([createReadStream(path, { highWaterMark: 1 << 20 }), ...(onRead ? [counting(onRead)] : []), matching(entry), ...opening, decoder, ...bounds]).catch((error: unknown) => output.destroy(error as Error));
  return output;
}

/** A pass-through that fails once more than `limit` bytes went through, or at the end when fewer did. */
function bounded(file: string, limit: number): Transform {
  let bytes = 0;
  const wrong = (what: string) =>
    new IntegrityError(`The artifact ${file} ${what} than the ${limit} bytes its manifest records; stopped before restoring it.`, {
      hint: 'Its checksum matched, so it was stored this way: altered on the target, or not made by restorable. Nothing of it went live; use another backup (--backup ID) or another target (--target NAME).',
    });
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(bytes > limit ? wrong('decodes to more') : null, chunk);
    },
    flush(callback) {
      callback(bytes < limit ? wrong('decodes to less') : null);
    },
  });
}

/** Fails with a KeyError (before anything is written) when an encrypted artifact cannot be opened with `keys`. */
export async function checkKey(path: string, entry: SourceEntry, keys: DecryptionKeys, id: string): Promise<void> {
  const { encryption, file } = entry.artifact;
  if (encryption) await openable(path, encryption, keys, `The artifact ${file} of backup ${id}`);
}
