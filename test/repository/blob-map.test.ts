import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BlobMap, IdSet } from '../../src/repository/blob-map.js';
import type { BlobEntry } from '../../src/repository/format.js';

const entry = (id: string, n: number): BlobEntry => ({ id, type: n % 3 === 0 ? 'tree' : 'data', offset: n * 7, length: n + 1, raw_length: n * 2 + 1, compression: n % 2 === 0 ? 'zstd' : 'none' });

describe('BlobMap', () => {
  it('finds each of 100k blobs where it was added, with every field, through many table growths', () => {
    const map = new BlobMap();
    const ids = Array.from({ length: 100_000 }, () => randomBytes(32).toString('hex'));
    ids.forEach((id, n) => map.add(`pack${n % 97}`, entry(id, n)));
    expect(map.size).toBe(ids.length);
    ids.forEach((id, n) => {
      if (n % 997 !== 0) return;
      expect(map.locations(id)).toEqual([{ pack: `pack${n % 97}`, entry: entry(id, n) }]);
    });
    expect(map.locations(randomBytes(32).toString('hex'))).toEqual([]);
  });

  it('keeps a blob stored in several packs once per pack, and answers which of a set of packs hold it', () => {
    const map = new BlobMap();
    const id = randomBytes(32).toString('hex');
    map.add('a', entry(id, 1));
    map.add('b', entry(id, 2));
    map.add('a', entry(id, 3)); // the same pack again: ignored
    map.add('c', entry(id, 4));
    expect(map.size).toBe(1);
    expect(map.locations(id).map((l) => [l.pack, l.entry.offset]).sort()).toEqual([['a', 7], ['b', 14], ['c', 28]]);
    expect(map.inAnyOf(id, new Set(['x', 'b']))).toBe(true);
    expect(map.inAnyOf(id, new Set(['x', 'y']))).toBe(false);
    expect(map.inAnyOf(randomBytes(32).toString('hex'), new Set(['a']))).toBe(false);
  });

  it('tells apart ids that share their first bytes (the table is addressed by them)', () => {
    const map = new BlobMap();
    const prefix = 'ab'.repeat(8);
    const ids = Array.from({ length: 2000 }, (_, n) => prefix + n.toString(16).padStart(48, '0'));
    ids.forEach((id, n) => map.add('p', entry(id, n)));
    expect(map.size).toBe(2000);
    ids.forEach((id, n) => expect(map.locations(id)[0]!.entry.offset).toBe(n * 7));
  });
});

describe('IdSet', () => {
  it('holds 100k ids, says which were new, and nothing else', () => {
    const set = new IdSet();
    const ids = Array.from({ length: 100_000 }, () => randomBytes(32).toString('hex'));
    for (const id of ids) expect(set.add(id)).toBe(true);
    expect(set.add(ids[12_345]!)).toBe(false);
    expect(set.size).toBe(ids.length);
    expect(ids.every((id) => set.has(id))).toBe(true);
    expect(set.has(randomBytes(32).toString('hex'))).toBe(false);
  });
});
