/**
 * Concurrent runs of one plan, through the real CLI: two backups at once
 * (one fails clearly with exit 8, or waits with --wait; both leave only
 * complete backups), a restore during a backup, a dead run's lock on this
 * host taken over (a reused pid is not mistaken for it), other stale locks
 * reported and broken only with --break-lock, and the lock released on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { machineTag, processStart } from '../../src/util/process-identity.js';
import { CLI, json, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace({ assets: 4 });
  // A pre_backup hook that takes a while, so two runs surely overlap.
  ws.writePlan({ ...basePlan(ws.dir), hooks: { pre_backup: [{ command: ['sleep', '2'] }] } });
});
afterEach(() => ws.cleanup());

const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan]);
const TARGETS = ['nas', 'usb', 'cloud'];

/** Backup folders per target, each checked to be complete (it has its manifest). */
function backupsOn(target: string): string[] {
  const dir = join(ws.target(target), 'testapp');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name !== 'locks')
    .map((id) => {
      expect(readdirSync(join(dir, id)), `${target}/${id}`).toContain('manifest.json');
      return id;
    });
}

const locksOn = (target: string) => (existsSync(join(ws.target(target), 'testapp', 'locks')) ? readdirSync(join(ws.target(target), 'testapp', 'locks')) : []);

function plantLock(target: string, body: Record<string, unknown>): string {
  const dir = join(ws.target(target), 'testapp', 'locks');
  mkdirSync(dir, { recursive: true });
  const name = `${body.run_id}.json`;
  writeFileSync(join(dir, name), JSON.stringify(body));
  return name;
}

