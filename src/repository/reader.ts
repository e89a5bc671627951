/**
 * Reads blobs from one target's repository for restore, drill and deep
 * verify. Every index is checked against its name (sha256) before it is
 * believed, every pack likewise before any blob is taken from it, and every
 * blob against its id after decoding: a damaged object is an IntegrityError
 * before anything it holds is used.
 *
 * Packs are read whole into memory (about 16 MiB each); a few stay in a
 * small cache, because a snapshot's files mostly lie in the packs in the
 * order they were written. A pack a build needs only a small part of
 * (willRead) is read by ranges instead: its blobs are then proven by their
 * ids alone and, encrypted, by the tags of the age chunks that hold them.
 */
import { CHUNK, SEALED_CHUNK, openChunk, payloadKey } from '../artifacts/age-stream.js';
import { MAX_HEADER, headerEnd } from '../artifacts/age-header.js';
import { openHeader, type DecryptionKeys, type EncryptionSetting } from '../artifacts/encrypt.js';
import { IntegrityError, NotFoundError } from '../errors.js';
import type { Target } from '../targets/target.js';
import { unpackBlob, type IdKey } from './blob.js';
import { repoKeys, snapshotObject, tree, type SnapshotObject, type Tree } from './format.js';
import { objectKeys, objectRecord, openSecret, type RepoSecret } from './repo-secret.js';
import { open } from './seal.js';
import { BlobMap } from './blob-map.js';
import { listRepo, loadRepo, readAll, readRange, sha256, type Listing, type Opening } from './store.js';

/**
 * Packs kept after reading (at most 16 MiB each). Since restores write files in pack order (each
 * pack read once), 3 restore as fast as 6 did (200k files of 4 KiB: 16.2-20.5 s against
 * 17.2-18.8 s; 5,000 of 100 KiB: 1.42-1.50 s against 1.48-1.59 s; 8 of 64 MiB: 34 packs read
 * for 33 either way) at 40-60 MiB less peak RSS. Before the pack order, 4 instead of 6 made a
 * 500 MB restore 15% slower.
 */
const CACHED_PACKS = 3;

/** A stretch of a pack's plaintext, [start, end). */
export interface Span {
  start: number;
  end: number;
}
/**
 * Needed stretches closer than this are read as one range: a request costs
 * about what this many bytes take to come (a few ms on a network store).
 */
const RANGE_GAP = 256 * 1024;
/** A pack is read whole when a build needs at least this share of it. */
const WHOLE_SHARE = 0.5;
/** Ranges kept after reading, in bytes (each at most half a pack). */
const CACHED_RANGE_BYTES = 48 * 1024 * 1024;

/**
 * Values loaded once per key (a load in flight is shared by all who ask),
 * the least recently used dropped once their weight passes `budget` (the
 * last one loaded always stays).
 */
class LoadCache<V> {
  private readonly held = new Map<string, V>();
  private readonly loading = new Map<string, Promise<V>>();
  private weight = 0;
  constructor(
    private readonly budget: number,
    private readonly weigh: (value: V) => number,
  ) {}

  has(key: string): boolean {
    return this.held.has(key);
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.held.get(key);
    if (hit !== undefined) {
      this.held.delete(key);
      this.held.set(key, hit);
      return Promise.resolve(hit);
    }
    let pending = this.loading.get(key);
    if (!pending) {
      pending = load()
        .then((value) => (this.keep(key, value), value))
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private keep(key: string, value: V): void {
    this.held.set(key, value);
    this.weight += this.weigh(value);
    while (this.weight > this.budget && this.held.size > 1) {
      const [oldest, old] = this.held.entries().next().value!;
      this.held.delete(oldest);
      this.weight -= this.weigh(old);
    }
  }
}

/** Sorts and joins spans that overlap or lie closer than `gap`. */
function mergeSpans(spans: readonly Span[], gap: number): Span[] {
  const out: Span[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && span.start <= last.end + gap) last.end = Math.max(last.end, span.end);
    else out.push({ ...span });
  }
  return out;
}

export class RepoReader {
  private constructor(
    readonly target: Target,
    private readonly plan: string,
    private readonly blobs: BlobMap,
    private readonly present: Set<string>,
    private readonly opening: Opening,
    readonly idKey: IdKey | null,
    cachedPacks: number,
    /** Stored size of each pack (the listing's, which the index agrees with). */
    private readonly sizes: ReadonlyMap<string, number>,
    /** Packs read whole and ranges read so far, and their stored bytes, for reports. */
    readonly read: { packs: number; ranges: number; bytes: number } = { packs: 0, ranges: 0, bytes: 0 },
  ) {
    this.packs = new LoadCache<Buffer>(cachedPacks, () => 1);
  }

