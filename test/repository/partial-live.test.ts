/**
 * `restore --path` without `--into`: some paths of a repository backup put
 * back into the live folder, with hooks, a restore point, checks, rollback
 * and the restore journal, like a whole restore. Files the backup holds come
 * back exactly; files added since and everything outside the paths stay as
 * they are; a failing check or a kill at any step of the swap leaves the
 * live folder as it was.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { exactTree, makeLibrary } from './helpers.js';

let ws: Workspace;
let env: NodeJS.ProcessEnv;
let library: string;
let backupId: string;
/** The live tree at the backup. */
let backedUp: Record<string, string>;
const CHOSEN = 'upload/user1/**';
const log = () => join(ws.dir, 'hooks.log');
const failFlag = () => join(ws.dir, 'fail-check');

/** Files and links only: a folder's mtime moves whenever an entry is renamed in or out of it, which a restore does. */
const entries = (tree: Record<string, string>) => Object.fromEntries(Object.entries(tree).filter(([, line]) => !line.startsWith('dir ')));
const under = (tree: Record<string, string>, prefix: string) => Object.fromEntries(Object.entries(tree).filter(([path]) => path.startsWith(prefix)));
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function writePlan(): void {
  ws.writePlan({
    version: 1,
    name: 'testapp',
    sources: [{ name: 'library', type: 'files', path: 'library' }],
    targets: [{ name: 'nas', type: 'local', path: ws.target('nas') }],
    policy: { rule: { copies: 1, media: 1, offsite: 0 } },
    hooks: {
      pre_restore: [{ command: ['sh', '-c', `echo pre >> ${log()}`] }],
      post_restore: [{ command: ['sh', '-c', `echo post >> ${log()}`] }],
    },
    restore: { healthchecks: [{ name: 'app', command: ['sh', '-c', `test ! -e ${failFlag()}`] }] },
  });
}

/** The live changes every case starts from: inside the chosen paths and outside them. */
function change(): void {
  writeFileSync(join(library, 'upload/user1/2024-02/IMG_1.jpg'), 'overwritten by the app');
  chmodSync(join(library, 'upload/user1/2024-05/IMG_4.jpg'), 0o600);
  rmSync(join(library, 'upload/user1/2024-08/IMG_7.jpg'), { force: true });
  writeFileSync(join(library, 'upload/user1/2024-02/IMG_new.jpg'), 'added after the backup');
  writeFileSync(join(library, 'notes.txt'), 'changed outside the chosen paths');
  rmSync(join(library, 'upload/user2/2024-03/IMG_2.jpg'), { force: true });
}

beforeAll(async () => {
  ws = makeWorkspace();
  library = join(ws.dir, 'library');
  await makeLibrary(library, 30, 2 * 1024 * 1024);
  env = { RESTORABLE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'restorable-cache-')) };
  writePlan();
  backedUp = await exactTree(library);
  const run = await runCli(['backup', '--plan', ws.plan, '--json'], { env });
  expect(run.code, run.stderr).toBe(0);
  backupId = json<{ id: string }>(run).id;
  change();
}, 120_000);
afterAll(() => {
  ws.cleanup();
  rmSync(env.RESTORABLE_CACHE_DIR!, { recursive: true, force: true });
});

/** restorable's own leftovers beside the live folder and in it: builds, journals. */
function leftovers(): string[] {
  const beside = readdirSync(ws.dir).filter((f) => f.includes('.restorable-new-') || f.includes('.restorable-failed-'));
  const journal = existsSync(join(ws.dir, '.restorable', 'restore-journal.testapp.json')) ? ['journal'] : [];
  return [...beside, ...journal];
}

