/**
 * PostgreSQL on bad days, through the real CLI against a real server: each
 * fault gives a clear message and exit code, nothing is listed as a backup,
 * and the live database is unchanged.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../helpers/cli.js';
import { contentOf, makeShop, pgWorkspace, type PgWorkspace } from '../helpers/pg-fixture.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

let server: PgServer;
let ws: PgWorkspace;
let n = 0;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());
beforeEach(() => {
  ws = pgWorkspace(server);
});
afterEach(() => ws?.cleanup());

const fresh = (stem: string) => `${stem}_${++n}`;

async function backupsListed(): Promise<number> {
  const list = await ws.cli('list', '--json');
  return json<{ backups: unknown[] }>(list).backups.length;
}

describe('postgres faults', () => {
  it('a wrong password: exit 1, says so, nothing backed up', async () => {
    const db = fresh('pw');
    await makeShop(server, db);
    ws.writePlan({ url: server.url(db) });
    ws.env = { PGPASSWORD: 'not-the-password' };
    const result = await ws.cli('backup');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/password authentication failed for user "postgres"/);
    expect(result.stderr).toMatch(/check PGPASSWORD/);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    ws.env = { ...server.env };
    expect(await backupsListed()).toBe(0);
  });

  it('an unreachable server: exit 1 with a hint about host and port', async () => {
    ws.writePlan({ host: '127.0.0.1', port: 1, user: 'postgres', database: 'postgres' });
    const result = await ws.cli('backup');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/PostgreSQL postgres@127\.0\.0\.1:1\/postgres: .*ECONNREFUSED/);
    expect(result.stderr).toMatch(/Nothing listens there/);
  });

  it('a pg_dump older than the server: refused before anything runs, naming the package', async () => {
    const bin = join(ws.dir, 'old-pg-bin');
    mkdirSync(bin);
    // An old client install: its pg_dump reports 9.6 (the real check reads `pg_dump --version`).
    writeFileSync(join(bin, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n');
    chmodSync(join(bin, 'pg_dump'), 0o755);
    ws.writePlan({ url: server.url('postgres'), bin_dir: bin });
    const result = await ws.cli('backup');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/pg_dump 9\.6 in bin_dir .* is older than the PostgreSQL \d+ server/);
    expect(result.stderr).toMatch(/apt-get install postgresql-client-\d+/);
  });

  it('a table the role cannot read: preflight names it', async () => {
    const db = fresh('perm');
    await makeShop(server, db);
    await server.sql("do $$ begin if not exists (select from pg_roles where rolname = 'dumper') then create role dumper login password 'dumper-pw-1'; end if; end $$");
    await server.sql('grant select on all tables in schema public to dumper; grant select on all sequences in schema public to dumper; revoke select on customers from dumper', db);
    ws.writePlan({ url: server.url(db, 'dumper') });
    ws.env = { PGPASSWORD: 'dumper-pw-1' };
    const result = await ws.cli('backup');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`role dumper cannot read 1 table\\(s\\) in database "${db}": public\\.customers`));
    expect(result.stderr).toMatch(/GRANT SELECT/);
  });

  it('a table locked by a migration: with lock_wait_timeout the backup fails fast, naming the lock', async () => {
    const db = fresh('locked');
    await makeShop(server, db);
    ws.writePlan({ url: server.url(db), lock_wait_timeout: '1s' });
    const migration = await server.client(db);
    try {
      await migration.query('begin; lock table orders in access exclusive mode');
      const started = Date.now();
      const result = await ws.cli('backup');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/pg_dump failed \(exit 1\).*statement timeout.*LOCK TABLE public\.orders IN ACCESS SHARE MODE/);
      expect(result.stderr).toMatch(/Table public\.orders stayed locked longer than lock_wait_timeout/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await migration.query('rollback');
      await migration.end();
    }
    expect(await backupsListed()).toBe(0);
  });

  it('a connection dropped mid-dump: exit 1, nothing committed, the live database unchanged', async () => {
    const db = fresh('drop');
    await server.sql(`create database ${db}`);
    await server.sql('create table big (id int primary key, junk text); insert into big select i, repeat(md5(i::text), 16) from generate_series(1, 400000) i', db);
    const before = await server.sql('select count(*)::int as n, sum(length(junk))::bigint as bytes from big', db);
    ws.writePlan({ url: server.url(db) });
    const running = ws.cli('backup');
    let killed = 0;
    let listed = '';
    for (let i = 0; i < 3000 && killed === 0; i++) {
      // What anyone on the machine sees of our pg_dump: its command line, which must not hold the password.
      listed ||= execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('pg_dump') && l.includes(`dbname='${db}'`)).join('\n');
      // Seen in ps first, then ended: ending it before ps saw it would leave nothing to check.
      if (!listed) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const rows = await server.sql(`select pg_terminate_backend(pid) as t from pg_stat_activity where application_name = 'pg_dump' and datname = '${db}'`);
      killed = rows.filter((r) => r.t === true).length;
      if (killed === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const result = await running;
    expect(killed).toBe(1);
    expect(listed).toMatch(/pg_dump --format=custom --compress=0 --no-password --snapshot=\S+ --dbname=host='127\.0\.0\.1' port='\d+' user='postgres' dbname=/);
    expect(listed).not.toContain(server.password);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/pg_dump failed \(exit 1\).*(server closed the connection|terminating connection)/);
    expect(result.stderr).toMatch(/The server ended the connection during the dump/);
    expect(await backupsListed()).toBe(0);
    expect(await server.sql('select count(*)::int as n, sum(length(junk))::bigint as bytes from big', db)).toEqual(before);
  });

  it('a restore whose pg_restore fails (a role is missing): exit 1, the live database untouched, nothing left behind', async () => {
    const db = fresh('norole');
    await server.sql("create role gone_owner login password 'gone-pw-123'");
    await server.sql(`create database ${db} owner gone_owner`);
    const owner = await server.client(db);
    await owner.query('set role gone_owner; create table t (id int primary key); insert into t select generate_series(1, 10)');
    await owner.end();
    ws.writePlan({ url: server.url(db) });
    expect((await ws.cli('backup')).code).toBe(0);
    // The live database moves on; its owner role no longer exists where we restore.
    await server.sql(`alter database ${db} owner to postgres`);
    await server.sql('reassign owned by gone_owner to postgres', db);
    await server.sql('drop owned by gone_owner', db);
    await server.sql('drop role gone_owner');
    await server.sql('insert into t values (11)', db);
    const before = await contentOf(server, db);
    const restore = await ws.cli('restore');
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/pg_restore failed \(exit 1\).*role "gone_owner" does not exist/);
    expect(restore.stderr).toMatch(/globals: true/);
    expect(await contentOf(server, db)).toEqual(before);
    const left = await server.sql(`select datname from pg_database where datname like '${db}\\_%'`);
    expect(left).toEqual([]);
  });
});
