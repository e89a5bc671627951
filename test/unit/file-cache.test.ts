import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCache } from '../../src/repository/file-cache.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const place = () => {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-filecache-'));
  dirs.push(dir);
  return join(dir, 'uploads.ndjson');
};
const stat = (n: number) => ({ size: BigInt(n * 100), mtimeNs: 1_700_000_000_123_456_789n + BigInt(n), ctimeNs: 1_700_000_001_000_000_000n + BigInt(n), ino: 1_000_000n + BigInt(n) });

describe('FileCache', () => {
  it('answers what the last saved run recorded, only while size, mtime, ctime and inode are unchanged', async () => {
    const path = place();
    const first = await FileCache.load(path, null);
    const content = new Map<string, string[]>();
    for (let n = 0; n < 20_000; n += 1) {
      const ids = Array.from({ length: 1 + (n % 3) }, () => randomBytes(32).toString('hex'));
      content.set(`upload/user${n % 7}/IMG_${n}.jpg`, ids);
      first.record(`upload/user${n % 7}/IMG_${n}.jpg`, stat(n), ids);
    }
    await first.save();
    const second = await FileCache.load(path, null);
    for (let n = 0; n < 20_000; n += 101) expect(second.lookup(`upload/user${n % 7}/IMG_${n}.jpg`, stat(n))).toEqual(content.get(`upload/user${n % 7}/IMG_${n}.jpg`));
    expect(second.lookup('upload/user0/IMG_0.jpg', { ...stat(0), mtimeNs: stat(0).mtimeNs + 1n })).toBeUndefined();
    expect(second.lookup('upload/user0/IMG_0.jpg', { ...stat(0), ctimeNs: stat(0).ctimeNs + 1n })).toBeUndefined();
    expect(second.lookup('upload/user0/IMG_0.jpg', { ...stat(0), ino: 5n })).toBeUndefined();
    expect(second.lookup('upload/user0/IMG_0.jpg', { ...stat(0), size: 1n })).toBeUndefined();
    expect(second.lookup('upload/user0/IMG_new.jpg', stat(0))).toBeUndefined();
  });

  it('a run that is not saved changes nothing, and its leftovers go at the next load', async () => {
    const path = place();
    const first = await FileCache.load(path, null);
    first.record('a.jpg', stat(1), ['00'.repeat(32)]);
    await first.save();
    const unsaved = await FileCache.load(path, null);
    for (let n = 0; n < 5000; n += 1) unsaved.record(`b${n}.jpg`, stat(n), ['11'.repeat(32)]);
    // A killed run's temporary file, as a dead process would leave it.
    writeFileSync(`${path}.tmp-999999`, 'partial');
    const next = await FileCache.load(path, null);
    expect(next.lookup('a.jpg', stat(1))).toEqual(['00'.repeat(32)]);
    expect(next.lookup('b1.jpg', stat(1))).toBeUndefined();
    expect(readdirSync(join(path, '..')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('a cache made under another id key, or damaged, is an empty one', async () => {
    const path = place();
    const keyed = await FileCache.load(path, 'key-one');
    keyed.record('a.jpg', stat(1), ['00'.repeat(32)]);
    await keyed.save();
    expect((await FileCache.load(path, 'key-two')).lookup('a.jpg', stat(1))).toBeUndefined();
    expect((await FileCache.load(path, 'key-one')).lookup('a.jpg', stat(1))).toEqual(['00'.repeat(32)]);
    writeFileSync(path, '{"format":1,"key_id":null}\n["a.jpg", 100, "1", "2"');
    expect((await FileCache.load(path, null)).lookup('a.jpg', { size: 100n, mtimeNs: 1n, ctimeNs: 2n, ino: 0n })).toBeUndefined();
    expect(existsSync(path)).toBe(true);
  });
});
