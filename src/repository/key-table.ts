/**
 * Fixed-width binary keys (blob ids, path hashes) in one growing buffer,
 * found through an open-addressing table with linear probing. The keys are
 * SHA-256, HMAC or SHA-1 outputs: their first four bytes are already a
 * uniform hash. Each key gets a number, 0, 1, 2... in the order added, that
 * callers use to index their own typed arrays. The blob map, prune's set of
 * blobs in use and the file cache are built on it: a million entries as JS
 * objects and strings were hundreds of MB.
 */
export class KeyTable {
  private count = 0;
  private keys = Buffer.alloc(0);
  /** Key number + 1; 0 is an empty slot. */
  private table = new Int32Array(1024);

  constructor(private readonly width: number) {}

  get size(): number {
    return this.count;
  }

  /** The number of `key` (its first `width` bytes), or -1. */
  find(key: Buffer): number {
    if (this.count === 0) return -1;
    return this.table[this.slotOf(key)]! - 1;
  }

  /** The number of `key`, added if it was not there. */
  add(key: Buffer): number {
    const slot = this.slotOf(key);
    const held = this.table[slot]! - 1;
    if (held >= 0) return held;
    if ((this.count + 1) * this.width > this.keys.length) {
      const wider = Buffer.allocUnsafeSlow(Math.max(1024, this.count * 2) * this.width);
      this.keys.copy(wider, 0, 0, this.count * this.width);
      this.keys = wider;
    }
    key.copy(this.keys, this.count * this.width, 0, this.width);
    const n = this.count++;
    this.table[slot] = n + 1;
    if (this.count * 2 > this.table.length) this.rehash();
    return n;
  }

  /** Key `n` as lowercase hex. */
  hex(n: number): string {
    return this.keys.toString('hex', n * this.width, (n + 1) * this.width);
  }

  private slotOf(key: Buffer): number {
    const mask = this.table.length - 1;
    for (let slot = key.readUInt32LE(0) & mask; ; slot = (slot + 1) & mask) {
      const held = this.table[slot]! - 1;
      if (held < 0 || this.keys.compare(key, 0, this.width, held * this.width, (held + 1) * this.width) === 0) return slot;
    }
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2);
    const mask = this.table.length - 1;
    for (let n = 0; n < this.count; n += 1) {
      let slot = this.keys.readUInt32LE(n * this.width) & mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & mask;
      this.table[slot] = n + 1;
    }
  }
}

/** A copy of `old` with room for `capacity` entries. */
export function widen<T extends Uint32Array | Int32Array | Uint8Array | Float64Array | BigUint64Array>(old: T, capacity: number): T {
  const wider = new (old.constructor as new (n: number) => T)(capacity);
  wider.set(old as never);
  return wider;
}
