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
    // The moments are shares of how long a whole backup of such a change takes on this machine
    // (fixed milliseconds let a quiet machine finish before most kills): early (opening the
    // repository), mid-walk, around the commit, and one after it.
    const timed = async () => {
      await touchShare(photos, 0.1);
      const started = Date.now();
      const run = await runCli(['backup', '--plan', ws.plan, '--json'], { env });
      expect(run.code, run.stderr).toBe(0);
      trees.set(json<{ id: string }>(run).id, await exactTree(library));
      return Date.now() - started;
    };
    await timed(); // the first backup stores everything; the one timed stores a tenth
    const whole = await timed();
    let cut = 0;
    const moments = [0.15, 0.35, 0.5, 0.65, 0.8, 0.95, 1.4].map((share) => Math.round(share * whole));
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
