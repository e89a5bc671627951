/**
 * A PostgreSQL error never hangs a drill or restore (issue 12 item 9), on a
 * real server through the real CLI, tried as a new user would: a role without
 * CREATEDB, a wrong password, a role that does not own the live database,
 * rights taken away between the preflight and the build. Each exits 1 within
 * seconds with a message naming what is missing, and no child (zstd,
 * pg_restore) is left running: every process the CLI started carries a
 * marker in its environment, and /proc is searched for it afterwards.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI, type CliResult } from '../helpers/cli.js';
import { contentOf, databases, pgWorkspace, type PgWorkspace } from '../helpers/pg-fixture.js';
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

/** Processes (other than this test's) whose environment holds `mark`: what the CLI started and left behind. */
function survivors(mark: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`RESTORABLE_TEST_MARK=${mark}`)) continue;
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (state !== 'Z') found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ')}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Runs the CLI with a marked environment; resolves with its result, how long it took, and what it left running. */
async function timed(...args: string[]): Promise<CliResult & { seconds: number; left: string[] }> {
  const mark = randomUUID();
  ws.env = { ...ws.env, RESTORABLE_TEST_MARK: mark };
  const started = performance.now();
  const result = await Promise.race([
    ws.cli(...args),
    new Promise<never>((_, reject) =>
      setTimeout(() => {
        const hung = survivors(mark);
        // Ours (they carry the mark): ended so that a failing test leaves nothing behind.
        for (const line of hung) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
        reject(new Error(`restorable ${args.join(' ')} still running after 60 s: ${hung.join('; ')}`));
      }, 60_000),
    ),
  ]);
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  return { ...result, seconds, left: survivors(mark) };
}

/**
 * A database `db` owned by `owner` and big enough (about 12 MB of dump) that
 * an unread decoder fills its pipe. The role `app` logs in with the test
 * server's password (PGPASSWORD serves both it and the superuser).
 */
async function bigDb(db: string, owner: string, extra = '', rows = 80000): Promise<void> {
  await server.sql(`create role ${owner} login password '${server.password}' ${extra}`);
  await server.sql(`create database ${db} owner ${owner}`);
  const client = await server.client(db);
  await client.query(`set role ${owner}; create table big (id int primary key, junk text); insert into big select i, repeat(md5(i::text), 4) from generate_series(1, ${rows}) i`);
  await client.end();
}

const noStack = (r: CliResult) => expect(r.stderr + r.stdout).not.toMatch(/\n\s+at .+:\d+:\d+|internal error/);

