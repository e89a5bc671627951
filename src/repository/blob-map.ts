/**
 * Blob id -> where it is stored, for every blob of every index a run reads.
 * A repository of a million thumbnails holds a million blobs: as a Map of
 * objects that was about 250 bytes a blob (the id string, an entry object, a
 * location object, the map's own slot). Here ids are 32 bytes in one buffer
 * and the rest sits in typed arrays, with an open-addressing table over the
 * ids (they are SHA-256 or HMAC outputs: their first bytes are already a
 * uniform hash). About 60 bytes a blob.
 *
 * A blob may sit in several packs (written again for a target that lacked
 * it): those entries are chained.
 */
import type { BlobEntry } from './format.js';

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
  private count = 0;
  private distinct = 0;
  private ids = Buffer.alloc(0);
  private pack = new Uint32Array(0);
  private offset = new Uint32Array(0);
  private length = new Uint32Array(0);
  private raw = new Uint32Array(0);
  private flags = new Uint8Array(0);
  /** The next entry with the same id (another pack), or NONE. */
  private next = new Int32Array(0);
  /** Entry number + 1 of the first entry of each id; 0 is an empty slot. */
  private table = new Int32Array(1024);
  private readonly probe = Buffer.alloc(ID_BYTES);

  /** Distinct blob ids held. */
  get size(): number {
    return this.distinct;
  }

  add(pack: string, entry: BlobEntry): void {
    this.probe.write(entry.id, 'hex');
    const slot = this.slotOf(this.probe);
    const first = this.table[slot]! - 1;
    let packNumber = this.packNumbers.get(pack);
    if (packNumber === undefined) {
      packNumber = this.packs.push(pack) - 1;
      this.packNumbers.set(pack, packNumber);
    }
    for (let at = first; at !== NONE; at = this.next[at]!) if (this.pack[at] === packNumber) return;
    const n = this.append(packNumber, entry);
    if (first === NONE) {
      this.table[slot] = n + 1;
      this.distinct += 1;
      if (this.distinct * 2 > this.table.length) this.rehash();
    } else {
      this.next[n] = this.next[first]!;
      this.next[first] = n;
    }
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
    if (this.count === 0) return NONE;
    this.probe.write(id, 'hex');
    return this.table[this.slotOf(this.probe)]! - 1;
  }

  private entryAt(id: string, at: number): BlobEntry {
    const flags = this.flags[at]!;
    return { id, type: flags & TREE ? 'tree' : 'data', offset: this.offset[at]!, length: this.length[at]!, raw_length: this.raw[at]!, compression: flags & ZSTD ? 'zstd' : 'none' };
  }

  /** The slot holding `id`, or the empty slot where it would go (linear probing). */
  private slotOf(id: Buffer): number {
    const mask = this.table.length - 1;
    for (let slot = id.readUInt32LE(0) & mask; ; slot = (slot + 1) & mask) {
      const held = this.table[slot]! - 1;
      if (held === NONE || this.ids.compare(id, 0, ID_BYTES, held * ID_BYTES, (held + 1) * ID_BYTES) === 0) return slot;
    }
  }

  private append(packNumber: number, entry: BlobEntry): number {
    if (this.count === this.pack.length) this.grow(Math.max(1024, this.count * 2));
    const n = this.count++;
    this.probe.copy(this.ids, n * ID_BYTES);
    this.pack[n] = packNumber;
    this.offset[n] = entry.offset;
    this.length[n] = entry.length;
    this.raw[n] = entry.raw_length;
    this.flags[n] = (entry.type === 'tree' ? TREE : 0) | (entry.compression === 'zstd' ? ZSTD : 0);
    this.next[n] = NONE;
    return n;
  }

  private grow(capacity: number): void {
    const ids = Buffer.allocUnsafeSlow(capacity * ID_BYTES);
    this.ids.copy(ids);
    this.ids = ids;
    const widen = <T extends Uint32Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const wider = make(capacity);
      wider.set(old);
      return wider;
    };
    this.pack = widen(this.pack, (n) => new Uint32Array(n));
    this.offset = widen(this.offset, (n) => new Uint32Array(n));
    this.length = widen(this.length, (n) => new Uint32Array(n));
    this.raw = widen(this.raw, (n) => new Uint32Array(n));
    this.flags = widen(this.flags, (n) => new Uint8Array(n));
    this.next = widen(this.next, (n) => new Int32Array(n));
  }

  /** Doubles the table; only the first entry of each id is in it (the others hang off it). */
  private rehash(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    const mask = this.table.length - 1;
    for (const held of old) {
      if (held === 0) continue;
      let slot = this.ids.readUInt32LE((held - 1) * ID_BYTES) & mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & mask;
      this.table[slot] = held;
    }
  }
}

/**
 * A set of blob ids at 32 bytes each plus its table (a prune of a million
 * blobs marks every one in use: as a Set of strings that was ~100 MB).
 */
export class IdSet {
  private count = 0;
  private ids = Buffer.alloc(0);
  private table = new Int32Array(1024);
  private readonly probe = Buffer.alloc(ID_BYTES);

  get size(): number {
    return this.count;
  }

  /** Adds `id`; false when it was there already. */
  add(id: string): boolean {
    this.probe.write(id, 'hex');
    const slot = this.slotOf();
    if (this.table[slot] !== 0) return false;
    if (this.count * ID_BYTES === this.ids.length) {
      const wider = Buffer.allocUnsafeSlow(Math.max(1024, this.count * 2) * ID_BYTES);
      this.ids.copy(wider);
      this.ids = wider;
    }
    this.probe.copy(this.ids, this.count * ID_BYTES);
    this.table[slot] = ++this.count;
    if (this.count * 2 > this.table.length) this.rehash();
    return true;
  }

  has(id: string): boolean {
    this.probe.write(id, 'hex');
    return this.table[this.slotOf()] !== 0;
  }

  private slotOf(): number {
    const mask = this.table.length - 1;
    for (let slot = this.probe.readUInt32LE(0) & mask; ; slot = (slot + 1) & mask) {
      const held = this.table[slot]! - 1;
      if (held === NONE || this.ids.compare(this.probe, 0, ID_BYTES, held * ID_BYTES, (held + 1) * ID_BYTES) === 0) return slot;
    }
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2);
    const mask = this.table.length - 1;
    for (let n = 0; n < this.count; n += 1) {
      let slot = this.ids.readUInt32LE(n * ID_BYTES) & mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & mask;
      this.table[slot] = n + 1;
    }
  }
}
