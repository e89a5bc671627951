/**
 * globals.sql is data, never code, through the real CLI on a real server.
 * The attacker's view: write access to a target, so the artifact can be
 * rewritten and its manifest made to match (sha256, size). A forged line
 * that smuggles statements after an ALTER ROLE (issue 18's `CREATE ROLE
 * pwned; COPY ... TO PROGRAM`) refuses the drill and the restore with exit 5
 * before anything is sent; an honest dump still brings roles back with their
 * attributes, passwords, settings and memberships.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../helpers/cli.js';
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

/** A database owned by `owner`, with rows written as that role. */
async function ownedDb(db: string, owner: string): Promise<void> {
  await server.sql(`create role ${owner} login password 'owner-pw-123' connection limit 4`);
  await server.sql(`create database ${db} owner ${owner}`);
  const client = await server.client(db);
  await client.query(`set role ${owner}; create table t (id int primary key, body text); insert into t select i, md5(i::text) from generate_series(1, 50) i`);
  await client.end();
}

/** The live database goes on without `owner`: the role is missing where the restore runs, so its globals lines are used. */
async function dropOwner(db: string, owner: string): Promise<void> {
  await server.sql(`alter database ${db} owner to postgres`);
  await server.sql(`reassign owned by ${owner} to postgres`, db);
  await server.sql(`drop owned by ${owner}`, db);
  await server.sql(`drop role ${owner}`);
}

/** Rewrites globals.sql inside the artifact on every target and makes each manifest match, as someone with write access to the targets can. */
function forgeGlobals(id: string, edit: (globals: string) => string): void {
  const work = mkdtempSync(join(ws.dir, 'forge-'));
  const dirs = ['nas', 'usb', 'cloud'].map((t) => join(ws.dir, 'targets', t, 'pgapp', id));
  const manifest = JSON.parse(readFileSync(join(dirs[0]!, 'manifest.json'), 'utf8'));
  const file = manifest.sources[0].artifact.file as string;
  expect(file).toBe('pg.pgdump.tar.zst');
  execFileSync('sh', ['-c', 'zstd -q -d -c "$1" | tar -x -C "$2"', 'sh', join(dirs[0]!, file), work]);
  const globals = join(work, 'globals.sql');
  writeFileSync(globals, edit(readFileSync(globals, 'utf8')));
  execFileSync('tar', ['-C', work, '-cf', join(work, 'forged.tar'), 'index.json', 'globals.sql', 'db-0.pgdump']);
  execFileSync('zstd', ['-q', '-f', join(work, 'forged.tar'), '-o', join(work, 'forged.tar.zst')]);
  const bytes = readFileSync(join(work, 'forged.tar.zst'));
  const sha256 = execFileSync('sha256sum', [join(work, 'forged.tar.zst')], { encoding: 'utf8' }).split(' ')[0];
  for (const dir of dirs) {
    writeFileSync(join(dir, file), bytes);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    // The attacker rewrites every field the manifest has for the artifact, the decoded size too.
    Object.assign(m.sources[0].artifact, { sha256, bytes: bytes.length, decoded_bytes: statSync(join(work, 'forged.tar')).size });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
  }
}

async function roleExists(name: string): Promise<boolean> {
  return (await server.sql(`select 1 from pg_roles where rolname = '${name}'`)).length === 1;
}

describe('globals.sql from a target is data', () => {
  for (const command of ['drill', 'restore'] as const) {
    it(`${command}: a forged ALTER ROLE line carrying CREATE ROLE and COPY ... TO PROGRAM is refused with exit 5; nothing runs`, async () => {
      const db = fresh(`forged_${command}`);
      const owner = fresh('approle');
      const pwned = fresh('pwned');
      await ownedDb(db, owner);
      ws.writePlan({ url: server.url(db), globals: true });
      const backup = await ws.cli('backup', '--json');
      expect(backup.code, backup.stderr).toBe(0);
      await dropOwner(db, owner);
      const before = await contentOf(server, db);
      // COPY TO PROGRAM runs as the server's user: a folder it may write into.
      const drop = mkdtempSync(join(tmpdir(), 'restorable-pwn-'));
      chmodSync(drop, 0o777);
      const marker = join(drop, 'pwned.txt');
      try {
        forgeGlobals(json<{ id: string }>(backup).id, (text) => {
          const line = new RegExp(`^ALTER ROLE ${owner} WITH .*;$`, 'm');
          expect(text).toMatch(line);
          return text.replace(line, (l) => `${l} CREATE ROLE ${pwned}; COPY (SELECT 1) TO PROGRAM 'id > ${marker}';`);
        });
        const result = await ws.cli(command);
        expect(result.code, result.stderr).toBe(5);
        expect(result.stderr).toMatch(/globals\.sql is not a pg_dumpall globals dump: line \d+ holds a second statement on one line \(ALTER ROLE .*\)\. Nothing was restored/);
        expect(result.stderr).toMatch(/hint: .*changed after the backup/);
        expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
        expect(existsSync(marker)).toBe(false);
        expect(await roleExists(pwned)).toBe(false);
        // Refused before anything was sent: not even the honest role of that line was created.
        expect(await roleExists(owner)).toBe(false);
        expect(await contentOf(server, db)).toEqual(before);
        expect((await databases(server)).filter((d) => d.startsWith(`${db}_`))).toEqual([]);
      } finally {
        rmSync(drop, { recursive: true, force: true });
      }
    });
  }

  it('an honest globals dump restores missing roles with their password, settings and memberships', async () => {
    const db = fresh('honest');
    const owner = fresh('app_owner');
    const group = fresh('app_group');
    const helper = fresh('app helper'); // a name that needs quoting
    await ownedDb(db, owner);
    await server.sql(`create role ${group} nologin; grant ${group} to ${owner} with admin option; alter role ${owner} set statement_timeout = '42s'; create role "${helper}" createdb valid until '2031-02-03'; grant ${group} to "${helper}"`);
    const rolesBefore = await server.sql(`select rolname, rolcanlogin, rolcreatedb, rolconnlimit, rolvaliduntil, rolconfig from pg_roles where rolname in ('${owner}', '${group}', '${helper}') order by 1`);
    const membersOf = `select r.rolname as role, m.rolname as member, a.admin_option from pg_auth_members a join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member where r.rolname = '${group}' order by 2`;
    const membersBefore = await server.sql(membersOf);
    expect(membersBefore).toHaveLength(2);
    ws.writePlan({ url: server.url(db), globals: true });
    expect((await ws.cli('backup')).code).toBe(0);
    const before = await contentOf(server, db);
    await dropOwner(db, owner);
    await server.sql(`drop role "${helper}"; drop role ${group}`);
    await server.sql('delete from t where id > 10', db);

    const restore = await ws.cli('restore');
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/Created missing roles from globals: /);
    expect(await contentOf(server, db)).toEqual(before);
    expect(await server.sql(`select rolname, rolcanlogin, rolcreatedb, rolconnlimit, rolvaliduntil, rolconfig from pg_roles where rolname in ('${owner}', '${group}', '${helper}') order by 1`)).toEqual(rolesBefore);
    expect(await server.sql(membersOf)).toEqual(membersBefore);
    expect(await server.sql("select tableowner from pg_tables where tablename = 't'", db)).toEqual([{ tableowner: owner }]);
    // The password hash came back as it was: the role logs in with its old password.
    const client = await server.client(db, owner, 'owner-pw-123');
    expect((await client.query('select count(*)::int as n from t')).rows).toEqual([{ n: 50 }]);
    await client.end();
  });
});
