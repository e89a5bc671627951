/**
 * Reads blobs from one target's repository for restore, drill and deep
 * verify. Every index is checked against its name (sha256) before it is
 * believed, every pack likewise before any blob is taken from it, and every
 * blob against its id after decoding: a damaged object is an IntegrityError
 * before anything it holds is used.
 *
 * Packs are read whole into memory (about 16 MiB each); a few stay in a
 * small cache, because a snapshot's files mostly lie in the packs in the
 * order they were written.
 */
import type { DecryptionKeys, EncryptionSetting } from '../artifacts/encrypt.js';
import { IntegrityError, NotFoundError } from '../errors.js';
import type { Target } from '../targets/target.js';
import { unpackBlob, type IdKey } from './blob.js';
import { repoKeys, snapshotObject, tree, type SnapshotObject, type Tree } from './format.js';
import { objectKeys, objectRecord, openSecret, type RepoSecret } from './repo-secret.js';
import { open } from './seal.js';
import { BlobMap } from './blob-map.js';
import { listRepo, loadRepo, readAll, sha256, type Listing, type Opening } from './store.js';

/** Packs kept after reading (at most 16 MiB each): the files a restore writes at once are spread over a few packs, read again when they fall out (4 instead of 6 made a 500 MB restore 15% slower). */
const CACHED_PACKS = 6;

export class RepoReader {
  private readonly packs = new Map<string, Buffer>();
  private constructor(
    readonly target: Target,
    private readonly plan: string,
    private readonly blobs: BlobMap,
    private readonly present: Set<string>,
    private readonly opening: Opening,
    readonly idKey: IdKey | null,
    private readonly cachedPacks: number,
    /** Packs read so far, for reports. */
    readonly read: { packs: number; bytes: number } = { packs: 0, bytes: 0 },
  ) {}

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
    return new RepoReader(target, plan, blobs, present, opening, secret?.idKey ?? null, options.trees ? 2 : CACHED_PACKS);
  }

  /** Packs being read, so that files restored at once share one read of a pack. */
  private readonly loading = new Map<string, Promise<Buffer>>();

  private async pack(id: string): Promise<Buffer> {
    const hit = this.packs.get(id);
    if (hit) {
      this.packs.delete(id);
      this.packs.set(id, hit);
      return hit;
    }
    const pending = this.loading.get(id);
    if (pending) return pending;
    const loading = this.load(id).finally(() => this.loading.delete(id));
    this.loading.set(id, loading);
    return loading;
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
    this.packs.set(id, plain);
    while (this.packs.size > this.cachedPacks) this.packs.delete(this.packs.keys().next().value!);
    return plain;
  }

  private damaged(pack: string): IntegrityError {
    return new IntegrityError(`Pack ${pack.slice(0, 12)} on target "${this.target.name}" is damaged: its sha256 differs from its name.`, { hint: 'Restore from another target (--target NAME), and run `restorable verify`.' });
  }

  /** Where the blob lies on this target (pack id, offset in it), to read packs in order. */
  where(id: string): { pack: string; offset: number } | undefined {
    const found = this.blobs.locations(id).find((l) => this.present.has(l.pack));
    return found && { pack: found.pack, offset: found.entry.offset };
  }

  /** The blob's bytes, proven to be the blob `id` names. */
  async blob(id: string): Promise<Buffer> {
    const where = this.blobs.locations(id).find((l) => this.present.has(l.pack));
    if (!where) throw new IntegrityError(`Blob ${id.slice(0, 12)} is in no pack on target "${this.target.name}".`, { hint: 'Restore from another target (--target NAME), and run `restorable verify`.' });
    const plain = await this.pack(where.pack);
    const { offset, length, raw_length, compression } = where.entry;
    try {
      if (offset + length > plain.length) throw new IntegrityError(`Pack ${where.pack.slice(0, 12)} is shorter than its index says.`);
      return unpackBlob(plain.subarray(offset, offset + length), compression, raw_length, id, this.idKey);
    } catch (error) {
      if (!this.opening.record && sha256(plain) !== where.pack) throw this.damaged(where.pack);
      throw error;
    }
  }

  async tree(id: string): Promise<Tree> {
    return parseTree(await this.blob(id), id);
  }
}

/** What builds, walks and exports read: blobs and trees by id, each proven. */
export interface BlobSource {
  blob(id: string): Promise<Buffer>;
  tree(id: string): Promise<Tree>;
  /** Where a blob lies (pack, offset), when known: builds read the packs in order, each once. */
  where?(id: string): { pack: string; offset: number } | undefined;
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

  where(id: string): { pack: string; offset: number } | undefined {
    return this.primary.where(id);
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
