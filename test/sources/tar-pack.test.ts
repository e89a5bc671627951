/**
 * The files source's tar writer and walk: what GNU tar extracts from the
 * stream is the folder (modes, mtimes, contents, symlinks, hard links, paths
 * too long for a ustar header), and a file that shrinks while it is read is
 * reported, not stored short.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TreePack } from '../../src/sources/tar-pack.js';
import { walkTree } from '../../src/sources/tree-walk.js';
import { treeOf } from '../helpers/tree.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-tarpack-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function pack(root: string, unreadable: string[] = [], keep: (rel: string) => boolean = () => true): TreePack {
  return new TreePack(walkTree(root, { keep, unreadable: (rel, message) => void unreadable.push(`${rel}: ${message}`) }), {
    unreadable: (rel, message) => void unreadable.push(`${rel}: ${message}`),
  });
}

async function archive(stream: TreePack): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(stream, new Writable({ write: (chunk: Buffer, _e, done) => void (parts.push(chunk), done()) }));
  return Buffer.concat(parts);
}

async function entries(bytes: Buffer): Promise<{ path: string; type: string; linkpath?: string; size: number }[]> {
  const found: { path: string; type: string; linkpath?: string; size: number }[] = [];
  const parser = new tar.Parser({ strict: true, onReadEntry: (e) => void (found.push({ path: e.path, type: e.type, linkpath: e.linkpath, size: e.size ?? 0 }), e.resume()) });
  const ended = new Promise((resolve) => parser.on('end', resolve));
  parser.end(bytes);
  await ended;
  return found;
}

describe('TreePack', () => {
  it('a file and a symlink deleted between the walk and their reading are left out and said so, not unreadable', async () => {
    const src = join(dir, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'a.txt'), 'kept');
    writeFileSync(join(src, 'gone.txt'), 'deleted mid-backup');
    symlinkSync('a.txt', join(src, 'gone-link'));
    const unreadable: string[] = [];
    const vanished: string[] = [];
    // The walk has lstat'ed each entry when it yields it: the app deletes these two right then.
    const walked = function* () {
      for (const entry of walkTree(src, { keep: () => true, unreadable: (rel, message) => void unreadable.push(`${rel}: ${message}`) })) {
        if (entry.rel === 'gone.txt' || entry.rel === 'gone-link') rmSync(join(src, entry.rel));
        yield entry;
      }
    };
    const stream = new TreePack(walked(), { unreadable: (rel, message) => void unreadable.push(`${rel}: ${message}`), vanished: (rel) => void vanished.push(rel) });
    const found = await entries(await archive(stream));
    expect(unreadable).toEqual([]);
    expect(vanished.sort()).toEqual(['gone-link', 'gone.txt']);
    expect(found.map((e) => e.path).filter((p) => p !== './')).toEqual(['./a.txt']);
  });

  it('GNU tar extracts the very folder: contents across batches, modes, mtimes, symlinks, hard links, long paths', async () => {
    const src = join(dir, 'src');
    const deep = join(src, 'a'.repeat(90), 'b'.repeat(90), 'c'.repeat(90)); // > 255 bytes: needs a PAX path
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'deep.txt'), 'deep');
    writeFileSync(join(src, 'big.bin'), randomBytes(3 * 2 ** 20 + 123)); // spans several 1 MiB batches
    writeFileSync(join(src, 'empty'), '');
    for (let i = 0; i < 300; i++) writeFileSync(join(src, `small-${i}.txt`), randomBytes(1 + (i * 37) % 5000));
    mkdirSync(join(src, 'private'), { mode: 0o750 });
    writeFileSync(join(src, 'private', 'key'), 'secret', { mode: 0o600 });
    chmodSync(join(src, 'private'), 0o750);
    chmodSync(join(src, 'private', 'key'), 0o600);
    symlinkSync('private/key', join(src, 'link'));
    linkSync(join(src, 'empty'), join(src, 'empty-too'));
    writeFileSync(join(src, 'first'), 'linked content');
    linkSync(join(src, 'first'), join(src, 'second'));
    utimesSync(join(src, 'first'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));

    const unreadable: string[] = [];
    const bytes = await archive(pack(src, unreadable));
    expect(unreadable).toEqual([]);
    const listed = await entries(bytes);
    expect(listed[0]).toMatchObject({ path: './', type: 'Directory' });
    expect(listed.find((e) => e.path === './second')).toMatchObject({ type: 'Link', linkpath: 'first' });
    expect(listed.find((e) => e.path === './link')).toMatchObject({ type: 'SymbolicLink', linkpath: 'private/key' });
    expect(listed.filter((e) => e.type === 'File').length).toBe(300 + 5);

    const out = join(dir, 'out');
    mkdirSync(out);
    execFileSync('tar', ['-x', '-C', out], { input: bytes });
    expect(await treeOf(out)).toEqual(await treeOf(src));
    expect(statSync(join(out, 'second')).ino).toBe(statSync(join(out, 'first')).ino);
  });

  it('walks in name order, leaves out what keep refuses (with everything below a refused folder)', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'thumbs', 'x'), { recursive: true });
    for (const name of ['b', 'a', 'C', 'thumbs/x/t.jpg']) writeFileSync(join(src, name), name);
    const kept = [...walkTree(src, { keep: (rel) => rel !== 'thumbs', unreadable: () => undefined })].map((e) => e.rel);
    expect(kept).toEqual(['.', 'C', 'a', 'b']);
    const listed = await entries(await archive(pack(src, [], (rel) => rel !== 'thumbs')));
    expect(listed.map((e) => e.path)).toEqual(['./', './C', './a', './b']);
  });

  it('a file that shrinks after the walk saw it: reported, and the archive stays readable with its recorded size', async () => {
    const src = join(dir, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'a'), randomBytes(10_000));
    writeFileSync(join(src, 'b'), 'after');
    const walked = [...walkTree(src, { keep: () => true, unreadable: () => undefined })]; // sizes taken now
    truncateSync(join(src, 'a'), 100);
    const unreadable: string[] = [];
    const bytes = await archive(new TreePack(walked, { unreadable: (rel, message) => void unreadable.push(`${rel}: ${message}`) }));
    expect(unreadable).toEqual(['a: the file became shorter while it was read']);
    expect((await entries(bytes)).map((e) => [e.path, e.size])).toEqual([['./', 0], ['./a', 10_000], ['./b', 5]]);
  });
});
