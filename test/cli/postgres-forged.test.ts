/**
 * A forged PostgreSQL artifact whose manifest was rewritten to match: a valid
 * pg_dump of another database. pg_restore takes it happily, so only counting
 * what was built can tell: restore and drill refuse it with exit 5 before the
 * swap, whatever the health checks, and the live database is untouched.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json } from '../helpers/cli.js';
import { contentOf, databases, pgWorkspace, type PgWorkspace } from '../helpers/pg-fixture.js';
import { pgTool, startPostgres, type PgServer } from '../helpers/postgres.js';

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

/** Replaces the pg artifact on every target with `raw` (zstd-compressed), manifest rewritten to match. */
function forge(id: string, raw: Buffer): void {
  const packed = execFileSync('zstd', ['-q', '-c'], { input: raw, maxBuffer: 1 << 28 });
  const sha256 = createHash('sha256').update(packed).digest('hex');
  for (const t of ['nas', 'usb', 'cloud']) {
    const dir = join(ws.dir, 'targets', t, 'pgapp', id);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const artifact = manifest.sources[0].artifact;
    writeFileSync(join(dir, artifact.file), packed);
    Object.assign(artifact, { sha256, bytes: packed.length, decoded_bytes: raw.length });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }
}

describe('a forged PostgreSQL artifact', () => {
  it.each([
    ['with a health check', { restore: { healthchecks: [{ name: 'rows', source: 'pg', sql: 'select 1', expect: { equals: 1 } }] } }],
    ['without health checks', {}],
  ])('another database with fewer tables and another schema version: exit 5, live untouched (%s)', async (name, extra) => {
    const live = `app_${name.length}`;
    const impostor = `impostor_${name.length}`;
    await server.sql(`create database ${live}`);
    await server.sql('create table migrations (v int); insert into migrations values (7); create table users (id int); insert into users values (1), (2)', live);
    await server.sql(`create database ${impostor}`);
    await server.sql('create table migrations (v int); insert into migrations values (3)', impostor);
    ws.writePlan({ url: server.url(live), schema_version: { sql: 'select max(v) from migrations' } }, extra);
    const backup = await ws.cli('backup', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const dump = join(ws.dir, 'impostor.pgdump');
    pgTool(server, 'pg_dump', ['--format=custom', '--compress=0', '--file', dump, `--dbname=${server.url(impostor)}`]);
    forge(json<{ id: string }>(backup).id, readFileSync(dump));
    const before = await contentOf(server, live);
    for (const command of ['restore', 'drill']) {
      const result = await ws.cli(command);
      expect(result.code, result.stderr).toBe(5);
      expect(result.stderr).toMatch(/source "pg" is not what backup .* recorded: schema version 3, the manifest says 7; 1 tables, the manifest says 2/);
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(await contentOf(server, live)).toEqual(before);
    }
    expect((await databases(server)).filter((d) => /_new_|_drill_/.test(d))).toEqual([]);
  });
});
