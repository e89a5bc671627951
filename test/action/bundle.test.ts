/**
 * The bundled Action (dist/index.js) on Node 24, run as a runner runs it: a
 * checkout of action.yml + dist/ without node_modules (better-sqlite3 cannot
 * load, so SQLite goes through node:sqlite), INPUT_* variables, and the
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. A secret reaches the plan
 * through ${VAR} and into a value the log and summary print (a target path).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionCheckout, runAction } from '../helpers/action.js';
import { node24, runCli } from '../helpers/cli.js';
import { requireService } from '../helpers/net.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const NODE24 = node24();
const SECRET = 'Sup3r-s3cret_token-9f2c';
requireService('the built Action (dist/index.js)', existsSync(join(import.meta.dirname, '..', '..', 'dist', 'index.js')), 'npm run build');

/** Every log line that mentions the secret must come after its ::add-mask:: line, and only that line may hold it. */
function expectMasked(log: string): void {
  const lines = log.split('\n');
  const mask = lines.findIndex((l) => l === `::add-mask::${SECRET}`);
  expect(mask, 'the secret is registered with ::add-mask::').toBeGreaterThanOrEqual(0);
  const holding = lines.map((l, i) => [l, i] as const).filter(([l]) => l.includes(SECRET));
  expect(holding.map(([, i]) => i)).toEqual([mask]);
  // Nothing printed before the mask could have been about the plan's values: the first lines are the mask(s) and the command line.
  expect(lines.slice(0, mask).every((l) => l.startsWith('::add-mask::') || l.startsWith('restorable: npx restorable'))).toBe(true);
}

