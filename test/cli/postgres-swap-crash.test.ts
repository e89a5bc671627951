/**
 * The PostgreSQL swap under kill -9, against the real server: a restore
 * killed before each of the swap's eight statements (and after the last).
 * The next command puts the live name back on a database that accepts
 * connections and holds the old data whole, and drops the `_new_` database
 * the restore made. A kill once every statement ran leaves the restored one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI, json, runCli } from '../helpers/cli.js';
import { contentOf, databases, makeShop, pgWorkspace, type PgWorkspace } from '../helpers/pg-fixture.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

let server: PgServer;
let ws: PgWorkspace;
const db = 'bank';
let backupA: string;
let contentA: Record<string, string>;
let contentB: Record<string, string>;

beforeAll(async () => {
  server = await startPostgres();
  ws = pgWorkspace(server);
  await makeShop(server, db);
  ws.writePlan({ url: server.url(db) });
  contentA = await contentOf(server, db);
  const backup = await ws.cli('backup', '--json');
  expect(backup.code, backup.stderr).toBe(0);
  backupA = json<{ id: string }>(backup).id;
  await server.sql("delete from order_lines where order_id > 100; update customers set email = upper(email) where id < 50", db);
  contentB = await contentOf(server, db);
}, 120_000);
afterAll(() => {
  ws?.cleanup();
  server?.stop();
});

async function live(): Promise<{ allowed: boolean; content: Record<string, string>; others: string[] }> {
  const allowed = (await server.sql(`select datallowconn from pg_database where datname = '${db}'`))[0]?.datallowconn === true;
  const others = (await databases(server)).filter((name) => name.startsWith(`${db}_`) && !name.includes('_before_'));
  return { allowed, content: await contentOf(server, db), others };
}

const faulted = (point: string) => runCli(['restore', '--plan', ws.plan, '--backup', backupA, '--break-lock'], { env: { ...ws.env, RESTORABLE_FAULT: point } });

describe('the PostgreSQL swap killed at each statement', () => {
  it('is rolled back by the next command: the live name on the old database, accepting connections, no _new_ left', async () => {
    let killed = 0;
    for (let n = 1; ; n++) {
      const run = await faulted(`swap:${n}`);
      if (run.code === 0) {
        expect((await live()).content).toEqual(contentA);
        break;
      }
      expect(run.code, `swap:${n}: ${run.stderr}`).toBe(-1);
      killed = n;
      const list = await ws.cli('list');
      expect(list.code, list.stderr).toBe(0);
      expect(list.stderr).toContain(`An interrupted restore of backup ${backupA}`);
      expect(list.stderr).toContain('was rolled back');
      const state = await live();
      expect(state.allowed, `killed before statement ${n}`).toBe(true);
      expect(state.others, `killed before statement ${n}`).toEqual([]);
      expect(state.content, `killed before statement ${n}`).toEqual(contentB);
    }
    expect(killed).toBe(9); // eight statements, and the moment after the last
  }, 600_000);

  it('survives kill -9 at random moments of a restore: the live database is whole (old or restored), accepting connections, no _new_ left', async () => {
    const outcomes: string[] = [];
    for (const delay of [300, 700, 1100, 1500, 2000].map((d) => d + Math.floor(Math.random() * 400))) {
      await server.sql('delete from order_lines where order_id > 200', db);
      const before = await contentOf(server, db);
      const child = spawn(process.execPath, [CLI, 'restore', '--plan', ws.plan, '--backup', backupA, '--break-lock'], { stdio: 'ignore', env: { ...process.env, ...ws.env } });
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      clearTimeout(timer);
      const list = await ws.cli('list');
      expect(list.code, list.stderr).toBe(0);
      const state = await live();
      const which = JSON.stringify(state.content) === JSON.stringify(contentA) ? 'restored' : JSON.stringify(state.content) === JSON.stringify(before) ? 'before' : 'MIXED';
      outcomes.push(`${delay}ms: exit ${code}, ${which}`);
      expect(which, outcomes.join('; ')).not.toBe('MIXED');
      expect(state.allowed, outcomes.join('; ')).toBe(true);
      expect(state.others, outcomes.join('; ')).toEqual([]);
    }
  }, 600_000);

  it('stands when the kill comes after every statement: the restored database is live and accepts connections', async () => {
    await server.sql('delete from order_lines where order_id > 100', db);
    const damaged = await contentOf(server, db);
    expect(damaged).not.toEqual(contentA);
    expect((await faulted('swapped')).code).toBe(-1);
    const list = await ws.cli('list');
    expect(list.stderr).toContain('it stands');
    expect(list.stderr).toContain(`${db}_before_`);
    const state = await live();
    expect(state).toEqual({ allowed: true, content: contentA, others: [] });
  }, 120_000);
});
