/**
 * Hooks through the real CLI, beyond backup-restore.test.ts: a hook that hangs
 * is stopped at its timeout and stops the run before anything is written; a
 * failing pre_restore hook stops the restore before anything is touched, and
 * post_restore hooks still run (the app must come back up).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { treeOf } from '../helpers/tree.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace({ assets: 3 });
});
afterEach(() => ws.cleanup());

const marker = (name: string) => [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(join(ws.dir, name))}, 'ran')`];

describe('hooks', () => {
  it('a pre_backup hook that hangs is stopped at its timeout; nothing is written, post_backup runs', async () => {
    ws.writePlan({ ...basePlan(ws.dir), hooks: { pre_backup: [{ command: ['sleep', '60'], timeout: '500ms' }], post_backup: [{ command: marker('post-ran') }] } });
    const started = Date.now();
    const result = await runCli(['backup', '--plan', ws.plan]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The pre_backup hook \["sleep","60"\] timed out after 0\.5s and was stopped/);
    expect(readFileSync(join(ws.dir, 'post-ran'), 'utf8')).toBe('ran');
    for (const t of ['nas', 'usb', 'cloud']) expect(existsSync(join(ws.target(t), 'testapp'))).toBe(false);
  });

  it('a failing pre_restore hook stops the restore before anything is touched; post_restore still runs', async () => {
    expect((await runCli(['backup', '--plan', ws.plan])).code).toBe(0);
    ws.writePlan({ ...basePlan(ws.dir), hooks: { pre_restore: [{ command: [process.execPath, '-e', 'process.exit(4)'] }], post_restore: [{ command: marker('app-started') }] } });
    const before = await treeOf(ws.uploads);
    const dbBefore = readFileSync(ws.db);
    const result = await runCli(['restore', '--plan', ws.plan]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The pre_restore hook 1 \[.*\] failed \(exit 4\)/);
    expect(readFileSync(join(ws.dir, 'app-started'), 'utf8')).toBe('ran');
    expect(await treeOf(ws.uploads)).toEqual(before);
    expect(readFileSync(ws.db).equals(dbBefore)).toBe(true);
  });
  it('a failing post_restore hook after a good restore: the data is restored, and the run says so with exit 1', async () => {
    expect((await runCli(['backup', '--plan', ws.plan])).code).toBe(0);
    ws.writePlan({ ...basePlan(ws.dir), hooks: { post_restore: [{ command: [process.execPath, '-e', 'process.exit(7)'] }] } });
    const result = await runCli(['restore', '--plan', ws.plan]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/was restored and its checks passed, but a post_restore hook failed: .*\(exit 7\)/);
    expect(result.stderr).toMatch(/hint: The data is restored; start the app/);
  });
});