describe('the bundled Action on Node 24', () => {
  let ws: Workspace;
  let action: { dir: string; cleanup(): void };
  const secretTarget = () => join(ws.dir, 'targets', `cloud-${SECRET}`);

  beforeAll(() => {
    ws = makeWorkspace();
    action = actionCheckout();
    const plan = basePlan(ws.dir) as { targets: Record<string, unknown>[] };
    plan.targets[2]!.path = join(ws.dir, 'targets', 'cloud-${CLOUD_TOKEN}');
    ws.writePlan({ ...plan, retention: { keep_last: 5 } });
    mkdirSync(secretTarget(), { recursive: true });
  });
  afterAll(() => {
    ws?.cleanup();
    action?.cleanup();
  });

  const run = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
    runAction({ node: NODE24, actionDir: action.dir, workspace: ws.dir, inputs: { plan: 'restorable.yml', ...inputs }, env: { CLOUD_TOKEN: SECRET, ...env } });

  it('backs up: outputs, one group per step, a summary with tables, the secret masked first and nowhere else', async () => {
    const result = await run({ command: 'backup' });
    expect(result.code, result.log).toBe(0);
    // Outputs.
    expect(result.outputs['backup-id']).toMatch(/^\d{8}T\d{6}Z-v[\w.-]+-[0-9a-f]{6}$/);
    expect(result.outputs.copies).toBe('3');
    expect(result.outputs['policy-met']).toBe('true');
    expect(Number(result.outputs.bytes)).toBeGreaterThan(1000);
    expect(Number(result.outputs['duration-seconds'])).toBeGreaterThan(0);
    const manifest = JSON.parse(result.outputs.manifest!) as { backup_id: string; trigger: string; github: { repository: string; run_id: string }; sources: { name: string; method: string; engine: { name: string } }[] };
    expect(manifest.backup_id).toBe(result.outputs['backup-id']);
    expect(manifest.trigger).toBe('manual');
    expect(manifest.github).toMatchObject({ repository: 'acme/photos', run_id: '4242' });
    // No better-sqlite3 beside the checkout: the snapshot went through Node 24's node:sqlite.
    expect(manifest.sources.find((s) => s.name === 'db')!.method).toBe('online backup (node:sqlite)');
    // The log: the equivalent CLI command, one group per step, closed, each followed by its timing.
    expect(result.log).toContain('restorable: npx restorable backup --plan restorable.yml');
    const groups = result.log.match(/^::group::.*$/gm) ?? [];
    expect(groups).toEqual(expect.arrayContaining(['::group::preflight', '::group::snapshot db', '::group::snapshot uploads', '::group::verify copies', '::group::policy 3-2-1', '::group::commit manifest', '::group::prune', '::group::report']));
    expect(result.log.match(/^::endgroup::$/gm)).toHaveLength(groups.length);
    expect(result.log).toMatch(/^✓ snapshot db: ok in \d+\.\d\ds/m);
    // The summary: sources with sizes and counts, targets with verified copies, the verdict, retention, steps.
    for (const heading of ['Sources', 'Targets', 'Copy policy: met', 'Retention', 'Steps']) expect(result.summary).toContain(`<h3>${heading}</h3>`);
    expect(result.summary).toMatch(/<td>db<\/td><td>sqlite<\/td>.*<td>\d+(\.\d)? KiB<\/td><td>[^<]*\d+ rows/);
    expect(result.summary).toMatch(/<td>cloud<\/td><td>local<\/td><td>cloud-drive<\/td><td>yes<\/td><td>verified /);
    expect(result.summary).toContain(`<h2>restorable backup &quot;testapp&quot; (restorable.yml) ${result.outputs['backup-id']}: ok`);
    // Masking.
    expectMasked(result.log);
    expect(result.summary).not.toContain(SECRET);
    expect(JSON.stringify(result.outputs)).not.toContain(SECRET);
    expect(result.outputs.result).toContain('cloud-***');
  });

  it('drills the latest backup: health checks and recovery time in the summary and outputs', async () => {
    const result = await run({ command: 'drill' });
    expect(result.code, result.log).toBe(0);
    expect(result.outputs['backup-id']).toMatch(/^\d{8}T\d{6}Z-/);
    expect(Number(result.outputs['duration-seconds'])).toBeGreaterThan(0);
    const data = JSON.parse(result.outputs.result!) as { checks: { name: string; status: string }[]; counts: Record<string, Record<string, number>> };
    expect(data.checks.map((c) => [c.name, c.status])).toEqual([
      ['integrity', 'ok'],
      ['users', 'ok'],
    ]);
    expect(data.counts.db!.rows).toBeGreaterThan(0);
    expect(result.summary).toContain('<h3>Health checks</h3>');
    expect(result.summary).toMatch(/<td>integrity<\/td><td>ok<\/td><td>\d+\.\d\d s<\/td>/);
    expect(result.summary).toMatch(/<td>a scratch place \(live data untouched\)<\/td><td>\d+\.\d\d s<\/td>/);
    expectMasked(result.log);
    expect(result.summary).not.toContain(SECRET);
  });

  it('fails a backup short of 3-2-1 with exit 3, policy-met=false and an error annotation', async () => {
    const result = await run({ command: 'backup' }, { CLOUD_TOKEN: 'no-such-folder-token' });
    expect(result.code, result.log).toBe(3);
    expect(result.outputs['policy-met']).toBe('false');
    expect(result.outputs.copies).toBe('2');
    expect(result.log).toMatch(/^::warning::Target "cloud" dropped out/m);
    expect(result.log).toMatch(/^::error::The 3-2-1 rule is not met/m);
    expect(result.summary).toContain('<h3>Copy policy: NOT met</h3>');
    expect(result.summary).toMatch(/failed \(exit 3\)/);
    expect(result.log.split('\n').filter((l) => l.includes('no-such-folder-token'))).toEqual(['::add-mask::no-such-folder-token']);
  });

  it('masks standard secret variables before anything prints; a failed backup still sets copies, policy-met and result', async () => {
    const key = 'aws-secret-KEY-for-the-mask-test';
    const hook = ['sh', '-c', 'echo "hook sees $AWS_SECRET_ACCESS_KEY" >&2; exit 9'];
    writeFileSync(join(ws.dir, 'failing.yml'), readFileSync(ws.plan, 'utf8').replace(/^hooks:.*$/m, '') + `hooks:\n  pre_backup: [{command: ${JSON.stringify(hook)}}]\n`);
    const result = await run({ command: 'backup', plan: 'failing.yml' }, { AWS_SECRET_ACCESS_KEY: key });
    expect(result.code, result.log).toBe(1);
    const lines = result.log.split('\n');
    const holding = lines.filter((l) => l.includes(key));
    expect(holding).toEqual([`::add-mask::${key}`]);
    expect(lines.findIndex((l) => l.includes(key))).toBeLessThan(lines.findIndex((l) => l.startsWith('restorable: npx restorable')));
    expect(result.summary).not.toContain(key);
    expect(result.outputs).not.toHaveProperty('backup-id');
    expect(result.outputs.copies).toBe('0');
    expect(result.outputs['policy-met']).toBe('false');
    expect(JSON.parse(result.outputs.result!)).toMatchObject({ ok: false, error: { exitCode: 1 } });
    expect(JSON.stringify(result.outputs)).not.toContain(key);
  });

  it('a failing drill: exit 4, and the outputs and summary still carry its health checks', async () => {
    const plan = parse(readFileSync(ws.plan, 'utf8')) as { restore: { healthchecks: Record<string, unknown>[] } };
    plan.restore.healthchecks.push({ name: 'too many users', source: 'db', sql: 'select count(*) from users', expect: { min: 1_000_000 } });
    writeFileSync(join(ws.dir, 'failing-drill.yml'), stringify(plan));
    const result = await run({ command: 'drill', plan: 'failing-drill.yml' });
    expect(result.code, result.log).toBe(4);
    const data = JSON.parse(result.outputs.result!) as { ok: boolean; checks: { name: string; status: string }[]; error: { exitCode: number } };
    expect(data.ok).toBe(false);
    expect(data.error.exitCode).toBe(4);
    expect(data.checks.map((c) => [c.name, c.status])).toContainEqual(['too many users', 'failed']);
    expect(result.summary).toContain('<h3>Health checks</h3>');
    expect(result.summary).toMatch(/<td>too many users<\/td><td>failed<\/td>/);
  });

  it('annotates a plan mistake on the plan file at its line and column, exit 2', async () => {
    const result = await run({ command: 'validate', plan: 'missing-var.yml' }, { CLOUD_TOKEN: '' });
    expect(result.code).toBe(2);
    expect(result.log).toMatch(/^::error::No plan file at /m);
    const bad = await run({ command: 'backup' }, { CLOUD_TOKEN: undefined });
    expect(bad.code).toBe(2);
    expect(bad.log).toMatch(/^::error file=restorable\.yml,line=\d+,col=\d+::targets\[2\]\.path: the environment variable CLOUD_TOKEN is not set/m);
    expect(bad.outputs).not.toHaveProperty('backup-id');
  });

  it('command: plan prints and returns the very steps `restorable plan` shows', async () => {
    const action = await run({ command: 'plan' });
    expect(action.code, action.log).toBe(0);
    const cli = await runCli(['plan', '--plan', ws.plan, '--json'], { env: { CLOUD_TOKEN: SECRET } });
    const steps = (text: string) => (JSON.parse(text) as { steps: { id: string; title: string; detail: string[] }[] }).steps;
    expect(steps(action.outputs.result!)).toEqual(steps(cli.stdout));
    expect(action.log).toContain('The GitHub Action runs these same steps with `command: backup` and `plan: restorable.yml`');
    expect(action.summary).toContain('<h3>Backup pipeline (dry run)</h3>');
    expectMasked(action.log);
  });

  it('lists backups into the summary, and runs without a summary file (outside Actions) too', async () => {
    const listed = await run({ command: 'list' });
    expect(listed.code, listed.log).toBe(0);
    expect(listed.summary).toMatch(/<h3>Backups<\/h3>.*<td>nas, usb, cloud<\/td><td>passed /s);
    expect(listed.outputs['backup-id']).toMatch(/^\d{8}T\d{6}Z-/);
    const bare = await run({ command: 'validate' }, { GITHUB_STEP_SUMMARY: '' });
    expect(bare.code, bare.log).toBe(0);
    expect(bare.log).not.toMatch(/summary/i);
  });

  it('status: RPO and RTO against the objectives in the summary; a failing notifier is a warning there, exit code unchanged', async () => {
    const plan = parse(readFileSync(ws.plan, 'utf8')) as Record<string, unknown>;
    const { freePort } = await import('../helpers/net.js');
    ws.writePlan({ ...plan, objectives: { rpo: '26h', rto: '30m' }, notify: [{ name: 'pager', type: 'webhook', url: `http://127.0.0.1:${await freePort()}/x`, on: ['success'] }] });
    try {
      // The suite's last drill failed on purpose: a passing one first.
      expect((await run({ command: 'drill' })).code).toBe(0);
      const result = await run({ command: 'status', html: 'status.html' }, { RESTORABLE_RETRY_SECONDS: '1', RESTORABLE_STATE_DIR: join(ws.dir, 'state') });
      expect(result.code, result.log).toBe(0);
      expect(result.summary).toContain('<h3>Objectives</h3>');
      expect(result.log).toContain('restorable: npx restorable status --plan restorable.yml --html status.html');
      expect(readFileSync(join(ws.dir, 'status.html'), 'utf8')).toContain('<div class="verdict ok" id="verdict">Objectives met</div>');
      expect(result.summary).toMatch(/<td>RPO: age of the newest good backup<\/td><td>\d+s<\/td><td>26\.0h<\/td><td>met<\/td>/);
      expect(result.summary).toMatch(/<td>RTO: recovery time of the last drill<\/td><td>\d+(\.\d)?s<\/td><td>30m<\/td><td>met<\/td>/);
      expect(result.summary).toContain('Warning: notifier &quot;pager&quot; (webhook) failed');
      expect(result.log).toMatch(/^::warning::notifier "pager" \(webhook\) failed/m);
      expect(JSON.parse(result.outputs.result!)).toMatchObject({ newest: { copies: ['nas', 'usb', 'cloud'] } });
    } finally {
      ws.writePlan(plan);
    }
  });

  it('restores some paths of a repository backup into a folder of their own (path, into): the files by content, the summary says where, live data untouched', async () => {
    const plan = parse(readFileSync(ws.plan, 'utf8')) as { sources: { name: string; storage?: string }[] };
    plan.sources.find((s) => s.name === 'uploads')!.storage = 'repository';
    writeFileSync(join(ws.dir, 'repo.yml'), stringify(plan));
    const backup = await run({ command: 'backup', plan: 'repo.yml' });
    expect(backup.code, backup.log).toBe(0);
    const wanted = readdirSync(ws.uploads, { recursive: true, withFileTypes: true }).find((e) => e.isFile() && !e.parentPath.includes('thumbs') && !e.name.endsWith('.tmp'))!;
    const rel = relative(ws.uploads, join(wanted.parentPath, wanted.name));
    const live = readFileSync(join(ws.uploads, rel));
    const result = await run({ command: 'restore', plan: 'repo.yml', source: 'uploads', path: `${rel}\n`, into: 'restored' });
    expect(result.code, result.log).toBe(0);
    expect(result.log).toContain(`restorable: npx restorable restore --plan repo.yml --source uploads --path '${rel}' --into restored`);
    expect(readFileSync(join(ws.dir, 'restored', rel))).toEqual(live);
    expect(readdirSync(join(ws.dir, 'restored'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())).toHaveLength(1);
    expect(result.outputs['backup-id']).toBe(backup.outputs['backup-id']);
    expect(result.summary).toContain('<h3>Restore of some paths</h3>');
    expect(result.summary).toContain(`<td>${join(ws.dir, 'restored')}</td><td>1 file`);
    expect(result.summary).toContain('Live data untouched.');
    expect(result.summary).not.toContain(SECRET);
  });

  it('refuses a command the Action does not run, naming the ones it does', async () => {
    const result = await run({ command: 'schema' });
    expect(result.code).toBe(2);
    expect(result.log).toMatch(/^::error::The input "command" is "schema".*%0AHint: Use one of: backup, restore, drill/m);
  });
});
