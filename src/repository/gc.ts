/**
 * Reclaims a target's repository space after prune removed backups: packs
 * that no remaining snapshot on that target uses are deleted. It needs to
 * read every remaining snapshot (their trees name the blobs in use), so it
 * runs only when this run can open them: unencrypted and passphrase plans
 * always, recipients plans when RESTORABLE_AGE_IDENTITY is set; otherwise it
 * says so and deletes nothing. Runs hold the plan's lock, so no pack can be
 * in the middle of being written by another run.
 *
 * Order: unused packs are deleted first, then the indexes that named them
 * are replaced (the new one written and read back, then the old one
 * removed). A crash at any point leaves an index naming packs that are gone
 * (ignored: a pack counts only when the target lists it; the next prune
 * drops the entry) or two indexes naming one pack (harmless): never a
 * remaining snapshot naming a deleted blob, and never a pack that no index
 * names because prune stopped half-way (kill trials: test/repository/
 * prune-crash.test.ts). Packs that no index names are what a killed backup
 * left: deleted once older than an hour, and only when every index read
 * (a pack named by an index that does not open may hold blobs in use).
 *
 * Packs mostly unused (under REPACK_BELOW of their bytes in use) are
 * repacked: their live blobs are read, proven, and written again into new
 * packs by a RepoWriter (packs verified, then their index), and only then do
 * the old packs join the unused ones. A crash before the new index leaves
 * packs no index names (the orphans above); after it, blobs held twice, and
 * the next prune finds nothing left to write and deletes the old packs.
 */
import { keyOf } from '../artifacts/catalog.js';
import type { DecryptionKeys, EncryptionSetting } from '../artifacts/encrypt.js';
import type { SourceEntry } from '../artifacts/manifest.js';
import { IntegrityError } from '../errors.js';
import { faultStep } from '../util/fault.js';
import { collectNow } from '../util/reclaim.js';
import type { Target } from '../targets/target.js';
import { REPO_FORMAT, repoKeys, type IndexObject, type SnapshotObject } from './format.js';
import { IdSet } from './blob-map.js';
import type { Reporter } from '../report/reporter.js';
import type { BlobType } from './blob.js';
import type { Cache } from './cache.js';
import { RepoReader, parseSnapshot } from './reader.js';
import { RepoWriter } from './writer.js';
import { objectRecord, objectSealing, openSecret, type RepoSecret } from './repo-secret.js';
import { open, seal } from './seal.js';
import { listRepo, loadIndex, putVerified, readAll, sha256 } from './store.js';

const ORPHAN_GRACE_MS = 3600_000;
/** A pack with less than this share of its bytes in use is repacked (restic's default leaves 5% of the repository unused overall; per pack, half is a simple bound). */
const REPACK_BELOW = 0.5;

export interface GcReport {
  packs_removed: number;
  /** Of packs_removed, those that were mostly unused: their live blobs now sit in new packs. */
  packs_repacked?: number;
  bytes_freed: number;
  indexes_rewritten: number;
  /** Why nothing was reclaimed, when it was not tried. */
  skipped?: string;
}

export interface GcInput {
  target: Target;
  plan: string;
  /** The repository entries of every complete backup left on the target. */
  remaining: { id: string; entry: SourceEntry }[];
  encryption: EncryptionSetting | undefined;
  /** The plan's passphrase and RESTORABLE_AGE_IDENTITY's identities. */
  keys: DecryptionKeys;
  now: Date;
  apply: boolean;
  /** This host's repository cache (the writer that repacks reads and records indexes there). */
  cache: Cache;
  reporter: Reporter;
}

