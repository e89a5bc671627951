/**
 * Prune repacks packs that are mostly unused: after the backup that used most
 * of a pack is removed, the live blobs are written into a new pack and the
 * old one goes, so the space comes back. kill -9 at each change of that prune
 * (fault points prune:<n>, and index:1 between the new pack and its index)
 * leaves every listed backup whole, and the next prune ends where an
 * uninterrupted one does.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { exactTree, libraryPlan, makeLibrary, packsOf } from './helpers.js';

let ws: Workspace;
let env: NodeJS.ProcessEnv;
let library: string;
let kept: { id: string; tree: Record<string, string> };

const plan = (retention?: Record<string, unknown>) => libraryPlan(ws, retention ? { retention } : {});

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli([...args, '--plan', ws.plan], { env: { ...env, ...extra } });

beforeAll(async () => {
  ws = makeWorkspace({ assets: 1 });
  library = join(ws.dir, 'library');
  env = { RESTORABLE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'restorable-cache-')) };
  plan();
  // 40 photos of 20-400 KiB (one blob each) and an empty video: one data pack, then a backup that keeps a quarter of them.
  const photos = await makeLibrary(library, 40, 0);
  const first = await cli(['backup', '--json']);
  expect(first.code, first.stderr).toBe(0);
  photos.filter((_, i) => i % 4 !== 0).forEach((p) => unlinkSync(p));
  const second = await cli(['backup', '--json']);
  expect(second.code, second.stderr).toBe(0);
  kept = { id: json<{ id: string }>(second).id, tree: await exactTree(library) };
  plan({ keep_last: 1 });
});
afterAll(() => {
  ws?.cleanup();
  rmSync(env.RESTORABLE_CACHE_DIR!, { recursive: true, force: true });
});

/** Every listed backup verifies --deep, and the kept one (found by id: it is listed) restores exactly what it held. */
async function keptProves(label: string): Promise<void> {
  const deep = await cli(['verify', '--backup', 'all', '--deep']);
  expect(deep.code, `${label}: ${deep.stdout}${deep.stderr}`).toBe(0);
  const into = mkdtempSync(join(ws.dir, 'into-'));
  const restore = await cli(['restore', '--backup', kept.id, '--source', 'library', '--path', '**', '--into', into]);
  expect(restore.code, `${label}: ${restore.stderr}`).toBe(0);
  expect(await exactTree(into), label).toEqual(kept.tree);
  rmSync(into, { recursive: true, force: true });
}

describe('prune repacks mostly unused packs', () => {
  it('gives the space back, and a kill at any of its changes leaves the kept backup whole', async () => {
    const saved = join(ws.dir, 'saved-nas');
    cpSync(ws.target('nas'), saved, { recursive: true, preserveTimestamps: true });
    const restoreSaved = () => {
      rmSync(ws.target('nas'), { recursive: true, force: true });
      cpSync(saved, ws.target('nas'), { recursive: true, preserveTimestamps: true });
    };
    const before = packsOf(saved, 'testapp');

    const dry = await cli(['prune', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/would remove \d+ unused pack\(s\) \(\d+ of them mostly unused/);
    const names = (files: string[]) => files.map((f) => basename(f)).sort();
    expect(names(packsOf(ws.target('nas'), 'testapp').files)).toEqual(names(before.files));

    const whole = await cli(['prune']);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toMatch(/\d+ of them mostly unused, their live blobs repacked/);
    const after = packsOf(ws.target('nas'), 'testapp');
    // A quarter of the photos live on: the data pack that held them all is now about a quarter of its size.
    expect(after.bytes).toBeLessThan(before.bytes * 0.5);
    await keptProves('after a whole prune');
    // Packs are named by their content: ending with these names is ending with this proven repository.
    const reclaimed = names(after.files);
    // Nothing is left to repack: a second prune changes nothing.
    const again = await cli(['prune']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/repacked/);
    expect(names(packsOf(ws.target('nas'), 'testapp').files)).toEqual(reclaimed);

    let killed = 0;
    for (const fault of ['index:1', ...Array.from({ length: 20 }, (_, n) => `prune:${n + 1}`)]) {
      restoreSaved();
      const run = await cli(['prune'], { RESTORABLE_FAULT: fault });
      if (run.signal !== 'SIGKILL') {
        expect(run.code, run.stderr).toBe(0);
        break; // past the last change of the prune
      }
      killed += 1;
      await keptProves(`killed at ${fault}`);
      const next = await cli(['prune']);
      expect(next.code, `${fault}: ${next.stderr}`).toBe(0);
      expect(names(packsOf(ws.target('nas'), 'testapp').files), `${fault}, then a whole prune: ${next.stdout}`).toEqual(reclaimed);
    }
    // Between the new pack and its index, before the repack, before the old packs go, and each index and manifest change.
    expect(killed, `kills`).toBeGreaterThanOrEqual(5);
  }, 600_000);

  // Both cases failed now and then when their two backups fell in one second: keep_last 1 then kept
  // whichever had the larger random tag. Ids now carry milliseconds (compareBackupIds).
  it('repacks an encrypted repository too: the new pack is an age file under the same key, and the kept backup restores', async () => {
    const enc = makeWorkspace({ assets: 1 });
    const cache = mkdtempSync(join(tmpdir(), 'restorable-cache-'));
    try {
      const lib = join(enc.dir, 'library');
      const writePlan = (retention?: Record<string, unknown>) => libraryPlan(enc, { encryption: { passphrase: '${REPO_PASS}', scrypt_work_factor: 12 }, ...(retention ? { retention } : {}) });
      const run = (args: string[]) => runCli([...args, '--plan', enc.plan], { env: { RESTORABLE_CACHE_DIR: cache, REPO_PASS: 'correct horse battery staple' } });
      writePlan();
      const photos = await makeLibrary(lib, 24, 0);
      const first = await run(['backup']);
      expect(first.code, first.stderr).toBe(0);
      photos.filter((_, i) => i % 4 !== 0).forEach((p) => unlinkSync(p));
      const second = await run(['backup', '--json']);
      expect(second.code, second.stderr).toBe(0);
      const id = json<{ id: string }>(second).id;
      const want = await exactTree(lib);
      const before = packsOf(enc.target('nas'), 'testapp');
      writePlan({ keep_last: 1 });
      const prune = await run(['prune']);
      expect(prune.code, prune.stderr).toBe(0);
      expect(prune.stdout + prune.stderr).toMatch(/\d+ of them mostly unused, their live blobs repacked/);
      const after = packsOf(enc.target('nas'), 'testapp');
      expect(after.bytes, prune.stdout).toBeLessThan(before.bytes * 0.5);
      for (const pack of after.files) expect(readFileSync(pack).subarray(0, 21).toString(), pack).toBe('age-encryption.org/v1');
      const deep = await run(['verify', '--backup', 'all', '--deep']);
      expect(deep.code, deep.stdout + deep.stderr).toBe(0);
      rmSync(lib, { recursive: true });
      const restore = await run(['restore', '--backup', id, '--source', 'library']);
      expect(restore.code, restore.stderr).toBe(0);
      expect(await exactTree(lib)).toEqual(want);
    } finally {
      enc.cleanup();
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