  /**
   * Opens the repository on `target` for the snapshot's key. `keys` must open it when the plan encrypts.
   * `trees`: a reader of tree blobs only, for a walk of the folders (prune): it maps no data blob
   * (a million of them were ~70 MB) and keeps two packs, not six.
   */
  static async open(target: Target, plan: string, snapshot: SnapshotObject, encryption: EncryptionSetting | undefined, keys: DecryptionKeys, options: { listing?: Listing; trees?: boolean } = {}): Promise<RepoReader> {
    const list = options.listing ?? (await listRepo(target, plan));
    let secret: RepoSecret | null = null;
    if (snapshot.key_id) {
      if (!encryption) throw new IntegrityError(`The snapshot of "${snapshot.source}" is keyed (encrypted) but the plan has no encryption.`, { hint: 'Restore with the plan (and its encryption settings) the backup was made with.' });
      if (!list.keys.includes(snapshot.key_id)) throw new IntegrityError(`The repository key ${snapshot.key_id} of backup ${snapshot.backup_id} is missing on target "${target.name}".`, { hint: 'Restore from another target (--target NAME).' });
      secret = await openSecret(target, plan, snapshot.key_id, encryption, keys);
    }
    const opening: Opening = { record: encryption && secret ? objectRecord(secret, encryption) : null, keys: secret ? objectKeys(secret, keys) : null };
    const blobs = new BlobMap();
    const present = await loadRepo(target, plan, list, null, opening, snapshot.key_id, blobs, {
      onSkip: (message) => {
        throw new IntegrityError(message, { hint: 'Restore from another target (--target NAME), and run `restorable verify`.' });
      },
      ...(options.trees ? { only: 'tree' as const } : {}),
    });
    return new RepoReader(target, plan, blobs, present, opening, secret?.idKey ?? null, options.trees ? 2 : CACHED_PACKS, list.packs);
  }

  /** Packs read, and being read: files restored at once share one read of a pack. */
  private readonly packs: LoadCache<Buffer>;

  private pack(id: string): Promise<Buffer> {
    return this.packs.get(id, () => this.load(id));
  }

