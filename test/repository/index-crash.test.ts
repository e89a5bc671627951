/**
 * kill -9 between the indexes of one backup: a first backup of more blobs
 * than one index names writes an index mid-run (repository/writer.ts). A
 * kill after it and before the last one leaves packs and an index that no
 * snapshot uses, and a file cache the run never committed: nothing is
 * listed, the next backup completes without storing those blobs again, and
 * what it lists verifies --deep and restores exactly (two folders, one from
 * each side).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { exactTree } from './helpers.js';

let ws: Workspace;
let env: NodeJS.ProcessEnv;
let library: string;

beforeAll(() => {
  ws = makeWorkspace({ assets: 1 });
  library = join(ws.dir, 'library');
  // 36,000 distinct tiny files: three packs of 16,384 blobs at most, an index after the second.
  for (let d = 0; d < 36; d += 1) {
    mkdirSync(join(library, `d${d}`), { recursive: true });
    for (let f = 0; f < 1000; f += 1) writeFileSync(join(library, `d${d}`, `t${f}.webp`), `thumbnail ${d}/${f}`);
  }
  env = { RESTORABLE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'restorable-cache-')) };
  ws.writePlan({
    version: 1,
    name: 'testapp',
    sources: [{ name: 'library', type: 'files', path: 'library', storage: 'repository' }],
    targets: [{ name: 'nas', type: 'local', path: ws.target('nas') }],
    policy: { rule: { copies: 2, media: 1, offsite: 0 } },
  });
});
afterAll(() => {
  ws?.cleanup();
  rmSync(env.RESTORABLE_CACHE_DIR!, { recursive: true, force: true });
});

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli([...args, '--plan', ws.plan], { env: { ...env, ...extra } });
const indexes = () => readdirSync(join(ws.target('nas'), 'testapp', 'repo', 'index'));

it('after the first of two indexes: nothing listed, the next backup reuses its packs, verifies and restores', async () => {
  const killed = await cli(['backup'], { RESTORABLE_FAULT: 'index:2' });
  expect(killed.signal).toBe('SIGKILL');
  expect(indexes()).toHaveLength(1);
  const [first] = indexes();
  expect(json<{ backups: unknown[] }>(await cli(['list', '--json'])).backups).toEqual([]);
  // The file cache was never committed: only a temporary file of the dead run is there.
  const cacheFiles = () => readdirSync(env.RESTORABLE_CACHE_DIR!, { recursive: true }).map(String).filter((n) => n.includes('files/'));
  expect(cacheFiles().some((n) => n.endsWith('library.ndjson'))).toBe(false);

  const packs = () => readdirSync(join(ws.target('nas'), 'testapp', 'repo', 'data'), { recursive: true }).map(String).filter((n) => /[0-9a-f]{64}$/.test(n));
  // Two full data packs under that index, then the last data pack and the tree pack, which no index names.
  const left = packs().length;
  expect(left).toBe(4);
  const next = await cli(['backup', '--json']);
  expect(next.code, next.stderr).toBe(0);
  // The blobs the first index names were not stored again: the new index names only the unindexed ones
  // (a data and a tree pack). A walk in name order may build them byte for byte as the dead run did, so
  // they can keep their names: what counts is which packs each index names.
  expect(json<{ id: string }>(next).id).toBeTruthy();
  expect(indexes()).toHaveLength(2);
  const named = (file: string) => (JSON.parse(readFileSync(join(ws.target('nas'), 'testapp', 'repo', 'index', file), 'utf8')) as { packs: { id: string }[] }).packs.map((p) => p.id);
  const second = named(indexes().find((n) => n !== first)!);
  expect(second).toHaveLength(2);
  expect(second.filter((id) => named(first!).includes(id))).toEqual([]);
  expect(packs().length - left).toBeLessThanOrEqual(2);
  expect(cacheFiles().filter((n) => n.includes('.tmp-'))).toEqual([]);
  expect(cacheFiles().some((n) => n.endsWith('library.ndjson'))).toBe(true);

  const deep = await cli(['verify', '--backup', 'all', '--deep']);
  expect(deep.code, deep.stdout + deep.stderr).toBe(0);
  // The first folder's blobs sit in the indexed packs, the last one's in those stored again.
  for (const folder of ['d0', 'd35']) {
    const into = mkdtempSync(join(ws.dir, 'into-'));
    const restore = await cli(['restore', '--source', 'library', '--path', `${folder}/**`, '--into', into]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await exactTree(join(into, folder))).toEqual(await exactTree(join(library, folder)));
  }
}, 300_000);