describe('a PostgreSQL error never hangs a drill or restore', () => {
  it('drill as a role without CREATEDB: exit 1 naming CREATEDB, in seconds, nothing left running', async () => {
    const db = fresh('nocreatedb');
    const role = fresh('weak');
    await bigDb(db, role);
    ws.writePlan({ url: server.url(db, role) });
    expect((await ws.cli('backup')).code).toBe(0);
    const drill = await timed('drill');
    expect(drill.code, drill.stderr).toBe(1);
    expect(drill.stderr).toMatch(new RegExp(`role ${role} cannot drill on .*: it lacks CREATEDB \\(the drill builds a scratch database\\)`));
    expect(drill.stderr).toMatch(new RegExp(`hint: As a superuser: ALTER ROLE "${role}" CREATEDB`));
    noStack(drill);
    expect(drill.seconds).toBeLessThan(10);
    expect(drill.left).toEqual([]);
    expect((await databases(server)).filter((d) => d.startsWith(`${db}_`))).toEqual([]);
  });

  it('drill and restore with a wrong password: exit 1 with the password hint, in seconds, nothing left running', async () => {
    const db = fresh('wrongpw');
    const role = fresh('app');
    await bigDb(db, role, 'createdb');
    ws.writePlan({ url: server.url(db, role) });
    expect((await ws.cli('backup')).code).toBe(0);
    ws.env = { PGPASSWORD: 'not-the-password' };
    for (const command of ['drill', 'restore']) {
      const result = await timed(command);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`password authentication failed for user "${role}"`));
      expect(result.stderr).toMatch(/hint: .*check PGPASSWORD/);
      noStack(result);
      expect(result.seconds).toBeLessThan(10);
      expect(result.left).toEqual([]);
    }
  });

  it('restore as a role that neither owns the live database nor may end its sessions: names the one, warns of the other, before any hook runs', async () => {
    const db = fresh('notmine');
    const owner = fresh('boss');
    const role = fresh('helper');
    await bigDb(db, owner);
    await server.sql(`create role ${role} login createdb password '${server.password}'; grant connect on database ${db} to ${role}`);
    await server.sql(`grant select on all tables in schema public to ${role}`, db);
    const hookRan = join(ws.dir, 'hook-ran');
    ws.writePlan({ url: server.url(db, role) }, { hooks: { pre_restore: [{ command: ['touch', hookRan] }] } });
    expect((await ws.cli('backup')).code).toBe(0);
    // The app, connected as the owner.
    const app = await server.client(db, owner);
    try {
      const restore = await timed('restore');
      expect(restore.code, restore.stderr).toBe(1);
      expect(restore.stderr).toMatch(new RegExp(`role ${role} cannot restore on .*: it lacks membership of role "${owner}", which owns database "${db}" \\(the new database gets that owner and the swap renames it\\)\\. Nothing was changed`));
      expect(restore.stderr).toMatch(new RegExp(`hint: As a superuser: GRANT "${owner}" TO "${role}"\\. Or restore with a superuser`));
      // A pre_restore hook may still stop the app, so ending its sessions is a warning here, not a refusal.
      expect(restore.stderr).toMatch(new RegExp(`other roles are connected to "${db}", and role ${role} cannot end their sessions \\(it lacks pg_signal_backend\\)`));
      noStack(restore);
      expect(restore.left).toEqual([]);
      expect(() => readFileSync(hookRan)).toThrow();
      expect((await app.query('select count(*)::int as n from big')).rows).toEqual([{ n: 80000 }]);
    } finally {
      await app.end();
    }
  });

  it('rights taken away after the preflight (a pre_restore hook revokes CREATEDB): the build fails, exit 1 in seconds, no zstd or pg_restore left', async () => {
    const db = fresh('revoked');
    const role = fresh('owner');
    await bigDb(db, role, 'createdb');
    const psql = [join(server.bin, 'psql'), '-q', '-h', server.host, '-p', String(server.port), '-U', 'postgres', '-d', 'postgres', '-c'];
    ws.writePlan({ url: server.url(db, role) }, { hooks: { pre_restore: [{ command: [...psql, `alter role ${role} nocreatedb`] }] } });
    expect((await ws.cli('backup')).code).toBe(0);
    await server.sql('delete from big where id > 10', db);
    const before = await contentOf(server, db);
    const restore = await timed('restore');
    expect(restore.code, restore.stderr).toBe(1);
    expect(restore.stderr).toMatch(/permission denied to create database/);
    expect(restore.stderr).toMatch(/hint: /);
    noStack(restore);
    expect(restore.seconds).toBeLessThan(10);
    expect(restore.left).toEqual([]);
    expect(await contentOf(server, db)).toEqual(before);
    expect((await databases(server)).filter((d) => d.startsWith(`${db}_`))).toEqual([]);
  });
});

describe('children die with restorable', () => {
  it('kill -9 of restorable while pg_restore runs: pg_restore and every other child end with it', async () => {
    const db = fresh('killed');
    const role = fresh('owner');
    await bigDb(db, role, 'createdb', 400000);
    // globals: true stages a tar: pg_restore then reads a file, and nothing but the parent's death would stop it.
    ws.writePlan({ url: server.url(db, role), globals: true });
    expect((await ws.cli('backup')).code).toBe(0);
    const mark = randomUUID();
    const cli = spawn(process.execPath, [CLI, 'restore', '--plan', ws.plan], { env: { ...process.env, ...ws.env, RESTORABLE_TEST_MARK: mark }, stdio: 'ignore' });
    const exited = new Promise((resolve) => cli.once('close', resolve));
    let seen: string[] = [];
    for (let i = 0; i < 1200 && seen.length === 0; i++) {
      seen = survivors(mark).filter((p) => /pg_restore /.test(p));
      if (seen.length === 0) await new Promise((r) => setTimeout(r, 25));
    }
    expect(seen, 'pg_restore never started').toHaveLength(1);
    cli.kill('SIGKILL');
    await exited;
    await new Promise((r) => setTimeout(r, 500));
    const left = survivors(mark);
    for (const line of left) process.kill(Number(line.split(' ')[0]), 'SIGKILL'); // ours: never left running by a failing test
    expect(left).toEqual([]);
  });
});