export async function collectGarbage(input: GcInput): Promise<GcReport> {
  const { target, plan, encryption, keys } = input;
  const report: GcReport = { packs_removed: 0, bytes_freed: 0, indexes_rewritten: 0 };
  const listing = await listRepo(target, plan);
  if (listing.packs.size === 0) return report;
  if (encryption && encryption.passphrase === undefined && keys.identities.length === 0) {
    return { ...report, skipped: 'the plan encrypts to recipients and RESTORABLE_AGE_IDENTITY is not set: pack space is reclaimed by a prune that has it' };
  }
  const snapshots: SnapshotObject[] = [];
  for (const { id, entry } of input.remaining) {
    const stored = await readAll(target, keyOf.file(plan, id, entry.artifact.file));
    if (sha256(stored) !== entry.artifact.sha256) throw new IntegrityError(`The snapshot object of backup ${id} on target "${target.name}" is damaged; nothing was reclaimed.`, { hint: 'Run `restorable verify`.' });
    snapshots.push(parseSnapshot(await open(stored, entry.artifact.encryption, keys, `The snapshot of backup ${id}`), `The snapshot of backup ${id}`));
  }
  // Every blob a remaining snapshot names, tree by tree (a tree seen once is not walked again).
  const used = new IdSet();
  const readers = new Map<string, RepoReader>();
  for (const snapshot of snapshots) {
    const kid = snapshot.key_id ?? '';
    if (!readers.has(kid)) readers.set(kid, await RepoReader.open(target, plan, snapshot, encryption, keys, { listing, trees: true }));
    const reader = readers.get(kid)!;
    const walk = async (treeId: string): Promise<void> => {
      if (!used.add(treeId)) return;
      for (const node of (await reader.tree(treeId)).nodes) {
        if (node.type === 'dir') await walk(node.subtree);
        else if (node.type === 'file') for (const blob of node.content) used.add(blob);
      }
    };
    await walk(snapshot.root);
  }
  // Their blob maps and cached packs are a few hundred MB with a million blobs: not held while the indexes are read.
  readers.clear();
  collectNow();
  const secrets = new Map<string, RepoSecret>();
  const secretOf = async (kid: string | null): Promise<RepoSecret | null> => {
    if (!kid || !encryption) return null;
    if (!secrets.has(kid)) secrets.set(kid, await openSecret(target, plan, kid, encryption, keys));
    return secrets.get(kid)!;
  };
  const indexed = new Set<string>();
  const doomed = new Set<string>();
  /** Mostly unused packs: their key and the live blobs to write again. */
  const sparse = new Map<string, { kid: string | null; blobs: { id: string; type: BlobType }[] }>();
  const unread: string[] = [];
  const readIndexes = async (): Promise<{ id: string; keep: IndexObject['packs']; kid: string | null }[]> => {
    const rewrites: { id: string; keep: IndexObject['packs']; kid: string | null }[] = [];
    unread.length = 0;
    for (const indexId of listing.indexes.keys()) {
      const first = await loadIndexHead(target, plan, indexId, encryption, secretOf, keys, listing.keys);
      if (!first) {
        unread.push(indexId);
        continue;
      }
      for (const pack of first.index.packs) {
        indexed.add(pack.id);
        if (!listing.packs.has(pack.id) || doomed.has(pack.id)) continue;
        const live = pack.blobs.filter((b) => used.has(b.id));
        if (live.length === 0) doomed.add(pack.id);
        else if (live.reduce((sum, b) => sum + b.length, 0) < pack.blobs.reduce((sum, b) => sum + b.length, 0) * REPACK_BELOW) {
          sparse.set(pack.id, { kid: pack.key_id, blobs: live.map((b) => ({ id: b.id, type: b.type })) });
        }
      }
      // Entries of packs that are gone (a prune cut short after deleting them) go with the rewrite too.
      const keep = first.index.packs.filter((p) => listing.packs.has(p.id) && !doomed.has(p.id));
      if (keep.length !== first.index.packs.length) rewrites.push({ id: indexId, keep, kid: first.kid });
    }
    return rewrites;
  };
  let rewrites = await readIndexes();
  if (unread.length === 0) {
    const objects = await target.list(repoKeys.packs(plan));
    for (const object of objects) {
      const id = object.key.slice(object.key.lastIndexOf('/') + 1);
      if (listing.packs.has(id) && !indexed.has(id) && input.now.getTime() - object.modified.getTime() > ORPHAN_GRACE_MS) doomed.add(id);
    }
  } else {
    report.skipped = `index ${unread.join(', ')} does not open with this run's keys: packs no readable index names are kept (they may hold blobs in use); run \`restorable verify --deep\``;
  }
  if (unread.length === 0 && sparse.size > 0) {
    if (!input.apply) {
      for (const id of sparse.keys()) doomed.add(id);
      report.packs_repacked = sparse.size;
    } else {
      const repacked = await repack(input, snapshots, sparse);
      if (repacked.length > 0) {
        for (const id of repacked) doomed.add(id);
        report.packs_repacked = repacked.length;
        // The indexes that named the repacked packs are rewritten too: read them again with the final set.
        rewrites = await readIndexes();
      }
    }
  }
  for (const id of doomed) report.bytes_freed += listing.packs.get(id) ?? 0;
  report.packs_removed = doomed.size;
  report.indexes_rewritten = rewrites.length;
  if (!input.apply) return report;
  faultStep('prune');
  await target.remove([...doomed].map((id) => repoKeys.pack(plan, id)));
  for (const rewrite of rewrites) {
    if (rewrite.keep.length > 0) {
      const plain = Buffer.from(JSON.stringify({ format: REPO_FORMAT, kind: 'restorable-index', packs: rewrite.keep } satisfies IndexObject));
      const secret = await secretOf(rewrite.kid);
      const sealed = encryption && secret ? await seal(plain, objectSealing(secret, encryption)) : plain;
      faultStep('prune');
      await putVerified(target, repoKeys.index(plan, sha256(sealed)), sealed);
    }
    faultStep('prune');
    await target.remove([repoKeys.index(plan, rewrite.id)]);
  }
  return report;
}

