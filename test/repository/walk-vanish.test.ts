/**
 * A live library changes while it is walked: a file deleted between its
 * lstat and its open is left out as one deleted before the listing is, not
 * a failed backup; the files around it are stored whole. One that cannot be
 * read (the threads' read fails) fails the walk naming the path and the error.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { RunError } from '../../src/errors.js';
import type { Reporter } from '../../src/report/reporter.js';
import { Cache } from '../../src/repository/cache.js';
import { FileCache } from '../../src/repository/file-cache.js';
import { RepoWriter } from '../../src/repository/writer.js';
import { walkIntoRepository } from '../../src/repository/snapshot.js';
import { createTarget } from '../../src/targets/index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

it('a file deleted between its lstat and its open is left out; the backup goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-vanish-'));
  dirs.push(dir);
  const data = join(dir, 'data');
  mkdirSync(join(data, 'sub'), { recursive: true });
  writeFileSync(join(data, 'a.txt'), 'kept a');
  writeFileSync(join(data, 'gone.txt'), 'deleted mid-walk');
  writeFileSync(join(data, 'sub', 'c.txt'), 'kept c');
  mkdirSync(join(dir, 'nas'));
  const target = createTarget({ name: 'nas', type: 'local', path: join(dir, 'nas') }, { planDir: dir });
  const warnings: string[] = [];
  const reporter: Reporter = { info() {}, warn: (m) => warnings.push(m), error() {}, debug() {}, stepStarted() {}, stepFinished() {}, progress() {}, output() {} };
  const writer = await RepoWriter.open({ plan: 'app', targets: [target], encryption: undefined, keys: null, cache: new Cache(join(dir, 'cache')), reporter, drop: () => {}, alive: () => [target] });
  // keep() is asked after the entry's lstat and before its content is read: the app deletes it right then.
  const keep = (path: string) => {
    if (path === 'gone.txt') unlinkSync(join(data, 'gone.txt'));
    return true;
  };
  const walked = await walkIntoRepository({ root: data, source: 'uploads', keep, writer, files: await FileCache.load(join(dir, 'files.cache'), null), reporter, signal: new AbortController().signal });
  await writer.finish();
  expect(walked.counts).toMatchObject({ files: 2, dirs: 1, bytes: 12 });
  expect(walked.read.files).toBe(2);
  expect(warnings).toEqual([]);
});

it('a file that cannot be read on the reading threads fails the walk with a RunError naming the path and the error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-vanish-'));
  dirs.push(dir);
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'a.txt'), 'kept a');
  writeFileSync(join(data, 'odd.txt'), 'becomes a folder');
  mkdirSync(join(dir, 'nas'));
  const target = createTarget({ name: 'nas', type: 'local', path: join(dir, 'nas') }, { planDir: dir });
  const reporter: Reporter = { info() {}, warn() {}, error() {}, debug() {}, stepStarted() {}, stepFinished() {}, progress() {}, output() {} };
  const writer = await RepoWriter.open({ plan: 'app', targets: [target], encryption: undefined, keys: null, cache: new Cache(join(dir, 'cache')), reporter, drop: () => {}, alive: () => [target] });
  // After its lstat said "file", it is replaced by a folder: the thread opens it and its read fails (EISDIR), even as root.
  const keep = (path: string) => {
    if (path === 'odd.txt') {
      unlinkSync(join(data, 'odd.txt'));
      mkdirSync(join(data, 'odd.txt'));
    }
    return true;
  };
  const walking = walkIntoRepository({ root: data, source: 'uploads', keep, writer, files: await FileCache.load(join(dir, 'files.cache'), null), reporter, signal: new AbortController().signal });
  await expect(walking).rejects.toBeInstanceOf(RunError);
  await expect(walking).rejects.toThrow(/Files source "uploads": 1 path\(s\) could not be read: odd\.txt: EISDIR/);
});

it('a symlink deleted between its lstat and its readlink is left out; one replaced by a file fails the walk naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-vanish-'));
  dirs.push(dir);
  const data = join(dir, 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'a.txt'), 'kept a');
  symlinkSync('a.txt', join(data, 'gone-link'));
  symlinkSync('a.txt', join(data, 'odd-link'));
  mkdirSync(join(dir, 'nas'));
  const target = createTarget({ name: 'nas', type: 'local', path: join(dir, 'nas') }, { planDir: dir });
  const reporter: Reporter = { info() {}, warn() {}, error() {}, debug() {}, stepStarted() {}, stepFinished() {}, progress() {}, output() {} };
  const walk = async (keep: (path: string) => boolean) => {
    const writer = await RepoWriter.open({ plan: 'app', targets: [target], encryption: undefined, keys: null, cache: new Cache(join(dir, 'cache')), reporter, drop: () => {}, alive: () => [target] });
    const walked = await walkIntoRepository({ root: data, source: 'uploads', keep, writer, files: await FileCache.load(join(dir, 'files.cache'), null), reporter, signal: new AbortController().signal });
    await writer.finish();
    return walked;
  };
  const gone = await walk((path) => {
    if (path === 'gone-link') unlinkSync(join(data, 'gone-link'));
    return path !== 'odd-link';
  });
  expect(gone.counts).toMatchObject({ files: 1, symlinks: 0 });
  // After its lstat said "symlink" it became a file: readlink fails (EINVAL), and the walk says where.
  const odd = walk((path) => {
    if (path === 'odd-link') {
      unlinkSync(join(data, 'odd-link'));
      writeFileSync(join(data, 'odd-link'), 'now a file');
    }
    return true;
  });
  await expect(odd).rejects.toBeInstanceOf(RunError);
  await expect(odd).rejects.toThrow(/1 path\(s\) could not be read: odd-link: EINVAL/);
});
