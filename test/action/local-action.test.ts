/**
 * Smoke test with GitHub's local action runner (@github/local-action), which
 * runs the TypeScript source (src/action/run.ts) with its own stand-ins for
 * @actions/core. It exits 0 even when the action fails, so these tests
 * assert on what it prints, never on its exit code.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { requireService } from '../helpers/net.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const LOCAL_ACTION = join(ROOT, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js');
const SECRET = 'La-s3cret-d1r-7c1e';
requireService(`@github/local-action (${LOCAL_ACTION})`, existsSync(LOCAL_ACTION), 'npm ci (a dev dependency)');

describe('@github/local-action runs the source', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = makeWorkspace({ assets: 2 });
    const plan = basePlan(ws.dir) as { targets: Record<string, unknown>[] };
    plan.targets[2]!.path = join(ws.dir, 'targets', '${CLOUD_DIR}');
    ws.writePlan(plan);
    mkdirSync(ws.target(SECRET), { recursive: true });
  });
  afterAll(() => ws?.cleanup());

  async function localAction(vars: Record<string, string>): Promise<string> {
    const dotenv = join(ws.dir, `${Object.values(vars).join('-').replace(/\W/g, '_')}.env`);
    const env = { INPUT_PLAN: 'restorable.yml', GITHUB_WORKSPACE: ws.dir, GITHUB_ACTIONS: 'true', LOCAL_ACTION_WORKSPACE: ws.dir, ...vars };
    writeFileSync(dotenv, Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n'));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [LOCAL_ACTION, 'run', ROOT, 'src/action/run.ts', dotenv], {
      cwd: ROOT,
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INPUT_|GITHUB_)/.test(k))),
      maxBuffer: 64 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  }

  it('backs up with groups per step, the outputs set, and the secret nowhere in the output', async () => {
    const out = await localAction({ INPUT_COMMAND: 'backup', CLOUD_DIR: SECRET });
    expect(out).toContain('restorable: npx restorable backup --plan restorable.yml');
    expect(out).toContain('::group::snapshot db');
    expect(out).toMatch(/✓ commit manifest: ok in \d+\.\d\ds/);
    expect(out).toMatch(/::set-output name=backup-id::\d{8}T\d{6}Z-/);
    expect(out).toContain('::set-output name=policy-met::true');
    expect(out).toContain('::set-output name=copies::3');
    expect(out).not.toContain(SECRET);
    expect(out).not.toMatch(/::error/);
  });

  it('reports a failure as an error (its exit code says nothing)', async () => {
    const out = await localAction({ INPUT_COMMAND: 'drill', INPUT_BACKUP: '20000101T000000Z-v0-000000', CLOUD_DIR: SECRET });
    expect(out).toMatch(/::error::.*20000101T000000Z-v0-000000/);
    expect(out).not.toContain(SECRET);
  });
});
