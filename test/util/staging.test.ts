/**
 * Staging folders name their run so that a later run clears only a dead
 * run's: a pid that is gone, or a pid now held by another process (its start
 * time differs), on this machine. A live run's folder, another machine's,
 * and anything not named like a staging folder stay.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { clearDeadStaging, makeStaging } from '../../src/util/staging.js';
import { machineTag, processStart } from '../../src/util/process-identity.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'restorable-staging-test-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.once('close', r));
  return child.pid!;
}

it('is 0700 and names this process; only dead runs of this machine are cleared', async () => {
  const mine = await makeStaging(root, 'backup');
  expect((statSync(mine).mode & 0o777).toString(8)).toBe('700');
  expect(mine).toContain(`-${machineTag()}-${process.pid}-${processStart(process.pid)}-`);
  const tag = machineTag();
  const dead = join(root, `restorable-backup-${tag}-${await deadPid()}-12345-aaaaaa`);
  // This very pid, but another start time: the pid was reused, the run is gone.
  const reused = join(root, `restorable-restore-${tag}-${process.pid}-1-bbbbbb`);
  const elsewhere = join(root, `restorable-drill-000000000000-${await deadPid()}-12345-cccccc`);
  const foreign = join(root, 'restorable-test-dddddd');
  for (const dir of [dead, reused, elsewhere, foreign]) mkdirSync(join(dir, 'db'), { recursive: true });
  expect((await clearDeadStaging(root)).sort()).toEqual([dead, reused].sort());
  for (const dir of [mine, elsewhere, foreign]) expect(existsSync(dir), dir).toBe(true);
});
