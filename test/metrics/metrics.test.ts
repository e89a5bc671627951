/**
 * Prometheus metrics through the real CLI: `--metrics-file` (checked by
 * promtool, merged across commands, counters continuing) and a real
 * Pushgateway, read back from its /metrics.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { recordSent } from '../helpers/leaks.js';
import { freePort } from '../helpers/net.js';
import { promtoolCheck, startPushgateway, type Pushgateway } from '../helpers/pushgateway.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace({ assets: 4 });
});
afterEach(() => ws.cleanup());

// A secret in a target's path (read through ${VAR}): it must not reach a metric or a label (the suite's leak scan reads the file and the gateway's /metrics).
const PATH_SECRET = 'metrics-path-secret-4e7a1b';
const env = () => ({ RESTORABLE_STATE_DIR: join(ws.dir, 'state'), RESTORABLE_RETRY_SECONDS: '1', CLOUD_SECRET: PATH_SECRET });
/** The workspace's plan with the cloud target at a path that holds the secret. */
function secretPlan(extra: Record<string, unknown> = {}): void {
  const plan = basePlan(ws.dir) as { targets: Record<string, unknown>[] };
  const dir = join(ws.dir, 'targets', `cloud-${PATH_SECRET}`);
  mkdirSync(dir, { recursive: true });
  plan.targets[2]!.path = join(ws.dir, 'targets', 'cloud-${CLOUD_SECRET}');
  ws.writePlan({ ...plan, ...extra });
}
const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan], { env: env() });

/** One sample's value: `name{labels...}` with the labels given (others may be there too). */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...match[2]!.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

describe('--metrics-file', () => {
  it('passes promtool, holds the backup figures, and keeps them through a drill and a failed backup', async () => {
    secretPlan();
    const file = join(ws.dir, 'restorable.prom');
    const backup = await cli('backup', '--json', '--metrics-file', file);
    expect(backup.code, backup.stderr).toBe(0);
    const result = json<{ id: string; manifest: { finished_at: string; sources: { name: string; artifact: { bytes: number } }[] } }>(backup);
    let text = readFileSync(file, 'utf8');
    recordSent('metrics file', text);
    const check = await promtoolCheck(text);
    expect(check, check.output).toMatchObject({ code: 0, output: '' });
    const plan = { plan: 'testapp' };
    expect(value(text, 'restorable_backup_last_success_timestamp_seconds', plan)).toBe(Date.parse(result.manifest.finished_at) / 1000);
    for (const s of result.manifest.sources) expect(value(text, 'restorable_backup_bytes', { ...plan, source: s.name })).toBe(s.artifact.bytes);
    expect(value(text, 'restorable_backup_copies', plan)).toBe(3);
    expect(value(text, 'restorable_backup_policy_met', plan)).toBe(1);
    expect(value(text, 'restorable_backup_target_verified', { ...plan, target: 'cloud' })).toBe(1);
    expect(value(text, 'restorable_runs_total', { ...plan, command: 'backup', result: 'success' })).toBe(1);
    expect(text).toMatch(/^# TYPE restorable_runs_total counter$/m);
    expect(text).not.toContain(PATH_SECRET);

    const drill = await cli('drill', '--json', '--metrics-file', file);
    expect(drill.code, drill.stderr).toBe(0);
    text = readFileSync(file, 'utf8');
    expect(value(text, 'restorable_drill_success', plan)).toBe(1);
    expect(value(text, 'restorable_drill_recovery_seconds', plan)).toBeCloseTo(json<{ durationMs: number }>(drill).durationMs / 1000, 3);
    // The backup's figures are still there: a drill does not erase them.
    expect(value(text, 'restorable_backup_last_success_timestamp_seconds', plan)).toBe(Date.parse(result.manifest.finished_at) / 1000);
    expect(value(text, 'restorable_runs_total', { ...plan, command: 'backup', result: 'success' })).toBe(1);
    expect(value(text, 'restorable_runs_total', { ...plan, command: 'drill', result: 'success' })).toBe(1);

    rmSync(join(ws.dir, 'app', 'uploads'), { recursive: true });
    expect((await cli('backup', '--metrics-file', file)).code).toBe(1);
    text = readFileSync(file, 'utf8');
    expect(value(text, 'restorable_runs_total', { ...plan, command: 'backup', result: 'failure' })).toBe(1);
    expect(value(text, 'restorable_runs_total', { ...plan, command: 'backup', result: 'success' })).toBe(1);
    expect(value(text, 'restorable_last_run_success', { ...plan, command: 'backup' })).toBe(0);
    // The last success is still the last success.
    expect(value(text, 'restorable_backup_last_success_timestamp_seconds', plan)).toBe(Date.parse(result.manifest.finished_at) / 1000);
    expect((await promtoolCheck(text)).code).toBe(0);
  });

  it('an unwritable metrics file is a warning; the exit code stands', async () => {
    const result = await cli('backup', '--metrics-file', join(ws.dir, 'no-such-dir', 'x.prom'));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Could not write the metrics file .*x\.prom: .*ENOENT/);
  });

  it('is refused for commands that run nothing', async () => {
    const result = await cli('list', '--metrics-file', join(ws.dir, 'x.prom'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--metrics-file does nothing for list/);
  });
});

describe('Pushgateway', () => {
  let gateway: Pushgateway;
  beforeAll(async () => {
    gateway = await startPushgateway();
  });
  afterAll(() => gateway.close());

  it('receives every command, grouped by job, plan and instance; counters go on', async () => {
    secretPlan({ metrics: { pushgateway: gateway.url, instance: 'nas-box' } });
    expect((await cli('backup')).code).toBe(0);
    expect((await cli('drill')).code).toBe(0);
    expect((await cli('backup')).code).toBe(0);
    const text = await gateway.metrics();
    const group = { job: 'restorable', plan: 'testapp', instance: 'nas-box' };
    expect(value(text, 'restorable_runs_total', { ...group, command: 'backup', result: 'success' })).toBe(2);
    expect(value(text, 'restorable_runs_total', { ...group, command: 'drill', result: 'success' })).toBe(1);
    expect(value(text, 'restorable_backup_copies', group)).toBe(3);
    expect(value(text, 'restorable_drill_success', group)).toBe(1);
    expect(value(text, 'restorable_backup_bytes', { ...group, source: 'db' })).toBeGreaterThan(0);
    expect(value(text, 'push_time_seconds', group)).toBeGreaterThan(0);
    expect(text).not.toContain(PATH_SECRET);
  });

  it('a gateway that is down is a warning; the exit code stands', async () => {
    ws.writePlan({ ...basePlan(ws.dir), metrics: { pushgateway: `http://127.0.0.1:${await freePort()}` } });
    const result = await cli('backup');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Could not push the metrics to the Pushgateway: .*ECONNREFUSED/);
  });
});