/**
 * Writes the live blobs of `sparse` packs again, into new packs and an index
 * on the target, and returns the packs whose blobs all now sit elsewhere.
 * Only packs under the key this run writes with are repacked (a blob id is
 * keyed: it cannot move under another key); the others stay as they are.
 */
async function repack(input: GcInput, snapshots: SnapshotObject[], sparse: Map<string, { kid: string | null; blobs: { id: string; type: BlobType }[] }>): Promise<string[]> {
  const { target, plan, encryption, keys } = input;
  let failure: unknown;
  const writer = await RepoWriter.open({
    plan,
    targets: [target],
    encryption,
    keys: encryption?.passphrase !== undefined ? keys : keys.identities.length > 0 ? keys : null,
    cache: input.cache,
    reporter: input.reporter,
    drop: (_t, error) => (failure ??= error),
    alive: () => (failure === undefined ? [target] : []),
  });
  if (failure !== undefined) throw failure;
  const kid = writer.idKey?.id ?? null;
  const moving = [...sparse].filter(([, pack]) => pack.kid === kid);
  const snapshot = snapshots.find((s) => (s.key_id ?? null) === kid);
  if (moving.length === 0 || !snapshot) return [];
  // The writer must see the blobs of these packs as missing, or it would find them where they are.
  writer.forget(new Set(moving.map(([id]) => id)));
  const reader = await RepoReader.open(target, plan, snapshot, encryption, keys);
  faultStep('prune');
  for (const [, pack] of moving) for (const blob of pack.blobs) await writer.add(blob.type, blob.id, await reader.blob(blob.id));
  await writer.finish();
  if (failure !== undefined) throw failure;
  return moving.map(([id]) => id);
}

/** An index with the key its packs were written under (all packs of one index share it). */
async function loadIndexHead(target: Target, plan: string, id: string, encryption: EncryptionSetting | undefined, secretOf: (kid: string | null) => Promise<RepoSecret | null>, keys: DecryptionKeys, kids: string[]): Promise<{ index: IndexObject; kid: string | null } | undefined> {
  // The record does not depend on the key for recipients plans; passphrase plans seal indexes to the repository identity.
  let index: IndexObject | undefined;
  if (!encryption) index = await loadIndex(target, plan, id, null, { record: null, keys: null });
  else {
    for (const kid of kids) {
      const secret = await secretOf(kid);
      const opening = { record: objectRecord(secret, encryption), keys: secret?.identity ? { identities: [secret.identity] } : keys };
      index = await loadIndex(target, plan, id, null, opening).catch(() => undefined);
      if (index) break;
    }
  }
  if (!index) return undefined;
  return { index, kid: index.packs[0]?.key_id ?? null };
}
