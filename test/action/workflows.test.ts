/**
 * Workflow files: the templates in workflows/ and what `restorable workflow`
 * writes, each validated against GitHub's published schemas by
 * @action-validator/cli (offline, one file per call), plus what the schema
 * cannot see: the cron from the plan, secrets mapped into env, one
 * concurrency group per plan, least permissions, and the restore's typed
 * confirmation (run for real with bash).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { staticTemplates } from '../../src/workflows/templates.js';
import { json, ROOT, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const VALIDATOR = join(ROOT, 'node_modules', '.bin', 'action-validator');
const TEMPLATES = join(ROOT, 'workflows');

async function validate(file: string): Promise<void> {
  const result = await promisify(execFile)(VALIDATOR, [file]).then(
    () => ({ code: 0, out: '' }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, out: `${error.stdout}${error.stderr}` }),
  );
  expect(result.code, `${file}:\n${result.out}`).toBe(0);
}

type Workflow = {
  on: Record<string, unknown> & { schedule?: { cron: string }[] };
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { 'runs-on': unknown; 'timeout-minutes'?: number; environment?: string; steps: { uses?: string; with?: Record<string, string | boolean>; env?: Record<string, string>; run?: string }[] }>;
};
const read = (file: string) => parse(readFileSync(file, 'utf8')) as Workflow;

describe('the workflow templates in workflows/', () => {
  it('are what the generator writes (the build writes them; edit src/workflows/templates.ts, not the files)', () => {
    const expected = staticTemplates();
    expect(readdirSync(TEMPLATES).sort()).toEqual(expected.map((t) => t.file).sort());
    for (const t of expected) expect(readFileSync(join(TEMPLATES, t.file), 'utf8'), t.file).toBe(t.content);
  });

  it.each(staticTemplates().map((t) => t.file))('%s validates against the workflow schema', async (file) => {
    await validate(join(TEMPLATES, file));
  });

  it('the matrix runs each plan on its own runner, in its own concurrency group, without fail-fast', () => {
    const matrix = parse(readFileSync(join(TEMPLATES, 'matrix.yml'), 'utf8')) as { jobs: { backup: { strategy: { 'fail-fast': boolean; matrix: { include: { runner: unknown }[] } }; concurrency: { group: string }; 'runs-on': string } } };
    const job = matrix.jobs.backup;
    expect(job.strategy['fail-fast']).toBe(false);
    expect(job.strategy.matrix.include.map((i) => i.runner)).toContainEqual(['self-hosted', 'linux']);
    expect(job['runs-on']).toBe('${{ matrix.runner }}');
    expect(job.concurrency.group).toBe('restorable-${{ matrix.name }}');
  });
});

describe('restorable workflow', () => {
  let ws: Workspace;
  const out = () => join(ws.dir, '.github', 'workflows');
  beforeEach(() => {
    ws = makeWorkspace({ assets: 1 });
    const plan = basePlan(ws.dir) as { targets: Record<string, unknown>[]; schedule?: unknown };
    plan.targets[2]!.path = '${CLOUD_ROOT}';
    ws.writePlan({ ...plan, schedule: { backup: '15 3 * * *' } });
  });
  afterEach(() => ws.cleanup());

  it('shows the files on --dry-run and writes nothing', async () => {
    const result = await runCli(['workflow', '--dry-run'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`# ${join(out(), 'restorable-testapp-backup.yml')} (new)`);
    expect(result.stdout).toContain("cron: 15 3 * * *");
    expect(result.stdout).toContain('CLOUD_ROOT: ${{ secrets.CLOUD_ROOT }}');
    expect(existsSync(out())).toBe(false);
  });

  it('writes a scheduled backup, a weekly drill and a confirmed restore, valid and wired to the plan', async () => {
    // No CLOUD_ROOT here: the secrets a plan reads live in the repository's settings, not on this machine.
    const result = await runCli(['workflow'], { cwd: ws.dir, env: { CLOUD_ROOT: undefined } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('runs-on: self-hosted, because the sources db, uploads read files');
    const files = readdirSync(out()).sort();
    expect(files).toEqual(['restorable-testapp-backup.yml', 'restorable-testapp-drill.yml', 'restorable-testapp-restore.yml', 'restorable-testapp-watch.yml']);
    for (const file of files) await validate(join(out(), file));

    const [backup, drill, restore] = files.map((f) => read(join(out(), f))) as [Workflow, Workflow, Workflow];
    expect(backup.on.schedule).toEqual([{ cron: '15 3 * * *' }]);
    expect(drill.on.schedule).toEqual([{ cron: '0 4 * * 0' }]);
    expect(restore.on).not.toHaveProperty('schedule');
    for (const wf of [backup, drill, restore]) {
      expect(wf.concurrency).toEqual({ group: 'restorable-testapp', 'cancel-in-progress': false });
      expect(wf.permissions).toEqual({ contents: 'read' });
      const job = Object.values(wf.jobs)[0]!;
      expect(job['runs-on']).toBe('self-hosted');
      // A hung tool cannot hold the runner and the plan's concurrency group for GitHub's default hours.
      expect(job['timeout-minutes']).toBeGreaterThan(0);
      expect(job['timeout-minutes']).toBeLessThanOrEqual(360);
      const step = job.steps.find((s) => s.uses === 'restorable/restorable@v1')!;
      expect(step.with!.plan).toBe('restorable.yml');
      expect(step.env).toEqual({ CLOUD_ROOT: '${{ secrets.CLOUD_ROOT }}' });
    }
    expect(Object.values(restore.jobs)[0]!.steps.find((s) => s.uses?.startsWith('restorable/'))!.with).toMatchObject({ command: 'restore', backup: '${{ inputs.backup }}', target: '${{ inputs.target }}', to: '${{ inputs.to }}' });
    expect(Object.keys((restore.on.workflow_dispatch as { inputs: object }).inputs)).toEqual(expect.arrayContaining(['backup', 'source', 'target', 'to', 'confirm']));
    // Its files source is a tar: there are no paths to pick.
    expect((restore.on.workflow_dispatch as { inputs: object }).inputs).not.toHaveProperty('path');
    // The watchdog: status on its own schedule, in its own group (it only reads: never queued behind a backup).
    const watch = read(join(out(), 'restorable-testapp-watch.yml'));
    expect(watch.on.schedule).toEqual([{ cron: '30 */6 * * *' }]);
    expect(watch.concurrency).toEqual({ group: 'restorable-testapp-watch', 'cancel-in-progress': false });
    const watchStep = Object.values(watch.jobs)[0]!.steps.find((s) => s.uses === 'restorable/restorable@v1')!;
    expect(watchStep.with).toMatchObject({ command: 'status', plan: 'restorable.yml', html: 'restorable-status.html' });
    expect(Object.values(watch.jobs)[0]!.steps.at(-1)).toMatchObject({ if: 'always()', uses: 'actions/upload-artifact@v6', with: { path: 'restorable-status.html' } });
    expect(watchStep.env).toEqual({ CLOUD_ROOT: '${{ secrets.CLOUD_ROOT }}' });
    // Required reviewers on an environment are how Actions gates a dangerous run.
    expect(Object.values(restore.jobs)[0]!.environment).toBe('restorable-testapp-restore');
    expect(Object.values(backup.jobs)[0]!.environment).toBeUndefined();
    for (const wf of [backup, drill, restore, watch]) {
      const checkout = Object.values(wf.jobs)[0]!.steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
      expect(checkout.with).toEqual({ 'persist-credentials': false });
    }
  });

  it('every template job has timeout-minutes and checks out without persisting credentials', () => {
    for (const t of staticTemplates()) {
      for (const job of Object.values((parse(t.content) as Workflow).jobs)) {
        expect(job['timeout-minutes'], t.file).toBeGreaterThan(0);
        expect(job.steps.find((s) => s.uses?.startsWith('actions/checkout@'))!.with, t.file).toEqual({ 'persist-credentials': false });
      }
    }
  });

  it('the restore workflow stops unless the confirmation is typed exactly', async () => {
    expect((await runCli(['workflow'], { cwd: ws.dir })).code).toBe(0);
    const restore = read(join(out(), 'restorable-testapp-restore.yml'));
    const check = Object.values(restore.jobs)[0]!.steps[0]!;
    expect(check.env).toMatchObject({ CONFIRM: '${{ inputs.confirm }}', EXPECTED: 'restore testapp' });
    const run = (confirm: string) => spawnSync('bash', ['-c', check.run!], { env: { PATH: process.env.PATH, CONFIRM: confirm, EXPECTED: 'restore testapp' }, encoding: 'utf8' });
    const wrong = run('restore testap; rm -rf /');
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toContain('::error::Type "restore testapp" in the confirm input');
    expect(run('restore testapp').status).toBe(0);
  });

  it('keeps edited files unless --force, and rewrites nothing that is unchanged', async () => {
    expect((await runCli(['workflow'], { cwd: ws.dir })).code).toBe(0);
    const again = await runCli(['workflow', '--json'], { cwd: ws.dir });
    expect(json<{ files: { status: string }[] }>(again).files.map((f) => f.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    const edited = join(out(), 'restorable-testapp-drill.yml');
    writeFileSync(edited, `${readFileSync(edited, 'utf8')}# my edit\n`);
    const refused = await runCli(['workflow'], { cwd: ws.dir });
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain('restorable-testapp-drill.yml already exists with other content; nothing was written');
    expect(readFileSync(edited, 'utf8')).toContain('# my edit');
    const forced = await runCli(['workflow', '--force', '--runs-on', 'self-hosted', '--runs-on', 'nas'], { cwd: ws.dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(edited, 'utf8')).not.toContain('# my edit');
    expect(read(edited).jobs.drill!['runs-on']).toEqual(['self-hosted', 'nas']);
  });

  it('offers restoring one path when the plan keeps a files source in a repository, wired to the Action, valid', async () => {
    const plan = basePlan(ws.dir) as { sources: { name: string; storage?: string }[] };
    delete plan.sources.find((s) => s.name === 'uploads')!.storage; // the default: a repository
    ws.writePlan(plan);
    const result = await runCli(['workflow', '--plan', ws.plan, '--out', 'wf'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    const file = join(ws.dir, 'wf', 'restorable-testapp-restore.yml');
    await validate(file);
    const restore = read(file);
    const inputs = (restore.on.workflow_dispatch as { inputs: Record<string, { description: string; type: string }> }).inputs;
    expect(inputs.path).toMatchObject({ type: 'string' });
    expect(inputs.path!.description).toContain('uploads');
    expect(restore.jobs.restore!.steps.find((s) => s.uses?.startsWith('restorable/'))!.with).toMatchObject({ command: 'restore', path: '${{ inputs.path }}' });
  });

  it('grants actions: write and the job token only to plans with a target stored by GitHub', async () => {
    const plan = basePlan(ws.dir) as { targets: Record<string, unknown>[] };
    ws.writePlan({ ...plan, targets: [...plan.targets, { name: 'gh', type: 'github-artifact', retention_days: 30 }], encryption: { age_recipients: ['age1x'] } });
    const result = await runCli(['workflow', '--plan', ws.plan, '--out', 'wf', '--uses', 'acme/restorable@v2'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    const drill = read(join(ws.dir, 'wf', 'restorable-testapp-drill.yml'));
    expect(drill.permissions).toEqual({ contents: 'read', actions: 'write' });
    const step = drill.jobs.drill!.steps[1]!;
    expect(step.uses).toBe('acme/restorable@v2');
    expect(step.env).toEqual({ RESTORABLE_AGE_IDENTITY: '${{ secrets.RESTORABLE_AGE_IDENTITY }}', GITHUB_TOKEN: '${{ github.token }}' });
    // The backup never needs the identity: it only encrypts.
    expect(read(join(ws.dir, 'wf', 'restorable-testapp-backup.yml')).jobs.backup!.steps[1]!.env).toEqual({ GITHUB_TOKEN: '${{ github.token }}' });
  });
});
