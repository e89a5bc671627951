import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/** Records `rows` (folder -> name -> ids) as one run would, folder by folder, and saves. */
async function run(path: string, rows: Map<string, Map<string, string[]>>, stats = stat, keyId: string | null = null): Promise<void> {
  const cache = await FileCache.load(path, keyId);
  for (const [folder, files] of rows) {
    const open = await cache.folder(folder);
    let n = 0;
    for (const [name, ids] of files) open.record(name, stats(n++), ids);
    open.close();
  }
  await cache.save();
}

const ids = (n: number) => Array.from({ length: 1 + (n % 3) }, () => randomBytes(32).toString('hex'));

describe('FileCache', () => {
  it('answers what the last saved run recorded, folder by folder, only while size, mtime, ctime and inode are unchanged', async () => {
    const path = place();
    const rows = new Map<string, Map<string, string[]>>();
    // The root, small folders, and one of 10,000 files (written in several blocks).
    rows.set('', new Map([['top.txt', ids(0)]]));
    for (let f = 0; f < 7; f += 1) rows.set(`upload/user${f}`, new Map(Array.from({ length: 30 }, (_, n) => [`IMG_${n}.jpg`, ids(n)])));
    rows.set('thumbs', new Map(Array.from({ length: 10_000 }, (_, n) => [`t${n}.webp`, ids(n)])));
    await run(path, rows);

    const second = await FileCache.load(path, null);
    for (const [folder, files] of rows) {
      const open = await second.folder(folder);
      let n = 0;
      for (const [name, want] of files) expect(open.lookup(name, stat(n++)), `${folder}/${name}`).toEqual(want);
      open.close();
    }
    const user0 = await second.folder('upload/user0');
    expect(user0.lookup('IMG_0.jpg', { ...stat(0), mtimeNs: stat(0).mtimeNs + 1n })).toBeUndefined();
    expect(user0.lookup('IMG_0.jpg', { ...stat(0), ctimeNs: stat(0).ctimeNs + 1n })).toBeUndefined();
    expect(user0.lookup('IMG_0.jpg', { ...stat(0), ino: 5n })).toBeUndefined();
    expect(user0.lookup('IMG_0.jpg', { ...stat(0), size: 1n })).toBeUndefined();
    expect(user0.lookup('IMG_new.jpg', stat(0))).toBeUndefined();
    // A file of another folder is not this folder's.
    expect(user0.lookup('top.txt', stat(0))).toBeUndefined();
    expect((await second.folder('upload')).lookup('user0', stat(0))).toBeUndefined();
  });

  it('a run that is not saved changes nothing, and its leftovers go at the next load', async () => {
    const path = place();
    await run(path, new Map([['', new Map([['a.jpg', ['00'.repeat(32)]]])]]), () => stat(1));
    const unsaved = await FileCache.load(path, null);
    const open = await unsaved.folder('');
    for (let n = 0; n < 5000; n += 1) open.record(`b${n}.jpg`, stat(n), ['11'.repeat(32)]);
    open.close();
    // A killed run's temporary file, as a dead process would leave it.
    writeFileSync(`${path}.tmp-999999`, 'partial');
    const next = await (await FileCache.load(path, null)).folder('');
    expect(next.lookup('a.jpg', stat(1))).toEqual(['00'.repeat(32)]);
    expect(next.lookup('b1.jpg', stat(1))).toBeUndefined();
    expect(readdirSync(join(path, '..')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('a cache made under another id key, of another format, or damaged, costs reading again and nothing else', async () => {
    const path = place();
    const one = new Map([['', new Map([['a.jpg', ['00'.repeat(32)]]])], ['sub', new Map([['b.jpg', ['22'.repeat(32)]]])]]);
    await run(path, one, () => stat(1), 'key-one');
    const lookup = async (keyId: string | null, folder = '', name = 'a.jpg') => (await (await FileCache.load(path, keyId)).folder(folder)).lookup(name, stat(1));
    expect(await lookup('key-two')).toBeUndefined();
    expect(await lookup('key-one')).toEqual(['00'.repeat(32)]);
    expect(await lookup('key-one', 'sub', 'b.jpg')).toEqual(['22'.repeat(32)]);

    // One damaged block (same length, so the others stay where the directory says): only its folder is read again.
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace('[["a.jpg"', '[[XXXXXXX'));
    expect(await lookup('key-one')).toBeUndefined();
    expect(await lookup('key-one', 'sub', 'b.jpg')).toEqual(['22'.repeat(32)]);
    // A row of the wrong shape is skipped, not trusted.
    expect(Number(stat(1).size)).toBe(100);
    writeFileSync(path, text.replace('["a.jpg",100,', '["a.jpg","1",'));
    expect(await lookup('key-one')).toBeUndefined();
    // A cut file, the last version's format, or no file at all: nothing is answered, nothing fails.
    writeFileSync(path, text.slice(0, text.length - 5));
    expect(await lookup('key-one', 'sub', 'b.jpg')).toBeUndefined();
    writeFileSync(path, '{"format":1,"key_id":"key-one"}\n["sub/b.jpg",100,"1","2","3",[]]\n');
    expect(await lookup('key-one', 'sub', 'b.jpg')).toBeUndefined();
    rmSync(path);
    expect(await lookup('key-one')).toBeUndefined();
    expect(existsSync(path)).toBe(false);
  });
});
