/**
 * A postgres source whose tools run through a command prefix (`exec:`), as
 * `docker exec -i <container>` does for an app's database. The wrapper here
 * really changes where the tools run: `runuser -u postgres --`, against a
 * server that admits the local socket only by peer authentication for the
 * OS user postgres. restorable runs as root, so nothing of it reaches the
 * server unless pg_dump, pg_restore and psql went through the prefix. A
 * logging wrapper records every command line it was handed.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, noStackTrace } from '../helpers/cli.js';
import { contentOf, databases, makeShop, pgWorkspace, type PgWorkspace } from '../helpers/pg-fixture.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

let server: PgServer;
let ws: PgWorkspace;
let n = 0;
beforeAll(async () => {
  server = await startPostgres({ hba: ['local all postgres peer'] });
}, 60_000);
afterAll(() => server?.stop());
beforeEach(() => {
  ws = pgWorkspace(server);
  ws.env = {}; // no password: peer authentication through the prefix is the only way in
});
afterEach(() => ws?.cleanup());

const fresh = (stem: string) => `${stem}_x${++n}`;

/** A wrapper script that logs its arguments, then runs them as the OS user postgres. */
function loggingWrapper(): { path: string; log: () => string } {
  const path = join(ws.dir, 'wrap.sh');
  const log = join(ws.dir, 'wrap.log');
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec runuser -u postgres -- "$@"\n`);
  chmodSync(path, 0o755);
  return { path, log: () => readFileSync(log, 'utf8') };
}

const viaSocket = (db: string, exec?: string[]) => ({ host: server.socketDir, port: server.port, user: 'postgres', database: db, ...(exec ? { exec } : {}) });

describe('postgres source with an exec prefix', () => {
  it('backup, drill and restore run pg_dump, psql and pg_restore through the prefix; the artifact is the pipeline\'s (zstd, checksummed)', async () => {
    const db = fresh('shop');
    await makeShop(server, db);
    const wrap = loggingWrapper();
    const checks = { restore: { healthchecks: [{ name: 'customers', source: 'pg', sql: 'select count(*) from customers', expect: { equals: 300 } }] } };
    ws.writePlan({ ...viaSocket(db, [wrap.path]), schema_version: { sql: 'select count(*) from products' } }, checks);
    const before = await contentOf(server, db);
    const dry = await ws.cli('plan');
    expect(dry.stdout).toContain(`through \`${wrap.path}\``);
    const backup = await ws.cli('backup', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const out = json<{ id: string; manifest: { sources: { schema_version: string; counts: Record<string, number>; engine: { client: string }; artifact: { file: string } }[] } }>(backup);
    const entry = out.manifest.sources[0]!;
    expect(entry).toMatchObject({ schema_version: '40', counts: { databases: 1, tables: 4 }, engine: { client: expect.stringMatching(/^pg_dump \d+/) }, artifact: { file: 'pg.pgdump.zst' } });
    const artifact = readFileSync(join(ws.dir, 'targets', 'usb', 'pgapp', out.id, 'pg.pgdump.zst'));
    expect(artifact.subarray(0, 4).toString('hex')).toBe('28b52ffd'); // zstd frame: restorable's codec, not pg_dump's
    expect(wrap.log()).toMatch(/^pg_dump --format=custom --compress=0 --no-password .*--snapshot=/m);
    expect(wrap.log()).toMatch(/^psql --no-password --dbname=/m);

    const drill = await ws.cli('drill', '--json');
    expect(drill.code, drill.stderr).toBe(0);
    expect(wrap.log()).toMatch(/^pg_restore --exit-on-error --no-password --dbname=.*_drill_/m);

    await server.sql('delete from order_lines; update customers set email = upper(email)', db);
    const restore = await ws.cli('restore', '--json');
    expect(restore.code, restore.stderr).toBe(0);
    expect(await contentOf(server, db)).toEqual(before);
    const point = json<{ sources: { restorePoint: string }[] }>(restore).sources[0]!.restorePoint;
    expect(point).toMatch(new RegExp(`^${db}_before_`));
    expect((await databases(server)).filter((d) => /_new_|_drill_/.test(d))).toEqual([]);
  });

  it('without the prefix the same plan cannot reach the server (the wrapper is what changes where the tools run)', async () => {
    const db = fresh('shop');
    await makeShop(server, db);
    ws.writePlan(viaSocket(db));
    const backup = await ws.cli('backup');
    expect(backup.code).toBe(1);
    expect(backup.stderr).toMatch(/Peer authentication failed for user "postgres"/);
  });

  it('globals and several databases (the staged tar layout) go through the prefix by stdin and stdout', async () => {
    const [a, b] = [fresh('app'), fresh('app')];
    await makeShop(server, a);
    await makeShop(server, b, 'other_owner');
    const wrap = loggingWrapper();
    ws.writePlan({ ...viaSocket(a, [wrap.path]), databases: [a, b], globals: true });
    const before = [await contentOf(server, a), await contentOf(server, b)];
    const backup = await ws.cli('backup', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    expect(wrap.log()).toMatch(/^pg_dumpall --globals-only --no-password --dbname=/m);
    expect(wrap.log()).not.toMatch(/--file/); // paths of this machine mean nothing where the tools run
    await server.sql('truncate order_lines', a);
    await server.sql('truncate order_lines', b);
    const restore = await ws.cli('restore');
    expect(restore.code, restore.stderr).toBe(0);
    expect([await contentOf(server, a), await contentOf(server, b)]).toEqual(before);
  });

  it('errors are the same as without the prefix: a missing database, with the same exit code and hint', async () => {
    const wrap = loggingWrapper();
    ws.writePlan(viaSocket('no_such_db', [wrap.path]));
    const through = await ws.cli('backup');
    ws.env = { ...server.env };
    ws.writePlan({ url: server.url('no_such_db') });
    const direct = await ws.cli('backup');
    for (const r of [through, direct]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/database "no_such_db" does not exist/);
      expect(r.stderr).toMatch(/The database does not exist: check the database name/);
      noStackTrace(r);
    }
  });

  it("a pg_restore that fails through the prefix gives its whole answer, as without: the object, its context, the search_path hint", async () => {
    const db = fresh('names');
    await server.sql(`create database ${db}`);
    await server.sql(
      `create function my_norm(text) returns text language sql immutable as $$ select lower($1) $$;
       create function f_norm(text) returns text language sql immutable as $$ select my_norm($1) $$;
       create table people (id int primary key, name text not null);
       insert into people select i, 'Name ' || i from generate_series(1, 20) i;
       create index people_norm on people (f_norm(name));`,
      db,
    );
    ws.writePlan(viaSocket(db, ['runuser', '-u', 'postgres', '--']));
    expect((await ws.cli('backup')).code).toBe(0);
    const before = await contentOf(server, db);
    const restore = await ws.cli('restore');
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/pg_restore failed \(exit 1\): .*function my_norm\(text\) does not exist.*CONTEXT: SQL function "f_norm".*Command was: CREATE INDEX people_norm/);
    expect(restore.stderr).toMatch(/ALTER FUNCTION f_norm SET search_path = public/);
    expect(await contentOf(server, db)).toEqual(before);
    expect((await databases(server)).filter((d) => d.startsWith(`${db}_`))).toEqual([]);
  });

  it('a password reaches the tools in the environment only, never on a command line', async () => {
    const db = fresh('shop');
    await makeShop(server, db);
    const wrap = loggingWrapper();
    ws.env = { ...server.env };
    ws.writePlan({ url: server.url(db), exec: [wrap.path] });
    const backup = await ws.cli('backup');
    expect(backup.code, backup.stderr).toBe(0);
    expect(wrap.log()).toMatch(/^pg_dump /m);
    expect(wrap.log()).not.toContain(server.password);
  });

  it('a missing wrapper or a wrapper that fails gives a clear error, exit 1, and names the prefix', async () => {
    ws.writePlan(viaSocket('postgres', ['/nonexistent/bin/wrapper', 'exec', '-i', 'db']));
    const missing = await ws.cli('backup');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/psql through `\/nonexistent\/bin\/wrapper exec -i db`: cannot run \/nonexistent\/bin\/wrapper/);
    expect(missing.stderr).toMatch(/Check that `\/nonexistent\/bin\/wrapper exec -i db` works here/);
    ws.writePlan(viaSocket('postgres', ['runuser', '-u', 'no-such-user', '--']));
    const failing = await ws.cli('backup');
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/psql through `runuser -u no-such-user --` failed \(exit 1\): runuser: user no-such-user does not exist/);
    for (const r of [missing, failing]) noStackTrace(r);
  });

  it('refuses at validation what cannot work through a prefix: format directory, docker exec without -i or with -t', async () => {
    for (const [extra, message] of [
      [{ exec: ['runuser', '-u', 'postgres', '--'], format: 'directory' }, /exec needs format: custom/],
      [{ exec: ['docker', 'exec', 'immich_postgres'] }, /docker and podman exec need -i here/],
      [{ exec: ['podman', 'exec', '-it', 'db'] }, /no -t in exec/],
    ] as const) {
      ws.writePlan({ ...viaSocket('postgres'), ...extra });
      const result = await ws.cli('validate');
      expect(result.code).toBe(2);
      expect(result.stdout + result.stderr).toMatch(message);
    }
    ws.writePlan({ ...viaSocket('postgres'), exec: ['docker', 'exec', '-i', '-e', 'PGPASSWORD', 'db'] });
    expect((await ws.cli('validate')).code).toBe(0);
  });
});