  private async load(id: string): Promise<Buffer> {
    const stored = await readAll(this.target, repoKeys.pack(this.plan, id)).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new IntegrityError(`Pack ${id.slice(0, 12)} is missing on target "${this.target.name}".`, { hint: 'Restore from another target (--target NAME).' }) : error;
    });
    // An unencrypted pack is proven blob by blob (each against its id): hashing it whole as well is
    // done only to name the damage when a blob fails. An encrypted one is proven before it is opened.
    if (this.opening.record && sha256(stored) !== id) throw this.damaged(id);
    const plain = await open(stored, this.opening.record, this.opening.keys ?? { identities: [] }, `Pack ${id.slice(0, 12)}`);
    this.read.packs += 1;
    this.read.bytes += stored.length;
    return plain;
  }

  private damaged(pack: string): IntegrityError {
    return new IntegrityError(`Pack ${pack.slice(0, 12)} on target "${this.target.name}" is damaged: its sha256 differs from its name.`, { hint: 'Restore from another target (--target NAME), and run `restorable verify`.' });
  }

  /** Where the blob lies on this target (pack id, offset and stored length in it), to read packs in order. */
  where(id: string): { pack: string; offset: number; length: number } | undefined {
    const found = this.blobs.locations(id).find((l) => this.present.has(l.pack));
    return found && { pack: found.pack, offset: found.entry.offset, length: found.entry.length };
  }

  /** Per pack, the merged spans a build will read from it by range (packs it needs only a small part of). */
  private readonly ranged = new Map<string, Span[]>();

  /**
   * A build tells which stretches of which packs it will read next. A pack it
   * needs less than half of is then read by ranges, on targets that read
   * ranges: a partial restore of a few files reads those chunks, not their
   * 16 MiB packs. Others are read whole, as without this call.
   */
  willRead(needs: ReadonlyMap<string, readonly Span[]>): void {
    if (!this.target.getRange) return;
    for (const [pack, spans] of needs) {
      const size = this.sizes.get(pack);
      if (size === undefined || this.packs.has(pack)) continue;
      const merged = mergeSpans(spans, RANGE_GAP);
      const total = merged.reduce((sum, s) => sum + s.end - s.start, 0);
      if (total >= size * WHOLE_SHARE) this.ranged.delete(pack);
      else this.ranged.set(pack, merged);
    }
  }

  /** The blob's bytes, proven to be the blob `id` names. */
  async blob(id: string): Promise<Buffer> {
    const where = this.blobs.locations(id).find((l) => this.present.has(l.pack));
    if (!where) throw new IntegrityError(`Blob ${id.slice(0, 12)} is in no pack on target "${this.target.name}".`, { hint: 'Restore from another target (--target NAME), and run `restorable verify`.' });
    const { offset, length, raw_length, compression } = where.entry;
    const span = this.packs.has(where.pack) ? undefined : this.ranged.get(where.pack)?.find((s) => s.start <= offset && offset + length <= s.end);
    if (span) {
      // A blob read by range is proven by its id alone (and, encrypted, by its chunks' tags).
      const part = await this.range(where.pack, span);
      return unpackBlob(part.bytes.subarray(offset - part.start, offset - part.start + length), compression, raw_length, id, this.idKey);
    }
    const plain = await this.pack(where.pack);
    try {
      if (offset + length > plain.length) throw new IntegrityError(`Pack ${where.pack.slice(0, 12)} is shorter than its index says.`);
      return unpackBlob(plain.subarray(offset, offset + length), compression, raw_length, id, this.idKey);
    } catch (error) {
      if (!this.opening.record && sha256(plain) !== where.pack) throw this.damaged(where.pack);
      throw error;
    }
  }

  /** Ranges read (plaintext from `start`), and being read. */
  private readonly ranges = new LoadCache<{ start: number; bytes: Buffer }>(CACHED_RANGE_BYTES, (part) => part.bytes.length);

  private range(pack: string, span: Span): Promise<{ start: number; bytes: Buffer }> {
    return this.ranges.get(`${pack}:${span.start}`, () => (this.opening.record ? this.sealedRange(pack, span) : this.plainRange(pack, span)));
  }

  private async plainRange(pack: string, span: Span): Promise<{ start: number; bytes: Buffer }> {
    const bytes = await this.readPart(pack, span.start, span.end - span.start);
    return { start: span.start, bytes };
  }

  private async readPart(pack: string, offset: number, length: number): Promise<Buffer> {
    const bytes = await readRange(this.target, repoKeys.pack(this.plan, pack), offset, length, `Pack ${pack.slice(0, 12)}`).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new IntegrityError(`Pack ${pack.slice(0, 12)} is missing on target "${this.target.name}".`, { hint: 'Restore from another target (--target NAME).' }) : error;
    });
    this.read.ranges += 1;
    this.read.bytes += bytes.length;
    return bytes;
  }

  /** Payload keys of encrypted packs read by range (a header read and opened once per pack). */
  private readonly heads = new Map<string, Promise<{ key: Buffer; payloadAt: number }>>();

  private head(pack: string): Promise<{ key: Buffer; payloadAt: number }> {
    let head = this.heads.get(pack);
    if (!head) {
      head = (async () => {
        const size = this.sizes.get(pack)!;
        const what = `Pack ${pack.slice(0, 12)}`;
        // Headers to one recipient are about 200 bytes; a longer one is read again, whole.
        let bytes = await this.readPart(pack, 0, Math.min(size, 4096));
        let end = headerEnd(bytes);
        if (end === undefined && size > bytes.length) {
          bytes = await this.readPart(pack, 0, Math.min(size, MAX_HEADER));
          end = headerEnd(bytes);
        }
        if (end === undefined || bytes.length < end + 16) throw new IntegrityError(`${what} on target "${this.target.name}" has no whole age header.`, { hint: 'Restore from another target (--target NAME), and run `restorable verify`.' });
        const fileKey = await openHeader(bytes.subarray(0, end), this.opening.record!, this.opening.keys ?? { identities: [] }, what);
        return { key: payloadKey(fileKey, bytes.subarray(end, end + 16)), payloadAt: end + 16 };
      })();
      head.catch(() => this.heads.delete(pack));
      this.heads.set(pack, head);
    }
    return head;
  }

  /**
   * A span of an encrypted pack: the age payload chunks that hold it, each
   * opened alone (its number is its place; the last one, known from the
   * pack's size, carries the last-chunk flag).
   */
  private async sealedRange(pack: string, span: Span): Promise<{ start: number; bytes: Buffer }> {
    const { key, payloadAt } = await this.head(pack);
    const size = this.sizes.get(pack)!;
    const chunks = Math.max(1, Math.ceil((size - payloadAt) / SEALED_CHUNK));
    const first = Math.floor(span.start / CHUNK);
    const last = Math.min(chunks - 1, Math.floor((span.end - 1) / CHUNK));
    const from = payloadAt + first * SEALED_CHUNK;
    const sealed = await this.readPart(pack, from, Math.min(size, payloadAt + (last + 1) * SEALED_CHUNK) - from);
    const parts: Buffer[] = [];
    for (let n = first; n <= last; n += 1) {
      const at = (n - first) * SEALED_CHUNK;
      try {
        parts.push(openChunk(key, n, n === chunks - 1, sealed.subarray(at, at + SEALED_CHUNK)));
      } catch (error) {
        throw new IntegrityError(`Pack ${pack.slice(0, 12)} on target "${this.target.name}" is damaged: ${(error as Error).message} (payload chunk ${n}).`, { hint: 'Restore from another target (--target NAME), and run `restorable verify`.' });
      }
    }
    return { start: first * CHUNK, bytes: Buffer.concat(parts) };
  }

  async tree(id: string): Promise<Tree> {
    return parseTree(await this.blob(id), id);
  }
}

