/**
 * Blob id -> where it is stored, for every blob of every index a run reads.
 * A repository of a million thumbnails holds a million blobs: as a Map of
 * objects that was about 250 bytes a blob (the id string, an entry object, a
 * location object, the map's own slot). Here ids are 32 bytes in a KeyTable
 * and the rest sits in typed arrays: about 60 bytes a blob.
 *
 * A blob may sit in several packs (written again for a target that lacked
 * it): those entries are chained from the id's first one.
 */
import type { BlobEntry } from './format.js';
import { KeyTable, widen } from './key-table.js';

export interface Location {
  pack: string;
  entry: BlobEntry;
}

const ID_BYTES = 32;
const NONE = -1;
const TREE = 1;
const ZSTD = 2;

export class BlobMap {
  private readonly packs: string[] = [];
  private readonly packNumbers = new Map<string, number>();
  private readonly ids = new KeyTable(ID_BYTES);
  /** Per id (by its KeyTable number): its first entry. */
  private first = new Int32Array(0);
  private count = 0;
  private pack = new Uint32Array(0);
  private offset = new Uint32Array(0);
  private length = new Uint32Array(0);
  private raw = new Uint32Array(0);
  private flags = new Uint8Array(0);
  /** The next entry of the same id (another pack), or NONE. */
  private next = new Int32Array(0);
  private readonly probe = Buffer.alloc(ID_BYTES);

  /** Distinct blob ids held. */
  get size(): number {
    return this.ids.size;
  }

  add(pack: string, entry: BlobEntry): void {
    this.probe.write(entry.id, 'hex');
    const known = this.ids.size;
    const id = this.ids.add(this.probe);
    let packNumber = this.packNumbers.get(pack);
    if (packNumber === undefined) {
      packNumber = this.packs.push(pack) - 1;
      this.packNumbers.set(pack, packNumber);
    }
    if (id === known) {
      if (id === this.first.length) this.first = widen(this.first, Math.max(1024, id * 2));
      this.first[id] = this.append(packNumber, entry);
      return;
    }
    const head = this.first[id]!;
    for (let at = head; at !== NONE; at = this.next[at]!) if (this.pack[at] === packNumber) return;
    const n = this.append(packNumber, entry);
    this.next[n] = this.next[head]!;
    this.next[head] = n;
  }

  locations(id: string): Location[] {
    const out: Location[] = [];
    for (let at = this.firstOf(id); at !== NONE; at = this.next[at]!) out.push({ pack: this.packs[this.pack[at]!]!, entry: this.entryAt(id, at) });
    return out;
  }

  /** Whether one of the packs holding `id` is in `packs` (no objects made: the writer asks this for every chunk). */
  inAnyOf(id: string, packs: ReadonlySet<string>): boolean {
    for (let at = this.firstOf(id); at !== NONE; at = this.next[at]!) if (packs.has(this.packs[this.pack[at]!]!)) return true;
    return false;
  }

  private firstOf(id: string): number {
    this.probe.write(id, 'hex');
    const n = this.ids.find(this.probe);
    return n < 0 ? NONE : this.first[n]!;
  }

  private entryAt(id: string, at: number): BlobEntry {
    const flags = this.flags[at]!;
    return { id, type: flags & TREE ? 'tree' : 'data', offset: this.offset[at]!, length: this.length[at]!, raw_length: this.raw[at]!, compression: flags & ZSTD ? 'zstd' : 'none' };
  }

  private append(packNumber: number, entry: BlobEntry): number {
    if (this.count === this.pack.length) {
      const capacity = Math.max(1024, this.count * 2);
      this.pack = widen(this.pack, capacity);
      this.offset = widen(this.offset, capacity);
      this.length = widen(this.length, capacity);
      this.raw = widen(this.raw, capacity);
      this.flags = widen(this.flags, capacity);
      this.next = widen(this.next, capacity);
    }
    const n = this.count++;
    this.pack[n] = packNumber;
    this.offset[n] = entry.offset;
    this.length[n] = entry.length;
    this.raw[n] = entry.raw_length;
    this.flags[n] = (entry.type === 'tree' ? TREE : 0) | (entry.compression === 'zstd' ? ZSTD : 0);
    this.next[n] = NONE;
    return n;
  }
}

/**
 * A set of blob ids at 32 bytes each plus its table (a prune of a million
 * blobs marks every one in use: as a Set of strings that was ~100 MB).
 */
export class IdSet {
  private readonly ids = new KeyTable(ID_BYTES);
  private readonly probe = Buffer.alloc(ID_BYTES);

  get size(): number {
    return this.ids.size;
  }

  /** Adds `id`; false when it was there already. */
  add(id: string): boolean {
    this.probe.write(id, 'hex');
    const known = this.ids.size;
    return this.ids.add(this.probe) === known;
  }

  has(id: string): boolean {
    this.probe.write(id, 'hex');
    return this.ids.find(this.probe) >= 0;
  }
}
