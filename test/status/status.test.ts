/**
 * `restorable status`, the watchdog, through the real CLI: it reads only the
 * targets (manifests, drill records) and checks the plan's objectives. Each
 * case has its exit code and its words: fresh, stale by the manifest's time,
 * a failed drill, no backup at all, a target that cannot be read.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, noStackTrace, runCli } from '../helpers/cli.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/receivers.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace({ assets: 4 });
});
afterEach(() => ws.cleanup());

const env = () => ({ RESTORABLE_STATE_DIR: join(ws.dir, 'state'), RESTORABLE_RETRY_SECONDS: '1' });
const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan], { env: env() });
const objectives = { rpo: '26h', rto: '30m', drill_max_age: '8d' };
const plan = (extra: Record<string, unknown> = {}) => ws.writePlan({ ...basePlan(ws.dir), objectives, ...extra });

interface Status {
  ok: boolean;
  newest: { id: string; age_seconds: number; copies: string[] } | null;
  drill: { backup_id: string; ok: boolean; duration_seconds: number } | null;
  objectives: { name: string; met: boolean; actual_seconds: number | null; limit_seconds: number | null }[];
  problems: string[];
  targets: { name: string; reachable: boolean; backups: number }[];
  error?: { exitCode: number };
}

/** Moves a backup's manifest times back by `hours` on every target: a backup that old, by its manifest. */
function age(id: string, hours: number): void {
  for (const t of ['nas', 'usb', 'cloud']) {
    const file = join(ws.target(t), 'testapp', id, 'manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    for (const key of ['started_at', 'finished_at']) manifest[key] = new Date(Date.parse(manifest[key]) - hours * 3_600_000).toISOString();
    writeFileSync(file, JSON.stringify(manifest, null, 2));
  }
}

describe('status', () => {
  it('fresh: a recent backup with 3 copies and a passed drill meets every objective (exit 0)', async () => {
    plan();
    const backup = json<{ id: string }>(await cli('backup', '--json'));
    expect((await cli('drill')).code).toBe(0);
    const result = await cli('status');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Plan testapp: objectives met$/m);
    expect(result.stdout).toMatch(new RegExp(`newest good backup +${backup.id}, \\d+s old, 3 copies counted \\(nas, usb, cloud; 3-2-1\\)`));
    expect(result.stdout).toMatch(/last drill +\S+: passed/);
    expect(result.stdout).toMatch(/ok +rpo +newest good backup is \d+s old \(RPO 26\.0h\)/);

    const data = json<Status>(await cli('status', '--json'));
    expect(data.ok).toBe(true);
    expect(data.newest).toMatchObject({ id: backup.id, copies: ['nas', 'usb', 'cloud'] });
    expect(data.drill).toMatchObject({ backup_id: backup.id, ok: true });
    expect(data.objectives.map((o) => [o.name, o.met])).toEqual([['rpo', true], ['drill', true], ['drill_max_age', true], ['rto', true]]);
    expect(data.objectives.find((o) => o.name === 'rto')!.actual_seconds).toBe(data.drill!.duration_seconds);
    expect(data.objectives.find((o) => o.name === 'rpo')!.limit_seconds).toBe(26 * 3600);
  });

  it('stale: the newest backup is older than the RPO by its manifest time (exit 10), and a notifier hears "stale" then "recovered"', async () => {
    const http: HttpReceiver = await startHttpReceiver();
    try {
      plan({ objectives: { rpo: '26h' }, notify: [{ type: 'webhook', url: `${http.url}/hook` }] });
      const first = json<{ id: string }>(await cli('backup', '--json'));
      age(first.id, 30);
      const result = await cli('status');
      expect(result.code).toBe(10);
      expect(result.stdout).toMatch(/^Plan testapp: objectives NOT met$/m);
      expect(result.stdout).toMatch(/NOT rpo +newest good backup is 30\.0h old \(RPO 26\.0h\)/);
      expect(result.stderr).toMatch(/error: testapp: newest good backup is 30\.0h old/);
      expect(result.stderr).toMatch(/hint: Run a backup/);
      noStackTrace(result);
      const data = json<Status>(await cli('status', '--json'));
      expect(data).toMatchObject({ ok: false, error: { exitCode: 10 } });
      expect(data.newest!.age_seconds).toBeGreaterThanOrEqual(30 * 3600);

      expect((await cli('backup')).code).toBe(0);
      expect((await cli('status')).code).toBe(0);
      const events = http.requests.map((r) => JSON.parse(r.body) as { event: string; command: string; problems: string[] });
      expect(events.map((e) => `${e.command} ${e.event}`)).toEqual(['status stale', 'status stale', 'status recovered']);
      expect(events[0]!.problems).toEqual(['newest good backup is 30.0h old (RPO 26.0h)']);
    } finally {
      await http.close();
    }
  });

  it('a failed drill misses the objectives (exit 10) even with a fresh backup', async () => {
    const healthchecks = [{ name: 'many users', source: 'db', sql: 'select count(*) from users', expect: { min: 1_000_000 } }];
    plan({ restore: { healthchecks } });
    expect((await cli('backup')).code).toBe(0);
    expect((await cli('drill')).code).toBe(4);
    const result = await cli('status');
    expect(result.code).toBe(10);
    expect(result.stdout).toMatch(/NOT drill +last drill FAILED \d+s ago/);
    expect(result.stdout).toMatch(/ok +rpo /);
  });

  it('a drill older than drill_max_age, or none at all, and a slow drill against the RTO', async () => {
    plan({ objectives: { drill_max_age: '8d', rto: '1s' } });
    expect((await cli('backup')).code).toBe(0);
    let data = json<Status>(await cli('status', '--json'));
    expect(data.problems).toEqual(['no drill has been recorded', 'no drill has measured the recovery time']);
    expect((await cli('drill')).code).toBe(0);
    const [id] = readdirSync(join(ws.target('nas'), 'testapp'));
    for (const t of ['nas', 'usb', 'cloud']) {
      const file = join(ws.target(t), 'testapp', id!, 'drill.json');
      const record = JSON.parse(readFileSync(file, 'utf8'));
      writeFileSync(file, JSON.stringify({ ...record, at: new Date(Date.now() - 9 * 86_400_000).toISOString(), duration_ms: 5000 }));
    }
    const result = await cli('status', '--json');
    expect(result.code).toBe(10);
    data = json<Status>(result);
    expect(data.objectives.filter((o) => !o.met).map((o) => o.name)).toEqual(['drill_max_age', 'rto']);
    expect(data.problems).toEqual(['last drill was 9.0d ago (at most 8.0d)', 'last drill recovered in 5s (RTO 1s)']);
  });

  it('no backup at all: exit 10, saying so', async () => {
    plan();
    const result = await cli('status');
    expect(result.code).toBe(10);
    expect(result.stdout).toMatch(/NOT backup +no complete backup on any reachable target/);
    expect(result.stdout).toMatch(/newest good backup +\(none meets the copy rule\)/);
  });

  it('a target that cannot be read: named, its copies not counted; with every target unreadable, exit 1', async () => {
    plan({ objectives: { rpo: '26h' } });
    expect((await cli('backup')).code).toBe(0);
    rmSync(ws.target('usb'), { recursive: true });
    writeFileSync(ws.target('usb'), 'not a folder');
    let result = await cli('status');
    // nas and cloud still make 3-2-1 with the live data.
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/2 copies counted \(nas, cloud; 3-2-1\)/);
    expect(result.stderr).toMatch(/Cannot read target "usb": .*its copies are not counted/);
    expect(result.stdout).toMatch(/target usb +UNREACHABLE: /);
    expect(result.stdout).toMatch(/\(target usb unreachable\)/);

    rmSync(ws.target('cloud'), { recursive: true });
    writeFileSync(ws.target('cloud'), 'not a folder');
    result = await cli('status');
    expect(result.code).toBe(10);
    expect(result.stdout).toMatch(/NOT backup +no backup has verified copies that meet the copy rule/);

    rmSync(ws.target('nas'), { recursive: true });
    writeFileSync(ws.target('nas'), 'not a folder');
    result = await cli('status');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No target of the plan could be read: nas \(.*\); usb/);
    noStackTrace(result);
  });
});
