/**
 * Writes new blobs into packs on every target that lacks them. One run:
 *   open()   lists each target's repository, reads its indexes (cache first),
 *            makes sure its config and key are there;
 *   add()    queues a blob for the targets that lack it (most runs: none);
 *   finish() flushes the last packs, then writes each target's index of
 *            the packs it got since its last one (a run writes one every
 *            INDEX_BLOBS blobs, and one at the end).
 * Order on every target: packs, each re-read and verified; then the index
 * that names them; the snapshot and the manifest come after (the backup's
 * steps). A run killed at any point leaves at worst packs no index names
 * (written again next time, cleared by prune) or an index no snapshot uses:
 * never a snapshot that refers to a missing blob.
 */
import { RestorableError, RunError, reason } from '../errors.js';
import type { DecryptionKeys, EncryptionSetting } from '../artifacts/encrypt.js';
import type { Reporter } from '../report/reporter.js';
import type { Target } from '../targets/target.js';
import { packBlob, type BlobType, type IdKey } from './blob.js';
import type { Cache } from './cache.js';
import { gearTable, type Gear } from './chunker.js';
import { PACK_MAGIC, REPO_FORMAT, repoKeys, type BlobEntry, type IndexObject, type IndexedPack } from './format.js';
import { chooseSecret, objectKeys, objectRecord, objectSealing, storeSecret, type RepoSecret } from './repo-secret.js';
import { seal } from './seal.js';
import { Bounded } from '../util/bounded.js';
import { faultStep } from '../util/fault.js';
import { BlobMap } from './blob-map.js';
import { digestOf, listRepo, loadRepo, newConfig, putVerified, readConfig, sha256, type Listing } from './store.js';

/** About 16 MiB per pack: few objects on S3 for a million thumbnails, little memory per pack in flight. */
export const PACK_SIZE = 16 * 1024 * 1024;
/**
 * Blobs per pack at most: a pack of 16 MiB of 100-byte files held 160,000
 * entry objects and a 24 MB header, per pack in memory at once.
 */
const PACK_BLOBS = 16_384;
/** Packs being stored while the next is filled: one keeps the disk or the network busy while chunking goes on. */
const PACKS_IN_FLIGHT = 1;

export interface WriterOptions {
  plan: string;
  targets: Target[];
  encryption: EncryptionSetting | undefined;
  /** Keys this run holds (a passphrase plan's passphrase); recipients-mode backups hold none. */
  keys: DecryptionKeys | null;
  cache: Cache;
  reporter: Reporter;
  /** A target that fails drops out of the run; the others go on. */
  drop(target: Target, error: unknown): void;
  alive(): Target[];
}

interface TargetState {
  target: Target;
  present: Set<string>;
  /** Packs stored on the target and not yet named by an index of this run, and how many blobs they hold. */
  added: IndexedPack[];
  addedBlobs: number;
}

/**
 * Blobs named per index (about; an index ends after the pack that reaches
 * this). A first backup of a million thumbnails in one index was a 200 MB
 * JSON text and a million entry objects held to the end of the run, and
 * every reader parses an index whole: this keeps one to a few MB.
 */
export const INDEX_BLOBS = 20_000;

/** Room for a full pack plus the largest chunk: pages never written are never resident. */
const SLAB = PACK_SIZE + 9 * 1024 * 1024;

/**
 * Slabs of stored packs, kept for the next pack: a fresh 25 MiB buffer per
 * pack is one that malloc, after the first few, serves from its heap and
 * never gives back (RSS grew by a slab every few packs).
 */
const spareSlabs: Buffer[] = [];
const SPARE_SLABS = 2;

class PackBuilder {
  private slab = spareSlabs.pop() ?? Buffer.allocUnsafeSlow(SLAB);
  entries: BlobEntry[] = [];
  size = 0;
  constructor(readonly holders: TargetState[]) {}

  /**
   * Copies a stored blob in and returns its offset. One copy into one buffer
   * (memcpy, a few ms per pack) frees the reader's buffer at once: holding
   * views of 16 MiB read windows until their pack was stored kept several of
   * them alive per pack (361 MiB peak on a photo library).
   */
  append(bytes: Buffer): number {
    if (this.size + bytes.length > this.slab.length) {
      const wider = Buffer.allocUnsafeSlow(this.size + bytes.length + SLAB);
      this.slab.copy(wider, 0, 0, this.size);
      this.slab = wider;
    }
    const at = this.size;
    bytes.copy(this.slab, at);
    this.size += bytes.length;
    return at;
  }

  get bytes(): Buffer {
    return this.slab.subarray(0, this.size);
  }

  /** After the pack is stored everywhere: its slab serves the next pack. */
  release(): void {
    if (this.slab.length === SLAB && spareSlabs.length < SPARE_SLABS) spareSlabs.push(this.slab);
    this.slab = Buffer.alloc(0);
  }
}

