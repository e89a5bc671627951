/**
 * The writer at scale, on a real local target: a first run of more blobs than
 * one index names writes several indexes as it goes (each a few MB, not one
 * of hundreds), and packs hold at most so many blobs; a fresh reader of the
 * target finds every blob through them.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createTarget } from '../../src/targets/index.js';
import type { Target } from '../../src/targets/target.js';
import type { Reporter } from '../../src/report/reporter.js';
import { BlobMap } from '../../src/repository/blob-map.js';
import { Cache } from '../../src/repository/cache.js';
import { listRepo, loadRepo } from '../../src/repository/store.js';
import { INDEX_BLOBS, RepoWriter } from '../../src/repository/writer.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const quiet: Reporter = { info() {}, warn() {}, error() {}, debug() {}, stepStarted() {}, stepFinished() {}, progress() {}, output() {} };

it(`names ${INDEX_BLOBS + 20_000} new blobs in two indexes written as the run goes, and every blob is found again`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-writer-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'nas'));
  const target: Target = createTarget({ name: 'nas', type: 'local', path: join(dir, 'nas') }, { planDir: dir });
  const dropped: unknown[] = [];
  const writer = await RepoWriter.open({
    plan: 'app',
    targets: [target],
    encryption: undefined,
    keys: null,
    cache: new Cache(join(dir, 'cache')),
    reporter: quiet,
    drop: (_t, error) => dropped.push(error),
    alive: () => [target],
  });
  const ids: string[] = [];
  for (let n = 0; n < INDEX_BLOBS + 20_000; n += 1) {
    const raw = Buffer.from(`thumbnail ${n}`);
    const id = createHash('sha256').update(raw).digest('hex');
    ids.push(id);
    await writer.add('data', id, raw);
  }
  await writer.finish();
  expect(dropped).toEqual([]);
  const indexes = readdirSync(join(dir, 'nas', 'app', 'repo', 'index'));
  expect(indexes).toHaveLength(2);
  // 16,384 blobs a pack at most: a pack of tiny files is not one 160,000-entry header.
  const packs = readdirSync(join(dir, 'nas', 'app', 'repo', 'data'), { recursive: true }).filter((n) => /[0-9a-f]{64}$/.test(String(n)));
  expect(packs.length).toBe(Math.ceil(ids.length / 16_384));
  // A reader with no cache finds every blob, in a pack the listing holds.
  const found = new BlobMap();
  const present = await loadRepo(target, 'app', await listRepo(target, 'app'), null, { record: null, keys: null }, null, found);
  expect(present.size).toBe(packs.length);
  expect(found.size).toBe(ids.length);
  expect(ids.filter((id) => !found.inAnyOf(id, present))).toEqual([]);
});
