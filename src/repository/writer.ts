/**
 * Writes new blobs into packs on every target that lacks them. One run:
 *   open()   lists each target's repository, reads its indexes (cache first),
 *            makes sure its config and key are there;
 *   add()    queues a blob for the targets that lack it (most runs: none);
 *   finish() flushes the last packs, then writes one index per target
 *            naming the packs this run put there.
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
import { BlobMap, digestOf, listRepo, loadRepo, newConfig, putVerified, readConfig, sha256, type Listing } from './store.js';

/** About 16 MiB per pack: few objects on S3 for a million thumbnails, little memory per pack in flight. */
export const PACK_SIZE = 16 * 1024 * 1024;
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
  added: IndexedPack[];
}

class PackBuilder {
  parts: Buffer[] = [];
  entries: BlobEntry[] = [];
  size = 0;
  constructor(readonly holders: TargetState[]) {}
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
        const present = await loadRepo(target, plan, listings.get(target.name)!, cache, opening, secret?.idKey.id ?? null, writer.blobs, (m) => options.reporter.warn(m));
        writer.states.set(target.name, { target, present, added: [] });
      } catch (error) {
        options.drop(target, error);
      }
    }
    return writer;
  }

  private holders(): TargetState[] {
    return this.options.alive().flatMap((t) => this.states.get(t.name) ?? []);
  }

  private holds(state: TargetState, id: string): boolean {
    return this.queued.get(id)?.has(state.target.name) === true || this.blobs.locations(id).some((l) => state.present.has(l.pack));
  }

  /** Whether every target still in the run holds (or has queued) every one of `ids`. */
  heldEverywhere(ids: readonly string[]): boolean {
    const holders = this.holders();
    return ids.every((id) => holders.every((s) => this.holds(s, id)));
  }

  /**
   * Queues a blob for the targets that lack it. `raw` is kept as given until
   * its pack is stored: the caller must not change those bytes afterwards.
   * Waits only when a full pack must be sealed while PACKS_IN_FLIGHT others
   * are still being stored.
   */
  async add(type: BlobType, id: string, raw: Buffer): Promise<void> {
    this.storing.check();
    const lacking = this.holders().filter((s) => !this.holds(s, id));
    if (lacking.length === 0) return;
    const { bytes: stored, compression } = packBlob(raw);
    const key = `${type}:${lacking.map((s) => s.target.name).join(',')}`;
    let builder = this.builders.get(key);
    if (!builder) this.builders.set(key, (builder = new PackBuilder(lacking)));
    builder.entries.push({ id, type, offset: builder.size, length: stored.length, raw_length: raw.length, compression });
    builder.parts.push(stored);
    builder.size += stored.length;
    const mark = this.queued.get(id) ?? new Set<string>();
    for (const s of lacking) mark.add(s.target.name);
    this.queued.set(id, mark);
    this.stats.blobs_new += 1;
    this.stats.bytes_new += raw.length;
    if (builder.size >= PACK_SIZE) await this.startFlush(key, builder);
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
    await this.storing.start(() => this.flush(builder));
  }

  /** Seals the builder's blobs into one pack and stores it on its targets. */
  private async flush(builder: PackBuilder): Promise<void> {
    const { parts, entries, holders } = builder;
    const header = Buffer.from(JSON.stringify({ format: REPO_FORMAT, key_id: this.idKey?.id ?? null, blobs: entries }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    const plain = [...parts, header, length, PACK_MAGIC];
    // Unencrypted packs go out as their parts: no 16 MiB copy to join them.
    const sealed = this.options.encryption ? [await seal(Buffer.concat(plain), objectSealing(this.secret!, this.options.encryption))] : plain;
    const { sha256: id, length: size } = digestOf(sealed);
    this.stats.packs += 1;
    this.stats.stored_bytes += size;
    await Promise.all(
      holders.map(async (state) => {
        if (!this.options.alive().includes(state.target)) return;
        try {
          await putVerified(state.target, repoKeys.pack(this.options.plan, id), sealed);
          state.present.add(id);
          state.added.push({ id, size, key_id: this.idKey?.id ?? null, blobs: entries });
        } catch (error) {
          // Two packs in flight to a target that went away both fail: it drops out once.
          if (this.options.alive().includes(state.target)) this.options.drop(state.target, error);
        }
      }),
    );
    for (const entry of entries) this.blobs.add(id, entry);
  }

  /** Flushes every pack, then writes each target's index of the packs it got in this run. */
  async finish(): Promise<void> {
    for (const [key, builder] of [...this.builders]) if (builder.entries.length > 0) await this.startFlush(key, builder);
    await this.storing.drain();
    for (const state of this.holders()) {
      if (state.added.length === 0) continue;
      const index: IndexObject = { format: REPO_FORMAT, kind: 'restorable-index', packs: state.added };
      const plain = Buffer.from(JSON.stringify(index));
      const sealed = this.options.encryption ? await seal(plain, objectSealing(this.secret!, this.options.encryption)) : plain;
      const id = sha256(sealed);
      try {
        await putVerified(state.target, repoKeys.index(this.options.plan, id), sealed);
        await this.options.cache.saveIndex(id, plain);
        state.added = [];
      } catch (error) {
        this.options.drop(state.target, error);
      }
    }
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
