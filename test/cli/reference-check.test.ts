/**
 * Reference checks (`expect: {files_exist: ...}`): every path the restored
 * database names is a file in the restored files source. Real SQLite
 * library and uploads from the quickstart generator, through the CLI.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { treeOf } from '../helpers/tree.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace({ assets: 12 });
});
afterEach(() => ws.cleanup());

const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan], { cwd: ws.dir });

function withChecks(...checks: Record<string, unknown>[]): void {
  const plan = basePlan(ws.dir) as { restore: { healthchecks: unknown[] } };
  plan.restore.healthchecks.push(...checks);
  ws.writePlan(plan);
}

describe('files_exist reference checks', () => {
  it('pass when every referenced file came back, with and without a prefix to strip; fail with the count and the first missing paths when the backup lacks one', async () => {
    withChecks(
      { name: 'assets-present', source: 'db', sql: 'select path from assets', expect: { files_exist: { in: 'uploads' } } },
      { name: 'assets-present-abs', source: 'db', sql: "select '/usr/src/app/upload/' || path from assets;", expect: { files_exist: { in: 'uploads', strip_prefix: '/usr/src/app/upload/' } } },
    );
    expect((await cli('backup')).code).toBe(0);
    const drill = await cli('drill');
    expect(drill.code, drill.stderr).toBe(0);
    expect(drill.stderr).toMatch(/health check "assets-present": ok/);
    expect(drill.stderr).toMatch(/health check "assets-present-abs": ok/);

    // A referenced upload is gone from the live folder, and the next backup lacks it.
    rmSync(join(ws.uploads, 'grace', 'IMG_0001.jpg'));
    rmSync(join(ws.uploads, 'linus', 'IMG_0002.jpg'));
    expect((await cli('backup')).code).toBe(0);
    const failing = await cli('drill', '--json');
    expect(failing.code).toBe(4);
    expect(failing.stderr).toMatch(/"assets-present" \(2 of 12 referenced files are missing from files source "uploads": grace\/IMG_0001\.jpg, linus\/IMG_0002\.jpg\)/);
    expect(failing.stderr).toMatch(/"assets-present-abs" \(2 of 12 referenced files are missing from files source "uploads": \/usr\/src\/app\/upload\/grace\/IMG_0001\.jpg/);

    // A restore of that backup is rolled back before the swap: the live data stays as it is.
    const live = await treeOf(ws.uploads);
    const restore = await cli('restore', '--json');
    expect(restore.code).toBe(4);
    expect(await treeOf(ws.uploads)).toEqual(live);
  });

  it('a path outside the source (another prefix, ..) counts as missing and is never looked up outside it', async () => {
    withChecks({ name: 'refs', source: 'db', sql: "select path from assets union all select '../app/version.json' union all select '/etc/passwd'", expect: { files_exist: { in: 'uploads' } } });
    expect((await cli('backup')).code).toBe(0);
    const drill = await cli('drill');
    expect(drill.code).toBe(4);
    expect(drill.stderr).toMatch(/2 of 14 referenced files are missing from files source "uploads": \.\.\/app\/version\.json, \/etc\/passwd/);
  });

  it('validate refuses files_exist naming a source that is not a files source', async () => {
    withChecks({ name: 'refs', source: 'db', sql: 'select path from assets', expect: { files_exist: { in: 'db' } } });
    const result = await cli('validate', '--json');
    expect(result.code).toBe(2);
    expect(JSON.stringify(json(result))).toMatch(/files_exist needs a files source; \\"db\\" is of type sqlite/);
  });
});
