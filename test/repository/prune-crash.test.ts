/**
 * kill -9 at every change a prune makes to a repository target (fault points
 * `prune:<n>`, src/util/fault.ts): the manifest removals, the removal of a
 * backup's other objects, each index rewrite and removal, the pack removal.
 * After each kill every listed backup verifies --deep and restores exactly
 * what it held, and the next prune finishes the job and reclaims the space.
 * The trial starts from the same saved repository each time, so each point is
 * a crash at that exact change and nowhere else.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { exactTree, libraryPlan, makeLibrary, packsOf } from './helpers.js';
import { rm } from 'node:fs/promises';

let ws: Workspace;
let env: NodeJS.ProcessEnv;
let library: string;
const trees = new Map<string, Record<string, string>>();

const plan = (retention?: Record<string, unknown>) => libraryPlan(ws, retention ? { retention } : {});

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli([...args, '--plan', ws.plan], { env: { ...env, ...extra } });
const listed = async () => json<{ backups: { id: string }[] }>(await cli(['list', '--json'])).backups.map((b) => b.id);

beforeAll(async () => {
  ws = makeWorkspace({ assets: 1 });
  library = join(ws.dir, 'library');
  env = { RESTORABLE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'restorable-cache-')) };
  plan();
  // Three backups of three different libraries: removing the first two leaves packs of theirs that nothing uses.
  for (let round = 0; round < 3; round += 1) {
    await rm(library, { recursive: true, force: true });
    await makeLibrary(library, 12, 3 * 1024 * 1024);
    writeFileSync(join(library, 'round.txt'), `round ${round}`);
    const run = await cli(['backup', '--json']);
    expect(run.code, run.stderr).toBe(0);
    trees.set(json<{ id: string }>(run).id, await exactTree(library));
  }
  plan({ keep_last: 1 });
});
afterAll(() => {
  ws?.cleanup();
  rmSync(env.RESTORABLE_CACHE_DIR!, { recursive: true, force: true });
});

/** Every listed backup proves every blob (verify --deep); `restored` is restored into a fresh folder and compared with what it held. */
async function everyListedProves(label: string, restored: string): Promise<string[]> {
  const ids = await listed();
  const deep = await cli(['verify', '--backup', 'all', '--deep']);
  expect(deep.code, `${label}: ${deep.stdout}${deep.stderr}`).toBe(0);
  const into = mkdtempSync(join(ws.dir, 'into-'));
  const restore = await cli(['restore', '--backup', restored, '--source', 'library', '--path', '**', '--into', into]);
  expect(restore.code, `${label}: ${restore.stderr}`).toBe(0);
  expect(await exactTree(into), `${label}: backup ${restored}`).toEqual(trees.get(restored));
  rmSync(into, { recursive: true, force: true });
  return ids;
}

describe('kill -9 during a repository prune', () => {
  it('at every change it makes: no listed backup loses a blob, and the next prune completes', async () => {
    const saved = join(ws.dir, 'saved-nas');
    cpSync(ws.target('nas'), saved, { recursive: true, preserveTimestamps: true });
    const newest = [...trees.keys()].at(-1)!;
    const restoreSaved = () => {
      rmSync(ws.target('nas'), { recursive: true, force: true });
      cpSync(saved, ws.target('nas'), { recursive: true, preserveTimestamps: true });
    };
    // What a prune that is never interrupted leaves: the packs a crashed one must end at too.
    const whole = await cli(['prune']);
    expect(whole.code, whole.stderr).toBe(0);
    const reclaimed = packsOf(ws.target('nas'), 'testapp').files.sort();
    expect(reclaimed.length).toBeLessThan(packsOf(saved, 'testapp').files.length);
    // Ending with exactly these packs is then ending with a repository whose backups prove and restore.
    await everyListedProves('after a whole prune', newest);
    restoreSaved();
    let killed = 0;
    let ran = false;
    for (let n = 1; n < 40; n += 1) {
      const run = await cli(['prune'], { RESTORABLE_FAULT: `prune:${n}` });
      if (run.signal !== 'SIGKILL') {
        // Past the last change: this prune ran whole.
        expect(run.code, run.stderr).toBe(0);
        ran = true;
        break;
      }
      killed += 1;
      // The oldest backup still listed is the one whose packs are the next to go.
      const ids = await everyListedProves(`killed at prune:${n}`, (await listed()).at(0)!);
      expect(ids).toContain(newest);
      // A killed run leaves its lock; this host sees its process is gone and takes over.
      const next = await cli(['prune']);
      expect(next.code, next.stderr).toBe(0);
      expect(await listed()).toEqual([newest]);
      expect(packsOf(ws.target('nas'), 'testapp').files.sort(), `after prune:${n} and a whole prune: ${next.stdout}`).toEqual(reclaimed);
      restoreSaved();
    }
    // Two manifests, two backups' other objects, the index rewrites and the packs: every one was a kill.
    expect(killed).toBeGreaterThanOrEqual(6);
    expect(ran).toBe(true);
  }, 600_000);
});
