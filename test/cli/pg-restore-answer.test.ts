/**
 * When pg_restore fails, the CLI shows its whole answer: the error, where it
 * came from (CONTEXT) and the object being created (Command was), and for
 * the classic search_path failure (a function called by an index finds
 * another one only through search_path, which dumps set to '') a hint that
 * names the function and the fix. Against a real server and pg_restore.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { noStackTrace } from '../helpers/cli.js';
import { contentOf, databases, pgWorkspace, type PgWorkspace } from '../helpers/pg-fixture.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

let server: PgServer;
let ws: PgWorkspace;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(() => server?.stop());
beforeEach(() => {
  ws = pgWorkspace(server);
});
afterEach(() => ws?.cleanup());

describe("pg_restore's whole answer", () => {
  it('an index whose function finds another only through search_path: the failing object, its context, and the fix', async () => {
    await server.sql('create database names');
    await server.sql(
      `create function my_norm(text) returns text language sql immutable as $$ select lower($1) $$;
       create function f_norm(text) returns text language sql immutable as $$ select my_norm($1) $$;
       create table people (id int primary key, name text not null);
       insert into people select i, 'Name ' || i from generate_series(1, 50) i;
       create index people_norm on people (f_norm(name));`,
      'names',
    );
    ws.writePlan({ url: server.url('names') });
    const backup = await ws.cli('backup');
    expect(backup.code, backup.stderr).toBe(0);
    await server.sql('delete from people where id > 40', 'names');
    const before = await contentOf(server, 'names');

    const restore = await ws.cli('restore');
    expect(restore.code).toBe(1);
    noStackTrace(restore);
    expect(restore.stderr).toMatch(/pg_restore failed \(exit 1\): .*function my_norm\(text\) does not exist/);
    expect(restore.stderr).toMatch(/CONTEXT: SQL function "f_norm"/);
    expect(restore.stderr).toMatch(/Command was: CREATE INDEX people_norm ON public\.people USING btree \(public\.f_norm\(name\)\)/);
    expect(restore.stderr).toMatch(/hint: The function my_norm\(text\) exists, but function f_norm, called by CREATE INDEX people_norm/);
    expect(restore.stderr).toMatch(/ALTER FUNCTION f_norm SET search_path = public/);
    // The live database is untouched and nothing of the build is left.
    expect(await contentOf(server, 'names')).toEqual(before);
    expect((await databases(server)).filter((d) => d.startsWith('names_'))).toEqual([]);

    // The fix the hint gives works: a new backup restores.
    await server.sql('alter function f_norm set search_path = public', 'names');
    expect((await ws.cli('backup')).code).toBe(0);
    const again = await ws.cli('restore');
    expect(again.code, again.stderr).toBe(0);
    expect(await contentOf(server, 'names')).toEqual(before);
  });
});
