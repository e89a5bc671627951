/**
 * How the repository walk goes through a library: one folder at a time, with
 * the files behind it read in parallel, so memory follows the folders whose
 * files are in flight and not one folder per reader (sixteen sibling folders
 * of 10,000 files walked at once held 600 MiB for a million files). And the
 * progress it reports is the bytes done so far, rising to the whole.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Reporter } from '../../src/report/reporter.js';
import { Cache } from '../../src/repository/cache.js';
import { FileCache } from '../../src/repository/file-cache.js';
import { RepoWriter } from '../../src/repository/writer.js';
import { walkIntoRepository } from '../../src/repository/snapshot.js';
import { createTarget } from '../../src/targets/index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const reporter: Reporter = { info() {}, warn() {}, error() {}, debug() {}, stepStarted() {}, stepFinished() {}, progress() {}, output() {} };

async function walkLibrary(folders: number, files: number) {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-walk-'));
  dirs.push(dir);
  const data = join(dir, 'data');
  for (let d = 0; d < folders; d += 1) {
    mkdirSync(join(data, `d${d}`), { recursive: true });
    for (let f = 0; f < files; f += 1) writeFileSync(join(data, `d${d}`, `f${f}.jpg`), `photo ${d}/${f} `.repeat(1 + (f % 7)));
  }
  mkdirSync(join(dir, 'nas'));
  const target = createTarget({ name: 'nas', type: 'local', path: join(dir, 'nas') }, { planDir: dir });
  const writer = await RepoWriter.open({ plan: 'app', targets: [target], encryption: undefined, keys: null, cache: new Cache(join(dir, 'cache')), reporter, drop: () => {}, alive: () => [target] });
  const cache = await FileCache.load(join(dir, 'files.cache'), null);
  // Counts the folders the walk holds open (listed, their cache block loaded, their tree not yet written).
  let open = 0;
  let most = 0;
  const files_ = new Proxy(cache, {
    get(target, key) {
      if (key !== 'folder') return Reflect.get(target, key, target) as unknown;
      return async (rel: string) => {
        const folder = await target.folder(rel);
        most = Math.max(most, (open += 1));
        const close = folder.close.bind(folder);
        folder.close = () => {
          open -= 1;
          close();
        };
        return folder;
      };
    },
  });
  const progress: number[] = [];
  const walked = await walkIntoRepository({ root: data, source: 'photos', keep: () => true, writer, files: files_, reporter, signal: new AbortController().signal, progress: (done) => progress.push(done) });
  await writer.finish();
  return { walked, most, open, progress };
}

it('holds a few folders open at once, not one per parallel read, and closes every one', async () => {
  const { walked, most, open } = await walkLibrary(24, 60);
  expect(walked.counts).toMatchObject({ files: 24 * 60, dirs: 24 });
  expect(open).toBe(0);
  // The root, the folder being walked, and those whose last files are still being read (16 at most, 60 a folder).
  expect(most).toBeGreaterThanOrEqual(2);
  expect(most).toBeLessThanOrEqual(4);
});

it('reports the bytes done so far, rising to the whole source', async () => {
  const { walked, progress } = await walkLibrary(3, 40);
  expect(progress.length).toBe(3 * 40);
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  expect(progress.at(-1)).toBe(walked.counts.bytes);
});
