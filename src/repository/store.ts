/**
 * One target's repository as read at the start of a run: which packs it
 * holds (from its listing: a pack counts only if it is there with the size
 * its index gives), and which blobs those packs hold (from its indexes).
 * What a target's indexes claim about packs it does not list is ignored, so
 * a pack lost or pruned elsewhere is simply written again.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { readBytes, readText } from '../artifacts/catalog.js';
import type { DecryptionKeys, EncryptionRecord } from '../artifacts/encrypt.js';
import { IntegrityError, reason } from '../errors.js';
import type { StoredObject, Target } from '../targets/target.js';
import type { Cache } from './cache.js';
import { DEFAULT_CHUNKER } from './chunker.js';
import { idOfKey, indexObject, repoConfig, repoKeys, REPO_FORMAT, type IndexObject, type RepoConfig } from './format.js';
import type { BlobMap } from './blob-map.js';
import type { BlobType } from './blob.js';
import { open } from './seal.js';
import { collectNow } from '../util/reclaim.js';
import { digestFile } from '../util/file-digest.js';

/**
 * An object read whole (packs are about 16 MiB). A local target's file is
 * read straight into one buffer, not gathered from a stream and copied.
 */
export async function readAll(target: Target, key: string): Promise<Buffer> {
  if (target.localPath) {
    try {
      return await readFile(target.localPath(key));
    } catch {
      // The target's own reader says what is wrong (missing, unreadable) in its words.
    }
  }
  return readBytes(target, key);
}

/**
 * Bytes [offset, offset + length) of an object, from a target that reads
 * ranges. Fewer bytes than asked: IntegrityError, since every range asked
 * for lies inside an object of a recorded size.
 */
export async function readRange(target: Target, key: string, offset: number, length: number, what: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of await target.getRange!(key, offset, length)) parts.push(part as Buffer);
  const bytes = Buffer.concat(parts);
  if (bytes.length !== length) throw new IntegrityError(`${what} on target "${target.name}" is shorter than its index says.`, { hint: 'Restore from another target (--target NAME), and run `restorable verify`.' });
  return bytes;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The SHA-256 and length of bytes given in parts, without joining them. */
export function digestOf(parts: readonly Uint8Array[]): { sha256: string; length: number } {
  const hash = createHash('sha256');
  let length = 0;
  for (const part of parts) {
    hash.update(part);
    length += part.length;
  }
  return { sha256: hash.digest('hex'), length };
}

/** Reads an object back as a stream, hashing as it comes: nothing held but the hash. */
async function digestStored(target: Target, key: string): Promise<{ sha256: string; length: number }> {
  // A local copy is read and hashed on a worker thread; any trouble there is met again, and told, by the target's own reader.
  if (target.localPath) {
    const digest = await digestFile(target.localPath(key)).catch(() => undefined);
    if (digest) return digest;
  }
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of await target.get(key)) {
    hash.update(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), length };
}

/**
 * Stores `body` (one buffer, or parts stored back to back) under `key` and
 * proves the copy by reading it back whole and comparing hashes.
 */
export async function putVerified(target: Target, key: string, body: Buffer | readonly Buffer[], known?: { sha256: string; length: number }): Promise<void> {
  const parts = Buffer.isBuffer(body) ? [body] : body;
  const want = known ?? digestOf(parts);
  await target.put(key, Readable.from(parts));
  const back = await digestStored(target, key);
  if (back.length !== want.length || back.sha256 !== want.sha256) {
    throw new IntegrityError(`${key} read back ${back.length} bytes that differ from the ${want.length} written.`, { hint: 'The store returned other bytes than it was given; check the disk or the service.' });
  }
}

export interface Listing {
  config?: StoredObject;
  keys: string[];
  packs: Map<string, number>;
  indexes: Map<string, number>;
}

