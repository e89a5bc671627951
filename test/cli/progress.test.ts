/**
 * Progress as people see it: a live line on a terminal (a pseudo-terminal
 * here), plain lines without one, JSON events with --progress=json; for
 * backup, restore, drill and verify --deep. RESTORABLE_PROGRESS_INTERVAL
 * shortens the time between lines so a test-sized backup shows several.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, json, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

const PTY = join(ROOT, 'test', 'helpers', 'pty-run.py');
const FAST = { RESTORABLE_PROGRESS_INTERVAL: '50ms' };
let ws: Workspace;

/** Runs the CLI on a pseudo-terminal: everything it wrote, carriage returns kept. */
function onTerminal(args: string[], interval = FAST): { code: number; text: string } {
  const r = spawnSync('python3', [PTY, process.execPath, CLI, ...args], { env: { ...process.env, ...interval }, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status ?? -1, text: r.stdout };
}

/**
 * The live lines a terminal showed for `label`, as [percent, text]: those with
 * a rate, or with `rated: false` also the first ones, shown before a rate is
 * known (a check of 48 MiB can end within that time).
 */
function liveLines(text: string, label: string, rated = true): [number, string][] {
  return text
    .split('\r\x1b[K')
    .filter((l) => l.startsWith(`  ${label}: `))
    .map((l) => l.split('\r')[0]!)
    .flatMap((l) => {
      const m = (rated ? / (\d+)%  / : / (\d+)%(  |$)/).exec(l);
      return m ? [[Number(m[1]), l] as [number, string]] : [];
    });
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(() => {
  ws = makeWorkspace();
  // Incompressible files under gzip level 1: a few seconds of work, as a few hundred MiB are at zstd.
  for (let i = 0; i < 6; i += 1) writeFileSync(join(ws.uploads, `video${i}.bin`), randomBytes(8 << 20));
  ws.writePlan({ ...basePlan(ws.dir), compression: { algorithm: 'gzip', level: 1 } });
});
afterAll(() => ws.cleanup());

describe('progress', () => {
  it('on a terminal: one live line per step with done of total, percent, rate and ETA, under the step title; restore shows its own', () => {
    const backup = onTerminal(['backup', '--plan', ws.plan]);
    expect(backup.code, backup.text).toBe(0);
    const lines = liveLines(backup.text, 'snapshot uploads');
    expect(lines.length, backup.text).toBeGreaterThanOrEqual(3);
    for (const [, line] of lines) expect(line).toMatch(/^ {2}snapshot uploads: [\d.]+ MiB of 4[78]\.\d MiB {2}\d+% {2}[\d.]+ (KiB|MiB)\/s {2}ETA \d+:\d\d$/);
    const percents = lines.map(([p]) => p);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)!).toBeGreaterThan(percents[0]!);
    // The live line is cleared before the step's own line: no line starts in the middle of another.
    expect(backup.text).toMatch(/\r\x1b\[K {2}ok in [\d.]+s: uploads\.tar\.gz/);
    expect(backup.text).not.toMatch(/snapshot:uploads/);

    const before = sha(join(ws.uploads, 'video3.bin'));
    rmSync(join(ws.uploads, 'video3.bin'));
    // A line every millisecond: checking 48 MiB takes about 30 ms on an idle machine, under the 50 ms interval.
    const restore = onTerminal(['restore', '--plan', ws.plan], { RESTORABLE_PROGRESS_INTERVAL: '1ms' });
    expect(restore.code, restore.text).toBe(0);
    expect(liveLines(restore.text, 'checking uploads.tar.gz on nas', false).length, restore.text).toBeGreaterThanOrEqual(1);
    expect(liveLines(restore.text, 'restoring uploads', false).length, restore.text).toBeGreaterThanOrEqual(1);
    expect(sha(join(ws.uploads, 'video3.bin'))).toBe(before);
  }, 300_000);

  it('without a terminal: plain lines at an interval and at the end of the work, never a carriage return', async () => {
    const backup = await runCli(['backup', '--plan', ws.plan], { env: FAST });
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).not.toContain('\r');
    expect(backup.stderr).toMatch(/^ {2}snapshot uploads: [\d.]+ MiB of [\d.]+ MiB {2}\d+% {2}[\d.]+ (KiB|MiB)\/s {2}ETA \d+:\d\d$/m);
    expect(backup.stderr).toMatch(/^ {2}snapshot uploads: 4[78]\.\d MiB in [\d.]+s \([\d.]+ (KiB|MiB)\/s\)$/m);
    const drill = await runCli(['drill', '--plan', ws.plan], { env: FAST });
    expect(drill.code, drill.stderr).toBe(0);
    expect(drill.stderr).not.toContain('\r');
    expect(drill.stderr).toMatch(/^ {2}restoring uploads: 4[78]\.\d MiB in [\d.]+s/m);
  }, 300_000);

  it('--progress=json: every stderr line is a JSON event, --json keeps stdout the answer alone; verify --deep reports decoding', async () => {
    const backup = await runCli(['backup', '--plan', ws.plan, '--json', '--progress=json'], { env: FAST });
    expect(backup.code, backup.stderr).toBe(0);
    expect(json(backup).ok).toBe(true);
    const events = backup.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const snap = events.filter((e) => e.type === 'progress' && e.id === 'snapshot:uploads');
    expect(snap.length).toBeGreaterThanOrEqual(2);
    expect(snap[0]).toMatchObject({ label: 'snapshot uploads' });
    const last = snap.at(-1)!;
    expect(last.finished).toBe(true);
    expect(last.done as number).toBeGreaterThan(48 << 20);
    expect(events).toContainEqual(expect.objectContaining({ type: 'step', id: 'snapshot:uploads', status: 'ok' }));

    const verify = await runCli(['verify', '--deep', '--plan', ws.plan, '--progress=json', '--json'], { env: FAST });
    expect(verify.code, verify.stderr).toBe(0);
    const decode = verify.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((e) => e.type === 'progress' && String(e.label).startsWith('decoding uploads.tar.gz'));
    expect(decode.length).toBeGreaterThanOrEqual(3);
    for (const e of decode) expect(e.total).toBe(decode.at(-1)!.done);
    expect(decode.filter((e) => e.finished).every((e) => e.percent === 100)).toBe(true);
  }, 300_000);

  it('--progress takes auto, tty, plain, json or none', async () => {
    const bad = await runCli(['list', '--plan', ws.plan, '--progress=bars']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--progress bars: expected one of auto, tty, plain, json, none/);
  });
});
