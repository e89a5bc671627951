/**
 * PostgreSQL end to end through the real CLI against a real server: round
 * trip of a realistic schema, a consistent snapshot under a writer, the
 * swap with a restore point, --to, several databases with globals in
 * directory format, and drills. Restores are checked by content.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../helpers/cli.js';
import { contentOf, databases, makeShop, pgWorkspace, schemaOf, type PgWorkspace } from '../helpers/pg-fixture.js';
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

interface BackupOut {
  id: string;
  manifest: { sources: { name: string; engine: { name: string; version: string; client?: string }; method: string; schema_version: string | null; counts: Record<string, number>; artifact: { file: string } }[] };
}

function noSecrets(...texts: string[]): void {
  for (const text of texts) expect(text).not.toContain(server.password);
}

describe('postgres source through the CLI', () => {
  it('round trip: schema and every row come back; the old database is kept as a restore point', async () => {
    const db = fresh('shop');
    await makeShop(server, db);
    ws.writePlan(
      { url: server.url(db), schema_version: { sql: 'select count(*) from products' } },
      { restore: { healthchecks: [{ name: 'customers', source: 'pg', sql: 'select count(*) from customers', expect: { equals: 300 } }] } },
    );
    const schemaBefore = schemaOf(server, db);
    const contentBefore = await contentOf(server, db);
    const backup = await ws.cli('backup', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const entry = json<BackupOut>(backup).manifest.sources[0]!;
    expect(entry.engine).toMatchObject({ name: 'postgresql', version: expect.stringMatching(/^\d+\.\d+/), client: expect.stringMatching(/^pg_dump \d+\.\d+$/) });
    expect(entry.method).toMatch(/^pg_dump \d+\.\d+, custom format, uncompressed/);
    expect(entry.schema_version).toBe('40');
    expect(entry.counts).toEqual({ databases: 1, tables: 4 });
    expect(entry.artifact.file).toBe('pg.pgdump.zst');

    // The app then damages its data; the restore must bring back the backup's state exactly.
    await server.sql('delete from order_lines; drop view order_totals; update customers set email = upper(email)', db);
    const damaged = await contentOf(server, db);
    const restore = await ws.cli('restore', '--json');
    expect(restore.code, restore.stderr).toBe(0);
    expect(schemaOf(server, db)).toBe(schemaBefore);
    expect(await contentOf(server, db)).toEqual(contentBefore);
    const point = json<{ sources: { restorePoint: string }[] }>(restore).sources[0]!.restorePoint;
    expect(point).toMatch(new RegExp(`^${db}_before_`));
    expect(await contentOf(server, point)).toEqual(damaged);
    expect((await server.sql(`select pg_get_userbyid(datdba) as o from pg_database where datname = '${db}'`))[0]!.o).toBe('shop_owner');
    expect((await databases(server)).filter((d) => d.includes('_new_'))).toEqual([]);
    noSecrets(backup.stdout, backup.stderr, restore.stdout, restore.stderr, readFileSync(join(ws.dir, 'targets', 'nas', 'pgapp', json<BackupOut>(backup).id, 'manifest.json'), 'utf8'));
  });

  it('consistency: money moved between accounts during the backup; the restored total is the starting total', async () => {
    const db = fresh('bank');
    await server.sql(`create database ${db}`);
    await server.sql(
      `create table accounts (id int primary key, balance bigint not null);
       insert into accounts select i, 1000 from generate_series(1, 200) i;
       create table ledger (id bigserial primary key, from_id int, to_id int, amount int, note text);
       create table filler (id int primary key, junk text);
       insert into filler select i, repeat(md5(i::text), 8) from generate_series(1, 150000) i;`,
      db,
    );
    const total = 200 * 1000;
    // The password only through ${PGPW} in the url: no PGPASSWORD at all.
    ws.writePlan({ url: `postgres://postgres:\${PGPW}@${server.host}:${server.port}/${db}` });
    ws.env = { PGPW: server.password, PGPASSWORD: '' };
    const writer = await server.client(db);
    let moves = 0;
    let writing = true;
    const loop = (async () => {
      while (writing) {
        const a = 1 + Math.floor(Math.random() * 200);
        const b = 1 + ((a + 1 + Math.floor(Math.random() * 198)) % 200);
        const amount = 1 + Math.floor(Math.random() * 50);
        await writer.query('begin');
        await writer.query('update accounts set balance = balance - $1 where id = $2', [amount, a]);
        await writer.query('insert into ledger (from_id, to_id, amount) values ($1, $2, $3)', [a, b, amount]);
        await writer.query('update accounts set balance = balance + $1 where id = $2', [amount, b]);
        await writer.query('commit');
        moves++;
      }
    })();
    const backup = await ws.cli('backup', '--json');
    const movesDuringBackup = moves;
    writing = false;
    await loop;
    await writer.end();
    expect(backup.code, backup.stderr).toBe(0);
    expect(movesDuringBackup).toBeGreaterThan(5);

    // Restored elsewhere with --to: the live database keeps running untouched.
    const copy = fresh('bank_copy');
    ws.env = { ...server.env, PGPW: server.password };
    const restore = await ws.cli('restore', '--to', server.url(copy), '--json');
    expect(restore.code, restore.stderr).toBe(0);
    const [sum] = await server.sql('select sum(balance)::bigint as s, count(*)::int as n from accounts', copy);
    expect(Number(sum!.s)).toBe(total);
    const [ledger] = await server.sql('select count(*)::int as n, coalesce(sum(amount), 0)::bigint as moved from ledger', copy);
    expect(ledger!.n).toBeGreaterThan(0);
    noSecrets(backup.stdout, backup.stderr, restore.stdout, restore.stderr);
    // --to refuses a database that holds data.
    const again = await ws.cli('restore', '--to', server.url(copy));
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/is not empty \(3 tables\): refusing/);
    // A password typed into --to is refused before anything runs.
    const typed = await ws.cli('restore', '--to', `postgres://postgres:${server.password}@${server.host}:${server.port}/x`);
    expect(typed.code).toBe(2);
  });

  it('several databases and globals in directory format with 2 jobs: missing roles are created, existing ones left alone', async () => {
    const a = fresh('multi_a');
    const b = fresh('multi_b');
    await makeShop(server, a, 'multi_owner');
    await server.sql('create role multi_reader login connection limit 3');
    await server.sql(`create database ${b} owner multi_reader`);
    await server.sql('create table notes (id int primary key, body text); insert into notes select i, md5(i::text) from generate_series(1, 500) i; grant select on notes to multi_owner', b);
    ws.writePlan({ url: server.url(a), databases: [a, b], globals: true, format: 'directory', jobs: 2 });
    const before = { a: await contentOf(server, a), b: await contentOf(server, b), schemaB: schemaOf(server, b) };
    const backup = await ws.cli('backup', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const entry = json<BackupOut>(backup).manifest.sources[0]!;
    expect(entry.artifact.file).toBe('pg.pgdump.tar.zst');
    expect(entry.counts).toEqual({ databases: 2, tables: 5 });

    // b and its owner role are gone; multi_owner exists but was changed after the backup.
    await server.sql(`drop database ${b}`);
    await server.sql('drop role multi_reader');
    await server.sql('alter role multi_owner connection limit 7');
    await server.sql('truncate order_lines', a);
    const restore = await ws.cli('restore', '--json');
    expect(restore.code, restore.stderr).toBe(0);
    expect(await contentOf(server, a)).toEqual(before.a);
    expect(await contentOf(server, b)).toEqual(before.b);
    expect(schemaOf(server, b)).toBe(before.schemaB);
    const roles = await server.sql("select rolname, rolconnlimit from pg_roles where rolname in ('multi_owner', 'multi_reader') order by 1");
    expect(roles).toEqual([
      { rolname: 'multi_owner', rolconnlimit: 7 },
      { rolname: 'multi_reader', rolconnlimit: 3 },
    ]);
  });

  it('long names that share their first 40 bytes get distinct restore points; --to refuses a source of several databases', async () => {
    const stem = `tenant_${'x'.repeat(33)}`; // 40 bytes: "_before_<tag>" leaves room for 32 of them
    const [a, b] = [fresh(stem), fresh(stem)];
    for (const db of [a, b]) {
      await server.sql(`create database ${db}`);
      await server.sql(`create table t (v text); insert into t values ('${db}')`, db);
    }
    ws.writePlan({ url: server.url(a), databases: [a, b] });
    expect((await ws.cli('backup')).code).toBe(0);
    for (const db of [a, b]) await server.sql(`update t set v = 'changed'`, db);

    const copy = fresh('copy');
    const elsewhere = await ws.cli('restore', '--to', server.url(copy));
    expect(elsewhere.code, elsewhere.stderr).toBe(2);
    expect(elsewhere.stderr).toMatch(/--to restores one database, and PostgreSQL source "pg" has databases/);
    expect(await databases(server)).not.toContain(copy);

    const drill = await ws.cli('drill');
    expect(drill.code, drill.stderr).toBe(0);
    const restore = await ws.cli('restore', '--json');
    expect(restore.code, restore.stderr).toBe(0);
    for (const db of [a, b]) expect(await server.sql('select v from t', db)).toEqual([{ v: db }]);
    const points = (await databases(server)).filter((d) => d.startsWith('tenant_') && d.includes('_before_'));
    expect(points).toHaveLength(2);
    expect(points.every((p) => Buffer.byteLength(p) <= 63)).toBe(true);
    const closed = await server.sql(`select datname from pg_database where not datallowconn and datname like 'tenant_%'`);
    expect(closed).toEqual([]);
  });

  it('keeps an ICU database ICU: the restored copy sorts text as the live one did', async () => {
    const db = fresh('icu');
    await server.sql(`create database ${db} template template0 locale_provider icu icu_locale 'de-u-co-phonebk' lc_collate 'C.UTF-8' lc_ctype 'C.UTF-8'`);
    await server.sql("create table words (w text); insert into words values ('b'), ('A'), ('a'), ('B')", db);
    const order = async () => (await server.sql('select string_agg(w, \',\' order by w) as o from words', db))[0]!.o;
    const before = await order();
    expect(before).toBe('a,A,b,B');
    ws.writePlan({ url: server.url(db) });
    expect((await ws.cli('backup')).code).toBe(0);
    const restore = await ws.cli('restore');
    expect(restore.code, restore.stderr).toBe(0);
    expect(await server.sql(`select datlocprovider, daticulocale from pg_database where datname = '${db}'`)).toEqual([{ datlocprovider: 'i', daticulocale: 'de-u-co-phonebk' }]);
    expect(await order()).toBe(before);
  });

  it('a check that fails after the swap renames everything back: the live database is the one that was there', async () => {
    const db = fresh('undo');
    await makeShop(server, db);
    const failing = { name: 'app smoke', command: ['sh', '-c', 'echo "smoke test failed on $RESTORABLE_SOURCE_PG" >&2; exit 3'] };
    // compression: none: pg_dump compresses by itself (and the dump is read through this process, not fed to a tool).
    ws.writePlan({ url: server.url(db) }, { restore: { healthchecks: [failing] }, compression: { algorithm: 'none' } });
    const backup = await ws.cli('backup', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    expect(json<BackupOut>(backup).manifest.sources[0]!.method).toMatch(/custom format, pg_dump's own zlib compression/);
    expect(json<BackupOut>(backup).manifest.sources[0]!.artifact.file).toBe('pg.pgdump');
    await server.sql("insert into products (name, price) values ('after the backup', 1)", db);
    const oid = (await server.sql(`select oid from pg_database where datname = '${db}'`))[0]!.oid;
    const before = await contentOf(server, db);
    const restore = await ws.cli('restore');
    expect(restore.code).toBe(4);
    expect(restore.stderr).toMatch(new RegExp(`"app smoke" \\(exit 3: smoke test failed on postgres://postgres@127\\.0\\.0\\.1:\\d+/${db}\\)`));
    // The very same database (same oid), with the row written after the backup, under its own name.
    expect((await server.sql(`select oid from pg_database where datname = '${db}'`))[0]!.oid).toBe(oid);
    expect(await contentOf(server, db)).toEqual(before);
    expect((await databases(server)).filter((d) => d.startsWith(`${db}_`))).toEqual([]);
  });

  it('drill: restores into a scratch database, runs the checks, drops it; a failing check is exit 4 and live data is untouched', async () => {
    const db = fresh('drill');
    await makeShop(server, db);
    const ok = { name: 'orders', source: 'pg', sql: 'select count(*) from orders', expect: { equals: 900 } };
    ws.writePlan({ url: server.url(db) }, { restore: { healthchecks: [ok] }, compression: { algorithm: 'gzip' } });
    expect((await ws.cli('backup')).code).toBe(0);
    const drill = await ws.cli('drill');
    expect(drill.code, drill.stderr).toBe(0);
    expect(drill.stdout + drill.stderr).toMatch(/health check "orders": ok/);
    expect(drill.stderr).toMatch(new RegExp(`scratch place postgres://postgres@127\\.0\\.0\\.1:\\d+/${db}_drill_`));
    expect((await databases(server)).filter((d) => d.startsWith(`${db}_`))).toEqual([]);

    const bad = { name: 'too many', source: 'pg', sql: 'select count(*) from orders', expect: { min: 10_000 } };
    ws.writePlan({ url: server.url(db) }, { restore: { healthchecks: [bad] }, compression: { algorithm: 'gzip' } });
    const before = await contentOf(server, db);
    const failed = await ws.cli('drill');
    expect(failed.code).toBe(4);
    const restore = await ws.cli('restore');
    expect(restore.code).toBe(4);
    expect(restore.stderr).toMatch(/"too many" \(got "900", expected \{"min":10000\}\)\. Rolled back: the restored copy was checked beside the live data and discarded/);
    expect(await contentOf(server, db)).toEqual(before);
    expect((await databases(server)).filter((d) => d.startsWith(`${db}_`))).toEqual([]);
  });
});

describe('databases: all', () => {
  it('dumps every database (the maintenance one too) and swaps each back in, connecting to template1 to rename postgres', async () => {
    const own = await startPostgres();
    const mine = pgWorkspace(own);
    try {
      await makeShop(own, 'alpha');
      await own.sql('create table note (id int primary key); insert into note values (1), (2)', 'postgres');
      const check = { name: 'notes', source: 'pg', sql: 'select count(*) from note', expect: { equals: 2 } };
      mine.writePlan({ url: own.url('postgres'), databases: 'all', globals: true }, { restore: { healthchecks: [check] } });
      const before = await contentOf(own, 'alpha');
      const backup = await mine.cli('backup', '--json');
      expect(backup.code, backup.stderr).toBe(0);
      expect(json<BackupOut>(backup).manifest.sources[0]!.counts).toEqual({ databases: 2, tables: 5 });
      await own.sql('truncate order_lines', 'alpha');
      await own.sql('insert into note values (3)', 'postgres');
      const restore = await mine.cli('restore');
      expect(restore.code, restore.stderr).toBe(0);
      expect(await contentOf(own, 'alpha')).toEqual(before);
      expect(await own.sql('select count(*)::int as n from note', 'postgres')).toEqual([{ n: 2 }]);
      expect((await databases(own)).filter((d) => d.includes('_before_')).map((d) => d.replace(/_before_.*/, ''))).toEqual(['alpha', 'postgres']);
    } finally {
      mine.cleanup();
      own.stop();
    }
  });
});