export interface WriteStats {
  blobs_new: number;
  bytes_new: number;
  packs: number;
  stored_bytes: number;
}

export class RepoWriter {
  readonly blobs = new BlobMap();
  readonly stats: WriteStats = { blobs_new: 0, bytes_new: 0, packs: 0, stored_bytes: 0 };
  private readonly states = new Map<string, TargetState>();
  private readonly builders = new Map<string, PackBuilder>();
  /** Blobs queued in this run's packs, and for which targets. */
  private readonly queued = new Map<string, Set<string>>();
  private constructor(
    private readonly options: WriterOptions,
    readonly secret: RepoSecret | null,
    readonly gear: Gear,
  ) {}

  get idKey(): IdKey | null {
    return this.secret?.idKey ?? null;
  }

  static async open(options: WriterOptions): Promise<RepoWriter> {
    const { plan, encryption, cache } = options;
    await cache.ensure();
    const listings = new Map<string, Listing>();
    for (const target of options.alive()) {
      try {
        const listing = await listRepo(target, plan);
        if (listing.config) await readConfig(target, plan);
        else await putVerified(target, repoKeys.config(plan), Buffer.from(`${JSON.stringify(newConfig(encryption !== undefined), null, 2)}\n`));
        listings.set(target.name, listing);
      } catch (error) {
        options.drop(target, error);
      }
    }
    let secret: RepoSecret | null = null;
    if (encryption) {
      const held = new Map([...listings].map(([name, l]) => [name, l.keys]));
      secret = await chooseSecret(cache, held, options.alive(), plan, encryption, options.keys);
      for (const target of options.alive()) {
        if (listings.get(target.name)?.keys.includes(secret.idKey.id)) continue;
        await storeSecret(target, plan, secret, encryption).catch((error: unknown) => options.drop(target, error));
      }
    }
    const writer = new RepoWriter(options, secret, gearTable(secret?.idKey.key ?? null));
    const opening = { record: encryption ? objectRecord(secret, encryption) : null, keys: secret ? objectKeys(secret, options.keys) : null };
    for (const target of options.alive()) {
      try {
        const present = await loadRepo(target, plan, listings.get(target.name)!, cache, opening, secret?.idKey.id ?? null, writer.blobs, { onSkip: (m) => options.reporter.warn(m) });
        writer.states.set(target.name, { target, present, added: [], addedBlobs: 0 });
      } catch (error) {
        options.drop(target, error);
      }
    }
    return writer;
  }

  /**
   * Treats these packs as absent on every target, so that add() writes their
   * blobs again (prune's repacking of mostly unused packs).
   */
  forget(packs: ReadonlySet<string>): void {
    for (const state of this.states.values()) for (const id of packs) state.present.delete(id);
  }

  private holders(): TargetState[] {
    return this.options.alive().flatMap((t) => this.states.get(t.name) ?? []);
  }

  private holds(state: TargetState, id: string): boolean {
    return this.queued.get(id)?.has(state.target.name) === true || this.blobs.inAnyOf(id, state.present);
  }

  /** Whether every target still in the run holds (or has queued) every one of `ids`. */
  heldEverywhere(ids: readonly string[]): boolean {
    const holders = this.holders();
    return ids.every((id) => holders.every((s) => this.holds(s, id)));
  }

  /**
   * Queues a blob for the targets that lack it. `raw` is copied (compressed
   * or not) before this returns: the caller may reuse its buffer. Waits only when a full pack must be sealed while PACKS_IN_FLIGHT others
   * are still being stored.
   */
  async add(type: BlobType, id: string, raw: Buffer): Promise<void> {
    // While a full pack waits for its turn, no other caller starts a new one: with files read faster
    // than packs are stored, each waiting caller had begun its own pack (12 slabs, 300 MiB).
    while (this.sealing) await this.sealing;
    this.storing.check();
    const lacking = this.holders().filter((s) => !this.holds(s, id));
    if (lacking.length === 0) return;
    const { bytes: stored, compression } = packBlob(raw);
    const key = `${type}:${lacking.map((s) => s.target.name).join(',')}`;
    let builder = this.builders.get(key);
    if (!builder) this.builders.set(key, (builder = new PackBuilder(lacking)));
    builder.entries.push({ id, type, offset: builder.append(stored), length: stored.length, raw_length: raw.length, compression });
    const mark = this.queued.get(id) ?? new Set<string>();
    for (const s of lacking) mark.add(s.target.name);
    this.queued.set(id, mark);
    this.stats.blobs_new += 1;
    this.stats.bytes_new += raw.length;
    if (builder.size >= PACK_SIZE || builder.entries.length >= PACK_BLOBS) await this.startFlush(key, builder);
  }

