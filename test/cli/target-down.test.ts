/**
 * A target that is down (a real sshd, stopped) is said at once: each retry
 * is printed as it happens, the retry budget is the target's `retry_for`, a
 * run spends it once (not again for the lock, the writes and the unlock),
 * and the time the summary prints is the command's wall time.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

interface Timed {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** When each stderr line arrived, in ms from the start. */
  lines: { at: number; text: string }[];
}

function runTimed(args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const lines: Timed['lines'] = [];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const text of parts) lines.push({ at: performance.now() - start, text });
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr, wallMs: performance.now() - start, lines }));
  });
}

describe('a target that is down', () => {
  let sshd: Sshd;
  let ws: Workspace;
  beforeAll(async () => {
    sshd = await startSshd();
    await sshd.stop();
    ws = makeWorkspace();
  });
  afterAll(async () => {
    ws?.cleanup();
    await sshd?.close();
  });

  const env = () => ({ SFTP_KEY: sshd.privateKey, RESTORABLE_RETRY_SECONDS: '120' });

  it('backup prints each retry as it happens, within the plan’s retry_for, once per run, and prints its wall time', async () => {
    const plan = basePlan(ws.dir);
    ws.writePlan({ ...plan, targets: [...(plan.targets as object[]), sshd.target('box', { retry_for: '4s' })] });
    const run = await runTimed(['backup', '--plan', ws.plan], env());
    // The three local targets still meet 3-2-1: the backup is complete without box.
    expect(run.code, run.stderr).toBe(0);
    const retries = run.lines.filter((l) => /^warning: target "box": .*ECONNREFUSED.*; retry \d+ in \d+\.\ds \(gives up after 4s; retry_for sets it\)$/.test(l.text));
    expect(retries.length, run.stderr).toBeGreaterThanOrEqual(2);
    // Said at once: the first retry within a couple of seconds, not after the budget.
    expect(retries[0]!.at, run.stderr).toBeLessThan(3000);
    // Numbered 1, 2, 3...: one budget, counted once; after it the run tries box once per operation, without waits.
    expect(retries.map((r) => Number(/retry (\d+)/.exec(r.text)![1]))).toEqual(retries.map((_, i) => i + 1));
    // One budget (4 s, not 120 s from the environment, not once per lock, probe and unlock).
    expect(run.wallMs, run.stderr).toBeLessThan(4000 + 8000);
    const printed = Number(/Backup \S+: complete in ([\d.]+)s; target box failed$/m.exec(run.stdout)?.[1] ?? Number.NaN) * 1000;
    expect(printed, run.stdout).not.toBeNaN();
    expect(Math.abs(run.wallMs - printed), run.stdout).toBeLessThan(1500);
    // The failure told where it happens and in the table, not again by the report step or a cleanup of nothing.
    expect(run.stderr).toMatch(/ok in [\d.]+s: nas: verified; usb: verified; cloud: verified; box: FAILED$/m);
    expect(run.stderr).not.toMatch(/Could not clear the incomplete backup/);
    expect(run.stdout).toMatch(/^ {2}box +sftp +disk +yes +no +no +no +Target "box" .*ECONNREFUSED/m);
  }, 120_000);

  it('list prints the retries too, and retry_for: 0s fails at the first refusal', async () => {
    const plan = basePlan(ws.dir);
    ws.writePlan({ ...plan, targets: [...(plan.targets as object[]), sshd.target('box', { retry_for: '0s' })] });
    const run = await runTimed(['list', '--verbose', '--target', 'box', '--plan', ws.plan], env());
    expect(run.wallMs, run.stderr).toBeLessThan(5000);
    expect(run.stderr).toMatch(/box/);
    expect(run.stderr).not.toMatch(/retry \d+ in/);

    ws.writePlan({ ...plan, targets: [...(plan.targets as object[]), sshd.target('box', { retry_for: '3s' })] });
    const retried = await runTimed(['list', '--target', 'box', '--plan', ws.plan], env());
    expect(retried.stderr).toMatch(/^warning: target "box": .*; retry 1 in /m);
    expect(retried.wallMs, retried.stderr).toBeLessThan(3000 + 5000);
  }, 60_000);

  it('retry_for is a duration', async () => {
    const plan = basePlan(ws.dir);
    ws.writePlan({ ...plan, targets: [...(plan.targets as object[]), sshd.target('box', { retry_for: 'soon' })] });
    const run = await runTimed(['validate', '--plan', ws.plan], env());
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/targets\[3\]\.retry_for: expected a duration such as 500ms, 3s, 2m or 1h/);
  });
});
