/**
 * kill -9 at random moments of repository backups: afterwards every listed
 * backup verifies --deep and restores exactly what it held, and the next
 * backup completes. Packs come before the index, the index before the
 * snapshot object, the snapshot before the manifest: no listed snapshot can
 * name a blob its target lacks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, json, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { exactTree, makeLibrary, touchShare } from './helpers.js';

let ws: Workspace;
let env: NodeJS.ProcessEnv;
let library: string;
let photos: string[];

beforeAll(async () => {
  ws = makeWorkspace();
  library = join(ws.dir, 'library');
  photos = await makeLibrary(library, 40, 6 * 1024 * 1024);
  env = { RESTORABLE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'restorable-cache-')) };
  const { restore: _checks, ...plan } = basePlan(ws.dir);
  ws.writePlan({ ...plan, sources: [{ name: 'library', type: 'files', path: 'library', storage: 'repository' }] });
});
afterAll(() => {
  ws?.cleanup();
  rmSync(env.RESTORABLE_CACHE_DIR!, { recursive: true, force: true });
});

/** Starts a backup and kills it (and anything it started) with SIGKILL after `ms`. */
function killedBackup(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'backup', '--plan', ws.plan, '--break-lock'], { env: { ...process.env, ...env }, stdio: 'ignore', detached: true });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // it finished first
      }
    }, ms);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('kill -9 during repository backups', () => {
  it('never leaves a listed backup that fails to verify or restore', async () => {
    const trees = new Map<string, Record<string, string>>();
    let cut = 0;
    // A seeded spread of moments: early (opening the repository), mid-walk, around the commit.
    const moments = [150, 700, 1200, 1900, 2600, 3400, 5000];
    for (const [round, ms] of moments.entries()) {
      await touchShare(photos, 0.1);
      writeFileSync(join(library, `round-${round}.txt`), `round ${round}`);
      const state = await exactTree(library);
      await killedBackup(ms);
      const listed = json<{ backups: { id: string }[] }>(await runCli(['list', '--plan', ws.plan, '--json'], { env }));
      const added = listed.backups.filter((b) => !trees.has(b.id));
      if (added.length === 0) cut += 1;
      for (const b of added) trees.set(b.id, state);
    }
    // The early kills land before the commit on any machine: the trial tests crashes, not only completions.
    expect(cut).toBeGreaterThanOrEqual(2);
    const last = await runCli(['backup', '--plan', ws.plan, '--break-lock', '--json'], { env });
    expect(last.code, last.stderr).toBe(0);
    trees.set(json<{ id: string }>(last).id, await exactTree(library));

    const deep = await runCli(['verify', '--plan', ws.plan, '--backup', 'all', '--deep'], { env });
    expect(deep.code, deep.stdout + deep.stderr).toBe(0);
    for (const [id, tree] of trees) {
      const restore = await runCli(['restore', '--plan', ws.plan, '--backup', id, '--source', 'library'], { env });
      expect(restore.code, restore.stderr).toBe(0);
      expect(await exactTree(library)).toEqual(tree);
    }
  }, 600_000);
});