export async function listRepo(target: Target, plan: string): Promise<Listing> {
  const listing: Listing = { keys: [], packs: new Map(), indexes: new Map() };
  for (const object of await target.list(repoKeys.root(plan))) {
    const id = idOfKey(object.key);
    if (object.key === repoKeys.config(plan)) listing.config = object;
    else if (object.key.startsWith(repoKeys.keys(plan))) listing.keys.push(object.key.slice(repoKeys.keys(plan).length));
    else if (id && object.key === repoKeys.pack(plan, id)) listing.packs.set(id, object.size);
    else if (id && object.key === repoKeys.index(plan, id)) listing.indexes.set(id, object.size);
  }
  return listing;
}

export function newConfig(keyed: boolean): RepoConfig {
  const { min, avg, max } = DEFAULT_CHUNKER;
  return { format: REPO_FORMAT, kind: 'restorable-repository', chunker: { algorithm: 'fastcdc', min, avg, max }, keyed_ids: keyed };
}

export async function readConfig(target: Target, plan: string): Promise<RepoConfig> {
  const text = await readText(target, repoKeys.config(plan));
  let parsed;
  try {
    parsed = repoConfig.safeParse(JSON.parse(text));
  } catch (error) {
    throw new IntegrityError(`The repository config on target "${target.name}" is not valid JSON (${reason(error)}).`);
  }
  if (!parsed.success) throw new IntegrityError(`The repository config on target "${target.name}" is not one this restorable reads (format ${REPO_FORMAT}).`, { hint: 'A newer restorable may have written it: upgrade.' });
  return parsed.data;
}

/** How a run may read a target's sealed objects: the record says how they were sealed, keys open them (null: cannot here). */
export interface Opening {
  record: EncryptionRecord | null;
  keys: DecryptionKeys | null;
}

/**
 * Reads one index: from the cache when this host has seen it, else from the
 * target when this run can open it (a keyless backup in recipients mode
 * cannot: it then writes those blobs again, costing space, never data).
 */
export async function loadIndex(target: Target, plan: string, id: string, cache: Cache | null, opening: Opening): Promise<IndexObject | undefined> {
  let plain = cache ? await cache.index(id) : undefined;
  if (!plain) {
    if (opening.record && !opening.keys) return undefined;
    const stored = await readAll(target, repoKeys.index(plan, id));
    if (sha256(stored) !== id) throw new IntegrityError(`Index ${id.slice(0, 12)} on target "${target.name}" is damaged: its sha256 differs from its name.`, { hint: 'Run `restorable verify`; the packs it lists are written again by the next backup.' });
    plain = await open(stored, opening.record, opening.keys ?? { identities: [] }, `Index ${id.slice(0, 12)}`);
    await cache?.saveIndex(id, plain);
  }
  const parsed = indexObject.safeParse(JSON.parse(plain.toString('utf8')));
  if (!parsed.success) {
    await cache?.forgetIndex(id);
    throw new IntegrityError(`Index ${id.slice(0, 12)} on target "${target.name}" is not a restorable index.`);
  }
  return parsed.data;
}

/**
 * The packs a target holds and the blobs in them, for blobs under `keyId`.
 * `onSkip` hears of an index that is damaged (it is skipped); `only` maps blobs of that type alone.
 */
export async function loadRepo(target: Target, plan: string, listing: Listing, cache: Cache | null, opening: Opening, keyId: string | null, into: BlobMap, options: { onSkip?: (message: string) => void; only?: BlobType } = {}): Promise<Set<string>> {
  const present = new Set<string>();
  for (const id of listing.indexes.keys()) {
    let index: IndexObject | undefined;
    try {
      index = await loadIndex(target, plan, id, cache, opening);
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      options.onSkip?.(error.message);
      continue;
    }
    if (!index) continue;
    for (const pack of index.packs) {
      if (pack.key_id !== keyId || listing.packs.get(pack.id) !== pack.size) continue;
      present.add(pack.id);
      for (const blob of pack.blobs) if (!options.only || blob.type === options.only) into.add(pack.id, blob);
    }
  }
  // The parsed indexes are garbage now, and the blob map the run's largest live structure.
  collectNow();
  return present;
}
