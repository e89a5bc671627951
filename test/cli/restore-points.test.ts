/**
 * restore-points: the restore points restores left beside the live data,
 * listed (source, when, size, which restore) and removed by id or by age;
 * restore warns when they take more than a set share of the disk.
 */
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

interface Point {
  restore: string;
  source: string;
  path: string;
  made_at: string;
  bytes: number;
}

describe('restore-points', () => {
  let ws: Workspace;
  const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan]);
  const points = async () => json<{ restore_points: Point[] }>(await cli('restore-points', '--json')).restore_points;
  const users = () => {
    const db = new Database(ws.db, { readonly: true });
    try {
      return (db.prepare('select count(*) as n from users').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  beforeAll(async () => {
    ws = makeWorkspace();
    expect((await cli('backup')).code).toBe(0);
  });
  afterAll(() => ws.cleanup());

  it('lists what two restores kept, by source, restore, time and size', async () => {
    expect((await cli('restore-points')).stdout).toMatch(/^No restore points\.$/m);
    for (let i = 0; i < 2; i += 1) expect((await cli('restore')).code).toBe(0);
    const found = await points();
    expect(found.map((p) => p.source).sort()).toEqual(['db', 'db', 'uploads', 'uploads']);
    expect(new Set(found.map((p) => p.restore)).size).toBe(2);
    for (const p of found) {
      expect(existsSync(p.path)).toBe(true);
      expect(p.bytes).toBeGreaterThan(0);
      expect(Math.abs(Date.parse(p.made_at) - Date.now())).toBeLessThan(10 * 60_000);
    }
    const uploads = found.find((p) => p.source === 'uploads')!;
    expect(dirname(uploads.path)).toBe(dirname(ws.uploads));
    const text = (await cli('restore-points')).stdout;
    expect(text).toMatch(/^RESTORE\s+SOURCE\s+MADE\s+SIZE\s+PATH$/m);
    expect(text).toMatch(/^4 restore points, [\d.]+ (KiB|MiB)$/m);
  });

  it('--remove takes a unique end of a restore id and removes that restore’s points only; live data stays', async () => {
    const before = await points();
    const first = before[0]!.restore;
    const short = first.slice(-6);
    const removed = await cli('restore-points', '--remove', short);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/^Removed 2 restore points, [\d.]+ (KiB|MiB) freed\.$/m);
    for (const p of before.filter((p) => p.restore === first)) expect(existsSync(p.path)).toBe(false);
    const after = await points();
    expect(after.map((p) => p.restore)).toEqual(before.filter((p) => p.restore !== first).map((p) => p.restore));
    expect(users()).toBeGreaterThan(0);
    const unknown = await cli('restore-points', '--remove', 'ffffff0');
    expect(unknown.code).toBe(7);
    expect(unknown.stderr).toMatch(/No restore point "ffffff0"/);
  });

  it('--older-than removes only points older than the age', async () => {
    const db = (await points()).find((p) => p.source === 'db')!;
    // Made a restore point from 2020, as an old restore would have left it.
    const old = join(dirname(db.path), '.library.sqlite.restorable-restore-point-20200101T000000Z-abc123');
    renameSync(db.path, old);
    const run = await cli('restore-points', '--older-than', '7d');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Removed 1 restore point, /m);
    expect(existsSync(old)).toBe(false);
    expect((await points()).map((p) => p.source)).toEqual(['uploads']);
    const bad = await cli('restore-points', '--older-than', 'soon');
    expect(bad.code).toBe(2);
  });

  it('restore warns when restore points take more than the set share of their disk', async () => {
    const run = await runCli(['restore', '--plan', ws.plan], { env: { RESTORABLE_RESTORE_POINT_SHARE: '0.000001%' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: Restore points take [\d.]+ (KiB|MiB) of the [\d.]+ [KMGT]iB disk holding .* \(more than 0%\); every restore keeps a whole copy .*restorable restore-points --older-than 7d/);
    const quiet = await runCli(['restore', '--plan', ws.plan]);
    expect(quiet.stderr).not.toMatch(/Restore points take/);
    // The share is the plan's to set (restore.restore_points_share); a share that is not one is a plan error at its line.
    const plan = basePlan(ws.dir);
    ws.writePlan({ ...plan, restore: { ...(plan.restore as object), restore_points_share: '0.0001%' } });
    const set = await runCli(['restore', '--plan', ws.plan]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toMatch(/warning: Restore points take .* \(more than 0%\)/);
    ws.writePlan({ ...plan, restore: { ...(plan.restore as object), restore_points_share: '10' } });
    const wrong = await runCli(['validate', '--plan', ws.plan]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/restorable\.yml:\d+:\d+.*restore\.restore_points_share.*a share of the disk such as "10%"/);
    expect(readdirSync(dirname(ws.uploads)).filter((n) => n.includes('restore-point')).length).toBeGreaterThanOrEqual(4);
  });
});
