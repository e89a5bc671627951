/**
 * restore-points sees PostgreSQL's too: each restore keeps the database it
 * replaced as `<db>_before_<tag>`; they are listed with the source, the
 * restore that made them and their size, and --remove drops one while the
 * live database and the other restore point stay.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json } from '../helpers/cli.js';
import { makeShop, pgWorkspace, type PgWorkspace } from '../helpers/pg-fixture.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

interface Point {
  restore: string;
  source: string;
  path: string;
  database?: string;
  made_at: string;
  bytes: number;
}

let server: PgServer;
let ws: PgWorkspace;
beforeAll(async () => {
  server = await startPostgres();
  ws = pgWorkspace(server);
}, 60_000);
afterAll(() => {
  ws?.cleanup();
  server?.stop();
});

const names = async () => (await server.sql("select datname from pg_database where datname like 'points_shop%' order by datname")).map((r) => r.datname as string);

it('lists the databases two restores kept and removes one by its restore id', async () => {
  await makeShop(server, 'points_shop');
  // Another database's restore point on the same server is not this source's.
  await server.sql('create database other_before_20250101t000000z_abcdef');
  ws.writePlan({ url: server.url('points_shop') });
  expect((await ws.cli('backup')).code).toBe(0);
  for (let i = 0; i < 2; i += 1) {
    const restore = await ws.cli('restore');
    expect(restore.code, restore.stderr).toBe(0);
  }
  const listed = await ws.cli('restore-points', '--json');
  expect(listed.code, listed.stderr).toBe(0);
  const points = json<{ restore_points: Point[] }>(listed).restore_points;
  expect(points).toHaveLength(2);
  const kept = (await names()).filter((n) => n !== 'points_shop');
  expect(points.map((p) => p.database).sort()).toEqual(kept);
  for (const point of points) {
    expect(point.source).toBe('pg');
    expect(point.restore).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]+$/);
    expect(point.bytes).toBeGreaterThan(1_000_000); // a whole database, not a name
    expect(point.path).toContain(point.database);
    expect(point.path).not.toContain(server.password);
  }
  const text = await ws.cli('restore-points');
  expect(text.stdout).toMatch(/2 restore points/);
  const [first, second] = points.sort((a, b) => (a.restore < b.restore ? -1 : 1));
  const removed = await ws.cli('restore-points', '--remove', first!.restore);
  expect(removed.code, removed.stderr).toBe(0);
  expect(await names()).toEqual(['points_shop', second!.database].sort());
  // The live database still answers, whole.
  expect(Number((await server.sql('select count(*) as n from customers', 'points_shop'))[0]!.n)).toBe(300);
  expect((await server.sql("select 1 from pg_database where datname = 'other_before_20250101t000000z_abcdef'")).length).toBe(1);
});
