/**
 * A repository the Action wrote on Node 24 (zstd blobs, from zlib) is read by
 * the CLI on the Node this suite runs on (20 here, where zlib has no zstd and
 * fzstd decodes): restored by content, and a damaged compressed blob refused
 * on both runtimes before the live folder is touched.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { json, node24, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { exactTree } from './helpers.js';

let ws: Workspace;
let env: NodeJS.ProcessEnv;
let docs: string;

beforeEach(async () => {
  ws = makeWorkspace();
  docs = join(ws.dir, 'docs');
  // Text compresses: every blob here is stored as a zstd frame by a Node that has zstd.
  for (let i = 0; i < 30; i += 1) {
    const dir = join(docs, `folder${i % 4}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `note${i}.txt`), `line ${i} of a document that compresses well\n`.repeat(2000 + i * 300));
  }
  env = { RESTORABLE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'restorable-cache-')) };
  const { restore: _checks, ...plan } = basePlan(ws.dir); // the base plan's checks are of its SQLite source
  ws.writePlan({ ...plan, sources: [{ name: 'docs', type: 'files', path: 'docs', storage: 'repository' }] });
});
afterEach(() => {
  ws.cleanup();
  rmSync(env.RESTORABLE_CACHE_DIR!, { recursive: true, force: true });
});

type Entry = { type: string; offset: number; length: number; compression: string };

/** Every blob the indexes on `target` name, with the pack file that holds it. */
function entries(target: string): (Entry & { file: string })[] {
  const repo = join(ws.target(target), 'testapp', 'repo');
  return readdirSync(join(repo, 'index')).flatMap((name) =>
    (JSON.parse(readFileSync(join(repo, 'index', name), 'utf8')) as { packs: { id: string; blobs: Entry[] }[] }).packs.flatMap((p) =>
      p.blobs.map((b) => ({ ...b, file: join(repo, 'data', p.id.slice(0, 2), p.id) })),
    ),
  );
}

it('a repository written on Node 24 restores on this Node by content, and a damaged zstd blob is refused on both', async () => {
  const run = await runCli(['backup', '--plan', ws.plan, '--json'], { env, node: node24() });
  expect(run.code, run.stderr).toBe(0);
  const id = json<{ id: string }>(run).id;
  const all = entries('nas');
  expect(all.filter((e) => e.compression === 'zstd').length).toBeGreaterThan(30); // every file, and the trees
  const want = await exactTree(docs);

  rmSync(docs, { recursive: true });
  const restore = await runCli(['restore', '--plan', ws.plan, '--backup', id, '--source', 'docs', '--target', 'nas'], { env });
  expect(restore.code, restore.stderr).toBe(0);
  expect(await exactTree(docs)).toEqual(want);

  // One byte flipped in the middle of every zstd data blob, on every target: each frame decodes wrong or not at all.
  for (const target of ['nas', 'usb', 'cloud']) {
    for (const blob of entries(target).filter((e) => e.type === 'data' && e.compression === 'zstd')) {
      const bytes = readFileSync(blob.file);
      bytes[blob.offset + (blob.length >> 1)]! ^= 0x55;
      writeFileSync(blob.file, bytes);
    }
  }
  const before = await exactTree(docs);
  for (const node of [undefined, node24()]) {
    const refused = await runCli(['restore', '--plan', ws.plan, '--backup', id, '--source', 'docs'], { env, ...(node ? { node } : {}) });
    expect(refused.code, refused.stderr).toBe(5);
    expect(refused.stderr).toMatch(/damaged|does not (decompress|match)/);
    expect(await exactTree(docs)).toEqual(before);
  }
});
