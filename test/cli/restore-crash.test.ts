/**
 * Crash trials: a restore of a SQLite + files plan (Vaultwarden's layout)
 * killed with SIGKILL at each step of its swap, and at random moments. After
 * each, the next command (list) settles the restore journal, and the live
 * data equals either the state before the restore or the restored backup:
 * never a mix, never missing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, json, runCli } from '../helpers/cli.js';
import { changeVault, makeVault, vaultState, type Vault, type VaultState } from '../restore/vaultwarden.js';

let vault: Vault;
let backupA: string; // the original data
let backupB: string; // after the changes: the state "before the restore" in every trial
let stateA: VaultState; // backup A restored: its rows and covered files, the excluded folders as they are live
let stateB: VaultState;

beforeAll(async () => {
  vault = makeVault();
  const original = await vaultState(vault);
  backupA = json<{ id: string }>(await runCli(['backup', '--plan', vault.plan, '--json'])).id;
  changeVault(vault);
  stateB = await vaultState(vault);
  stateA = { ...original, excluded: stateB.excluded };
  expect(stateA).not.toEqual(stateB);
  backupB = json<{ id: string }>(await runCli(['backup', '--plan', vault.plan, '--json'])).id;
}, 120_000);
afterAll(() => vault.cleanup());

/** restorable's own leftovers beside the live data: builds, restore points, failed copies. */
function leftovers(): string[] {
  return [join(vault.dir, 'vw'), vault.data].flatMap((dir) => readdirSync(dir).filter((f) => f.includes('.restorable-')));
}

async function settleAndRead(): Promise<{ state: VaultState; said: string }> {
  const journal = join(vault.dir, '.restorable', 'restore-journal.vault.json');
  const before = existsSync(journal) ? readFileSync(journal, 'utf8') : 'no journal';
  const list = await runCli(['list', '--plan', vault.plan]);
  expect(list.code, `${list.stderr}\n${before}`).toBe(0);
  expect(existsSync(join(vault.dir, '.restorable', 'restore-journal.vault.json'))).toBe(false);
  return { state: await vaultState(vault), said: list.stderr };
}

/** Back to state B whatever happened (a plain restore of backup B). */
async function resetToB(): Promise<void> {
  const reset = await runCli(['restore', '--plan', vault.plan, '--backup', backupB, '--break-lock']);
  expect(reset.code, reset.stderr).toBe(0);
  expect(await vaultState(vault)).toEqual(stateB);
}

describe('a restore killed during its swap', () => {
  it('is rolled back as a whole by the next command, whichever step the kill hit', async () => {
    let steps = 0;
    for (let n = 1; ; n++) {
      const run = await runCli(['restore', '--plan', vault.plan, '--backup', backupA, '--break-lock'], { env: { RESTORABLE_FAULT: `swap:${n}` } });
      if (run.code === 0) {
        // Past the last step: the fault point was never reached, the restore stands.
        expect(await vaultState(vault)).toEqual(stateA);
        break;
      }
      expect(run.code, `swap:${n}: ${run.stderr}`).toBe(-1); // killed
      steps = n;
      const { state, said } = await settleAndRead();
      expect(said).toContain(`An interrupted restore of backup ${backupA}`);
      expect(said).toContain('was rolled back');
      expect(state, `killed before step ${n}`).toEqual(stateB);
      expect(leftovers(), `killed before step ${n}`).toEqual([]);
    }
    // The SQLite swap (mkdir, link, rename over) and the folder's entries were all hit, and the point after the last step.
    expect(steps).toBeGreaterThanOrEqual(10);
    await resetToB();
  }, 600_000);

  it('stands when every step was made before the kill: the next command keeps the restored data and names the restore points', async () => {
    const run = await runCli(['restore', '--plan', vault.plan, '--backup', backupA], { env: { RESTORABLE_FAULT: 'swapped' } });
    expect(run.code).toBe(-1);
    const { state, said } = await settleAndRead();
    expect(said).toContain('it stands');
    expect(said).toContain('.restorable-restore-point-');
    expect(state).toEqual(stateA);
    await resetToB();
  }, 120_000);

  it('rolls the first source back when the second one fails, at every step of the second', async () => {
    const points = leftovers(); // restore points of the restores that stood before
    // Steps of the first source (db) are 1-3: mkdir, link, rename over.
    for (const n of [4, 5, 7, 9]) {
      const run = await runCli(['restore', '--plan', vault.plan, '--backup', backupA, '--break-lock'], { env: { RESTORABLE_FAULT: `fail:swap:${n}` } });
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain(`Fault point swap:${n}`);
      expect(await vaultState(vault)).toEqual(stateB);
      expect(leftovers()).toEqual(points);
      expect(existsSync(join(vault.dir, '.restorable', 'restore-journal.vault.json'))).toBe(false);
    }
  }, 300_000);

  it('leaves a journal alone while its run lives, and tells a reused pid from it', async () => {
    const run = await runCli(['restore', '--plan', vault.plan, '--backup', backupA, '--break-lock'], { env: { RESTORABLE_FAULT: 'swap:6' } });
    expect(run.code).toBe(-1);
    const path = join(vault.dir, '.restorable', 'restore-journal.vault.json');
    const body = JSON.parse(readFileSync(path, 'utf8')) as { owner: { pid: number; started: string | null } };
    const start = (pid: number) => { const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!; };
    // As if this test's process had written it: a live run, whose half-made swap must not be touched.
    writeFileSync(path, JSON.stringify({ ...body, owner: { ...body.owner, pid: process.pid, started: start(process.pid) } }));
    const halfway = await vaultState(vault);
    const list = await runCli(['list', '--plan', vault.plan]);
    expect(list.stderr).toContain('is running');
    expect(existsSync(path)).toBe(true);
    expect(await vaultState(vault)).toEqual(halfway);
    // The same pid started at another time is another process: the writer is gone.
    writeFileSync(path, JSON.stringify({ ...body, owner: { ...body.owner, pid: process.pid, started: '1' } }));
    const { state, said } = await settleAndRead();
    expect(said).toContain('was rolled back');
    expect(state).toEqual(stateB);
  }, 120_000);

  it('survives kill -9 of the CLI at random moments: the next command leaves the data before or after, whole', async () => {
    const outcomes: string[] = [];
    let points = leftovers();
    for (const delay of [150, 400, 650, 900, 1200, 1600].map((d) => d + Math.floor(Math.random() * 300))) {
      const child = spawn(process.execPath, [CLI, 'restore', '--plan', vault.plan, '--backup', backupA, '--break-lock'], { stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      clearTimeout(timer);
      const { state } = await settleAndRead();
      const which = JSON.stringify(state) === JSON.stringify(stateA) ? 'restored' : JSON.stringify(state) === JSON.stringify(stateB) ? 'before' : 'MIXED';
      outcomes.push(`${delay}ms: exit ${code}, ${which}`);
      expect(which, outcomes.join('; ')).not.toBe('MIXED');
      if (which === 'restored') {
        // A restore that stood keeps its restore points, and so does the one back to B: they are not leftovers.
        await resetToB();
        points = leftovers();
      }
      // Killed while building, or mid-swap: what it had built beside the live data is gone too.
      else expect(leftovers().filter((f) => !points.includes(f))).toEqual([]);
    }
  }, 600_000);
});