describe('locks', () => {
  it('two backups at once: one runs, the other fails with exit 8 naming the holder; only complete backups remain', async () => {
    // The winner's hook holds its lock until the other run has ended: a fixed sleep let a second
    // process that started late on a loaded machine find the lock already released (both exit 0).
    ws.writePlan({ ...basePlan(ws.dir), hooks: { pre_backup: [{ command: ['sh', '-c', 'i=0; while [ ! -e go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done'] }] } });
    const runs = [cli('backup'), cli('backup')] as const;
    await Promise.race(runs);
    writeFileSync(join(ws.dir, 'go'), '');
    const [a, b] = await Promise.all(runs);
    const codes = [a.code, b.code].sort();
    expect(codes, a.stderr + b.stderr).toEqual([0, 8]);
    const loser = a.code === 8 ? a : b;
    expect(loser.stderr).toMatch(/error: Another run of plan "testapp" holds target "nas": backup by .+@.+ \(pid \d+, since .+, run .+\)/);
    expect(loser.stderr).toMatch(/hint: .*--wait/);
    for (const t of TARGETS) {
      expect(backupsOn(t)).toHaveLength(1);
      expect(locksOn(t)).toEqual([]);
    }
  });

  it('with --wait, the second backup waits for the first and both complete', async () => {
    const [a, b] = await Promise.all([cli('backup', '--wait', '1m', '--json'), cli('backup', '--wait', '1m', '--json')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ids = [json<{ id: string }>(a).id, json<{ id: string }>(b).id];
    for (const t of TARGETS) {
      expect(backupsOn(t).sort()).toEqual([...ids].sort());
      expect(locksOn(t)).toEqual([]);
    }
  });

  it('a restore while a backup runs is refused (exit 8) and touches nothing', async () => {
    ws.writePlan(basePlan(ws.dir));
    expect((await cli('backup')).code).toBe(0);
    ws.writePlan({ ...basePlan(ws.dir), hooks: { pre_backup: [{ command: ['sleep', '3'] }] } });
    const backup = cli('backup');
    await waitFor(() => locksOn('nas').length > 0);
    const before = readFileSync(ws.db);
    const restore = await cli('restore');
    expect(restore.code).toBe(8);
    expect(restore.stderr).toMatch(/holds target "nas": backup by/);
    expect(readFileSync(ws.db).equals(before)).toBe(true);
    expect((await backup).code).toBe(0);
  });

  // Changed for issue 12 item 4: a killed run on this host (its lock records the pid's start time and the machine) no longer needs --break-lock.
  it('a lock of a run that died on this host is taken over with a warning naming it; the run completes', async () => {
    ws.writePlan(basePlan(ws.dir));
    const dead = await deadPid();
    const lock = plantLock('usb', { run_id: '20260101T000000000Z-dead0001', owner: 'someone', host: hostname(), pid: dead, started_at: new Date().toISOString(), command: 'backup', pid_start: '12345', machine: machineTag() });
    // Its half-written backup (no manifest) is the dead run's: cleared once its lock is taken over.
    mkdirSync(join(ws.target('usb'), 'testapp', '20260101T000000Z-v1.0.0-abcdef'), { recursive: true });
    writeFileSync(join(ws.target('usb'), 'testapp', '20260101T000000Z-v1.0.0-abcdef', 'db.sqlite.zst'), 'half an artifact');
    const run = await cli('backup');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Taking over the lock on target "usb" from a run that died: backup by someone@${hostname()} (pid ${dead}, since`);
    expect(run.stderr).toMatch(/Cleared what a dead run left on target "usb": incomplete backup\(s\) 20260101T000000Z-v1\.0\.0-abcdef/);
    expect(locksOn('usb')).not.toContain(lock);
    expect(locksOn('usb')).toEqual([]);
    for (const t of TARGETS) expect(backupsOn(t)).toHaveLength(1);
  });

  it('a reused pid is not mistaken for the dead run, and a live run on this host keeps its lock', async () => {
    ws.writePlan(basePlan(ws.dir));
    // This test's own pid is alive, but the lock records another start time: the pid was reused, its run is gone.
    plantLock('nas', { run_id: '20260101T000000000Z-reused01', owner: 'someone', host: hostname(), pid: process.pid, started_at: new Date().toISOString(), command: 'backup', pid_start: '1', machine: machineTag() });
    const reused = await cli('backup');
    expect(reused.code, reused.stderr).toBe(0);
    expect(reused.stderr).toContain(`Taking over the lock on target "nas" from a run that died: backup by someone@${hostname()} (pid ${process.pid}`);
    // The same pid with its real start time is a live run: held, exit 8, nothing taken over.
    const live = plantLock('nas', { run_id: '20260101T000000000Z-alive001', owner: 'someone', host: hostname(), pid: process.pid, started_at: new Date().toISOString(), command: 'backup', pid_start: processStart(process.pid)!, machine: machineTag() });
    const held = await cli('backup', '--break-lock');
    expect(held.code, held.stderr).toBe(8);
    expect(held.stderr).toMatch(/Another run of plan "testapp" holds target "nas": backup by someone@/);
    expect(locksOn('nas')).toEqual([live]);
  });

  it('without a start time (an older lock) or from another host, a dead pid still blocks until --break-lock', async () => {
    ws.writePlan(basePlan(ws.dir));
    const dead = await deadPid();
    const lock = plantLock('usb', { run_id: '20260101T000000000Z-dead0001', owner: 'someone', host: hostname(), pid: dead, started_at: new Date().toISOString(), command: 'backup' });
    const blocked = await cli('backup');
    expect(blocked.code).toBe(8);
    expect(blocked.stderr).toMatch(new RegExp(`stale lock .*pid ${dead}.*stale because its process ${dead} on .* is gone`));
    expect(blocked.stderr).toMatch(/hint: If that run is really gone, run again with --break-lock/);
    expect(locksOn('usb')).toEqual([lock]);
    for (const t of TARGETS) expect(backupsOn(t)).toEqual([]);
    const broken = await cli('backup', '--break-lock');
    expect(broken.code, broken.stderr).toBe(0);
    expect(broken.stderr).toMatch(/Breaking the stale lock on target "usb" \(its process \d+ on .* is gone\)/);
    expect(locksOn('usb')).toEqual([]);
    // Another host, even one that claims this machine's tag: never judged by this machine's processes.
    const other = plantLock('nas', { run_id: '20260101T000000000Z-other001', owner: 'ops', host: 'other-host', pid: dead, started_at: new Date().toISOString(), command: 'backup', pid_start: '12345', machine: machineTag() });
    const elsewhere = await cli('backup');
    expect(elsewhere.code, elsewhere.stderr).toBe(8);
    expect(elsewhere.stderr).toMatch(/holds target "nas": backup by ops@other-host/);
    expect(locksOn('nas')).toEqual([other]);
  });

  it('a lock from another host is stale only when older than locks.stale_after; --break-lock never removes a live one', async () => {
    ws.writePlan({ ...basePlan(ws.dir), locks: { stale_after: '1h' } });
    const live = plantLock('nas', { run_id: '20260101T000000000Z-live0001', owner: 'ops', host: 'other-host', pid: 1, started_at: new Date().toISOString(), command: 'prune' });
    const held = await cli('backup', '--break-lock');
    expect(held.code).toBe(8);
    expect(held.stderr).toMatch(/holds target "nas": prune by ops@other-host/);
    expect(locksOn('nas')).toEqual([live]);
    writeFileSync(join(ws.target('nas'), 'testapp', 'locks', live), JSON.stringify({ run_id: 'x', owner: 'ops', host: 'other-host', pid: 1, started_at: new Date(Date.now() - 2 * 3600_000).toISOString(), command: 'prune' }));
    const old = await cli('backup');
    expect(old.code).toBe(8);
    expect(old.stderr).toMatch(/stale because it is older than 60 minutes/);
    expect((await cli('backup', '--break-lock')).code).toBe(0);
  });

  it('a lock file that cannot be read blocks like a stale lock (never ignored); --break-lock removes it', async () => {
    mkdirSync(join(ws.target('usb'), 'testapp', 'locks'), { recursive: true });
    writeFileSync(join(ws.target('usb'), 'testapp', 'locks', 'broken.json'), '');
    const blocked = await cli('backup');
    expect(blocked.code, blocked.stderr).toBe(8);
    expect(blocked.stderr).toMatch(/Target "usb" holds a stale lock of plan "testapp": testapp\/locks\/broken\.json cannot be read: it is not valid JSON/);
    expect(TARGETS.flatMap(backupsOn)).toEqual([]);
    const broken = await cli('backup', '--break-lock');
    expect(broken.code, broken.stderr).toBe(0);
    expect(locksOn('usb')).toEqual([]);
  });

  it('a lock dated in the future (another host, a clock ahead) is held, not a moment of contention: exit 8 at once', async () => {
    plantLock('nas', { run_id: '20300101T000000000Z-ahead001', owner: 'ops', host: 'other-host', pid: 1, started_at: new Date(Date.now() + 3600_000).toISOString(), command: 'backup' });
    const started = Date.now();
    const held = await cli('backup', '--break-lock');
    expect(held.code, held.stderr).toBe(8);
    expect(held.stderr).toMatch(/holds target "nas": backup by ops@other-host/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('Ctrl-C while holding the lock: exit 130 and the lock is gone', async () => {
    const child = spawn(process.execPath, [CLI, 'backup', '--plan', ws.plan], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    await waitFor(() => stderr.includes('> pre_backup hook 1'));
    expect(locksOn('nas')).toHaveLength(1);
    child.kill('SIGINT');
    const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
    expect(code, stderr).toBe(130);
    for (const t of TARGETS) expect(locksOn(t)).toEqual([]);
  });
});

async function waitFor(condition: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.once('close', r));
  return child.pid!;
}