/** What builds, walks and exports read: blobs and trees by id, each proven. */
export interface BlobSource {
  blob(id: string): Promise<Buffer>;
  tree(id: string): Promise<Tree>;
  /** Where a blob lies (pack, offset and stored length), when known: builds read the packs in order, each once. */
  where?(id: string): { pack: string; offset: number; length: number } | undefined;
  /** What a build will read next, per pack: a source may read small parts of packs by range (RepoReader.willRead). */
  willRead?(needs: ReadonlyMap<string, readonly Span[]>): void;
}

/** Tells `reader` which blobs a build reads next (those it can place), so it can choose whole packs or ranges. */
export function announce(reader: BlobSource, ids: Iterable<string>): void {
  if (!reader.willRead || !reader.where) return;
  const needs = new Map<string, Span[]>();
  for (const id of ids) {
    const at = reader.where(id);
    if (!at) continue;
    let spans = needs.get(at.pack);
    if (!spans) needs.set(at.pack, (spans = []));
    spans.push({ start: at.offset, end: at.offset + at.length });
  }
  reader.willRead(needs);
}

/**
 * Reads from one target's repository, and a blob that is damaged or missing
 * there from the next target that holds it intact (each opened only when
 * needed), saying so: one bad pack on one target does not fail a restore
 * that another copy can serve.
 */
export class FallbackReader implements BlobSource {
  private opened: RepoReader[] | undefined;
  private readonly warned = new Set<string>();
  constructor(
    private readonly primary: RepoReader,
    private readonly others: () => Promise<RepoReader[]>,
    private readonly warn: (message: string) => void,
  ) {}

  async blob(id: string): Promise<Buffer> {
    try {
      return await this.primary.blob(id);
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      this.opened ??= await this.others();
      for (const reader of this.opened) {
        const bytes = await reader.blob(id).catch(() => undefined);
        if (!bytes) continue;
        if (!this.warned.has(error.message)) {
          this.warned.add(error.message);
          this.warn(`${error.message} Read what it held from target "${reader.target.name}" instead; run \`restorable verify\`.`);
        }
        return bytes;
      }
      throw error;
    }
  }

  async tree(id: string): Promise<Tree> {
    return parseTree(await this.blob(id), id);
  }

  where(id: string): { pack: string; offset: number; length: number } | undefined {
    return this.primary.where(id);
  }

  willRead(needs: ReadonlyMap<string, readonly Span[]>): void {
    this.primary.willRead(needs);
  }
}

function parseTree(bytes: Buffer, id: string): Tree {
  {
    let parsed;
    try {
      parsed = tree.safeParse(JSON.parse(bytes.toString('utf8')));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) throw new IntegrityError(`Tree ${id.slice(0, 12)} is not a folder listing restorable reads.`);
    const names = parsed.data.nodes.map((n) => n.name);
    if (new Set(names).size !== names.length) throw new IntegrityError(`Tree ${id.slice(0, 12)} names one entry twice.`, { hint: 'The snapshot is unsafe to restore; nothing was written from it.' });
    return parsed.data;
  }
}

/** Parses a snapshot object's opened bytes. */
export function parseSnapshot(plain: Buffer, what: string): SnapshotObject {
  let parsed;
  try {
    parsed = snapshotObject.safeParse(JSON.parse(plain.toString('utf8')));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) throw new IntegrityError(`${what} is not a restorable snapshot.`, { hint: 'Use another backup (--backup ID).' });
  return parsed.data;
}