describe('restore --path over the live folder', () => {
  it('a failing check puts the live folder back as it was; a kill at any step of the swap is undone by the next command', async () => {
    const before = entries(await exactTree(library));
    writeFileSync(failFlag(), '');
    const failed = await runCli(['restore', '--plan', ws.plan, '--path', CHOSEN], { env });
    rmSync(failFlag());
    expect(failed.code, failed.stderr).toBe(4);
    expect(failed.stderr).toMatch(/Health check failed .*Rolled back/);
    expect(entries(await exactTree(library))).toEqual(before);
    expect(leftovers()).toEqual([]);
    // The app was stopped and started again around the restore and again around the rollback.
    expect(readFileSync(log(), 'utf8').trim().split('\n')).toEqual(['pre', 'post', 'pre', 'post']);

    let steps = 0;
    for (let n = 1; n < 100; n += 1) {
      const run = await runCli(['restore', '--plan', ws.plan, '--path', 'upload/user1/2024-0[28]/**', '--break-lock'], { env: { ...env, RESTORABLE_FAULT: `swap:${n}` } });
      if (run.code === 0) {
        // Past the last step: the fault point was never reached and the restore stands.
        const restored = (tree: Record<string, string>) => Object.fromEntries(Object.entries(entries(tree)).filter(([p]) => /^upload\/user1\/2024-0[28]\/IMG_\d+\.jpg$/.test(p)));
        expect(restored(await exactTree(library))).toEqual(restored(backedUp));
        change();
        break;
      }
      expect(run.code, `swap:${n}: ${run.stderr}`).toBe(-1);
      steps = n;
      const settle = await runCli(['list', '--plan', ws.plan], { env });
      expect(settle.code, settle.stderr).toBe(0);
      expect(settle.stderr).toContain(`An interrupted restore of backup ${backupId}`);
      expect(entries(await exactTree(library)), `killed before step ${n}`).toEqual(before);
      expect(leftovers(), `killed before step ${n}`).toEqual([]);
    }
    // The restore point's folders, files replaced (link, rename over) and one missing (moved in): every kind of step was hit.
    expect(steps).toBeGreaterThanOrEqual(12);
    rmSync(log());
  }, 300_000);

  it('puts back what the backup holds under the paths and keeps what it replaced in a restore point', async () => {
    const before = await exactTree(library);
    const run = await runCli(['restore', '--plan', ws.plan, '--path', CHOSEN, '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const result = json<{ backupId: string; sources: { name: string; restorePoint: string; paths: string[]; counts: { files: number } }[] }>(run);
    expect(result.backupId).toBe(backupId);
    const [source] = result.sources;
    expect(source!.paths).toEqual([CHOSEN]);
    expect(source!.counts.files).toBe(Object.keys(under(entries(backedUp), 'upload/user1/')).length);
    const after = await exactTree(library);
    // Under the paths: every file of the backup exactly (content, mode, mtime), and the file added since.
    expect(entries(under(after, 'upload/user1/'))).toEqual({
      ...entries(under(backedUp, 'upload/user1/')),
      'upload/user1/2024-02/IMG_new.jpg': before['upload/user1/2024-02/IMG_new.jpg'],
    });
    // Outside them nothing moved: the changed notes and the deleted photo of user2 stay as they are live.
    const outside = (tree: Record<string, string>) => Object.fromEntries(Object.entries(entries(tree)).filter(([path]) => !path.startsWith('upload/user1/')));
    expect(outside(after)).toEqual(outside(before));
    expect(after['notes.txt']).not.toBe(backedUp['notes.txt']);
    // The restore point holds what was replaced, at the same place below it.
    const point = join(source!.restorePoint, 'library');
    expect(readFileSync(join(point, 'upload/user1/2024-02/IMG_1.jpg'), 'utf8')).toBe('overwritten by the app');
    expect(`file 600`).toBe(before['upload/user1/2024-05/IMG_4.jpg']!.slice(0, 8));
    expect(sha(join(point, 'upload/user1/2024-05/IMG_4.jpg'))).toBe(before['upload/user1/2024-05/IMG_4.jpg']!.split(' ').at(-1));
    expect(existsSync(join(point, 'upload/user1/2024-02/IMG_new.jpg'))).toBe(false);
    expect(existsSync(join(point, 'upload/user2'))).toBe(false);
    expect(leftovers()).toEqual([]);
    expect(readFileSync(log(), 'utf8').trim().split('\n')).toEqual(['pre', 'post']);
    const points = await runCli(['restore-points', '--plan', ws.plan, '--json'], { env });
    expect(points.code, points.stderr).toBe(0);
    expect(points.stdout).toContain(source!.restorePoint);
    rmSync(log());
  }, 120_000);

  it('refuses a pattern that matches nothing before any hook runs', async () => {
    const none = await runCli(['restore', '--plan', ws.plan, '--path', 'no/such/**'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No path of backup .* matches no\/such\/\*\*/);
    expect(existsSync(log())).toBe(false);
    expect(leftovers()).toEqual([]);
  }, 60_000);
});