  /** Packs being stored in the background; a sealing failure is thrown by the next add or finish (a target's failure only drops that target). */
  private readonly storing = new Bounded(PACKS_IN_FLIGHT);

  /**
   * Starts storing a full pack once fewer than PACKS_IN_FLIGHT are being
   * stored: reading and chunking the next pack overlaps the writes, fsyncs
   * and read-backs of the last one, with bounded memory.
   */
  private async startFlush(key: string, builder: PackBuilder): Promise<void> {
    this.builders.delete(key);
    const started = this.storing.start(() => this.flush(builder));
    const sealing = started.then(
      () => undefined,
      () => undefined,
    );
    this.sealing = sealing;
    try {
      await started;
    } finally {
      if (this.sealing === sealing) this.sealing = undefined;
    }
  }

  /** Set while a full pack waits for a slot among those being stored (see add). */
  private sealing: Promise<void> | undefined;

  /** Seals the builder's blobs into one pack and stores it on its targets. */
  private async flush(builder: PackBuilder): Promise<void> {
    const { entries, holders } = builder;
    const header = Buffer.from(JSON.stringify({ format: REPO_FORMAT, key_id: this.idKey?.id ?? null, blobs: entries }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    // The header follows the blobs in the slab: the pack is one buffer, with no 16 MiB copy to join it.
    for (const part of [header, length, PACK_MAGIC]) builder.append(part);
    const plain = builder.bytes;
    const sealed = this.options.encryption ? await seal(plain, objectSealing(this.secret!, this.options.encryption)) : plain;
    // Named once: putVerified is given this digest rather than hashing the pack again.
    const digest = digestOf([sealed]);
    const { sha256: id, length: size } = digest;
    this.stats.packs += 1;
    this.stats.stored_bytes += size;
    await Promise.all(
      holders.map(async (state) => {
        if (!this.options.alive().includes(state.target)) return;
        try {
          await putVerified(state.target, repoKeys.pack(this.options.plan, id), sealed, digest);
          state.present.add(id);
          state.added.push({ id, size, key_id: this.idKey?.id ?? null, blobs: entries });
          state.addedBlobs += entries.length;
        } catch (error) {
          // Two packs in flight to a target that went away both fail: it drops out once.
          if (this.options.alive().includes(state.target)) this.options.drop(state.target, error);
        }
      }),
    );
    builder.release();
    for (const entry of entries) {
      this.blobs.add(id, entry);
      // Now found through the blob map and each target's present packs: a first run of a million blobs must not keep a million marks.
      this.queued.delete(entry.id);
    }
    for (const state of holders) if (state.addedBlobs >= INDEX_BLOBS && this.options.alive().includes(state.target)) await this.writeIndex(state);
  }

  /** Writes one index naming the packs `state`'s target got since its last index (each already stored and verified). */
  private async writeIndex(state: TargetState): Promise<void> {
    faultStep('index');
    const index: IndexObject = { format: REPO_FORMAT, kind: 'restorable-index', packs: state.added };
    const plain = Buffer.from(JSON.stringify(index));
    const sealed = this.options.encryption ? await seal(plain, objectSealing(this.secret!, this.options.encryption)) : plain;
    const id = sha256(sealed);
    try {
      await putVerified(state.target, repoKeys.index(this.options.plan, id), sealed);
      await this.options.cache.saveIndex(id, plain);
      state.added = [];
      state.addedBlobs = 0;
    } catch (error) {
      this.options.drop(state.target, error);
    }
  }

  /** Flushes every pack, then writes each target's index of the packs it got in this run. */
  async finish(): Promise<void> {
    for (const [key, builder] of [...this.builders]) if (builder.entries.length > 0) await this.startFlush(key, builder);
    await this.storing.drain();
    for (const state of this.holders()) if (state.added.length > 0) await this.writeIndex(state);
    await this.takeBackFromDropped();
    if (this.holders().length === 0) throw new RunError('No target took the repository\'s new packs.', { hint: 'See the messages above for each target.' });
  }

  /**
   * A target that dropped out gets no index for the packs this run put there
   * before it failed (a full disk takes some packs, then refuses one): they
   * are removed now, best effort, rather than left for a prune an hour on.
   * No snapshot can use them: only this run's index would have named them.
   */
  private async takeBackFromDropped(): Promise<void> {
    const alive = this.options.alive();
    for (const state of this.states.values()) {
      if (alive.includes(state.target) || state.added.length === 0) continue;
      await state.target.remove(state.added.map((p) => repoKeys.pack(this.options.plan, p.id))).catch(() => undefined);
      state.added = [];
    }
  }
}

export function describeFailure(error: unknown): string {
  return error instanceof RestorableError ? error.message : reason(error);
}
