/**
 * `restorable init` per preset, end to end: a small instance of each app's
 * layout (its database with the tables the preset's checks read, its
 * folders, a docker-compose.yml and .env where the preset reads them), then
 * init, validate, backup, drill and restore on the written plan, checked by
 * content; and the reference check fails once a referenced file is missing
 * from a backup. Immich runs its dumps through an exec prefix (runuser, see
 * postgres-exec.test.ts) against a real PostgreSQL; an HTTP server in the
 * test answers the endpoints the plans probe (version, ping) as the apps do.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, type CliResult } from '../helpers/cli.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

let http: Server;
let appUrl = '';
let pgServer: PgServer;
beforeAll(async () => {
  http = createServer((req, res) => {
    const answers: Record<string, string> = {
      '/api/server/version': JSON.stringify({ major: 1, minor: 135, patch: 3 }),
      '/api/server/ping': JSON.stringify({ res: 'pong' }),
      '/alive': JSON.stringify('2026-12-02T07:00:00Z'),
      '/api/version': JSON.stringify('1.32.0'),
      '/api/status': JSON.stringify({ status: 'HEALTHY', version: '14.1.0' }),
    };
    const body = answers[req.url ?? ''];
    res.statusCode = body === undefined ? 404 : 200;
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  pgServer = await startPostgres({ hba: ['local all postgres peer'] });
}, 60_000);
afterAll(() => {
  http.close();
  pgServer?.stop();
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-init-'));
  mkdirSync(join(dir, 'backups'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const plan = () => join(dir, 'restorable.yml');
const cli = (...args: string[]) => runCli([...args, '--plan', plan()], { cwd: dir, env: { PGPASSWORD: '' } });

function put(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

function sqlite(path: string, sql: string, wal = false): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  if (wal) db.pragma('journal_mode = wal');
  db.exec(sql);
  db.close();
}

const rows = (path: string, sql: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function init(preset: string, ...answers: string[]): Promise<Record<string, unknown>> {
  const result = await runCli(['init', '--preset', preset, '--path', join(dir, 'app'), '--out', plan(), '--target', join(dir, 'backups'), '--app-container', 'no', ...answers], { cwd: dir });
  expect(result.code, result.stderr + result.stdout).toBe(0);
  expect(result.stdout).toMatch(/is valid/);
  expect(result.stdout).toMatch(/Left to do:/);
  return parse(readFileSync(plan(), 'utf8')) as Record<string, unknown>;
}

function ok(result: CliResult): void {
  expect(result.code, result.stderr + result.stdout).toBe(0);
}

/** Backup, drill, damage, restore: the damage is undone. Then a referenced file goes missing: the next backup's drill fails the named check. */
async function roundTrip(opts: { damage: () => unknown; check: () => unknown; remove?: string; failing?: RegExp }): Promise<void> {
  ok(await cli('validate'));
  ok(await cli('backup'));
  const drill = await cli('drill');
  ok(drill);
  expect(drill.stderr).not.toMatch(/: failed/);
  await opts.damage();
  ok(await cli('restore'));
  await opts.check();
  if (!opts.remove) return;
  rmSync(opts.remove);
  ok(await cli('backup'));
  const failing = await cli('drill');
  expect(failing.code).toBe(4);
  expect(failing.stderr).toMatch(opts.failing!);
}

describe('init presets, end to end', () => {
  it('vaultwarden: db.sqlite3, attachments, sends, config.json, rsa_key*; the data folder found in docker-compose.yml', async () => {
    put(join(dir, 'app', 'docker-compose.yml'), 'services:\n  vaultwarden:\n    image: vaultwarden/server:latest\n    container_name: vw\n    volumes:\n      - ./vw-data/:/data/\n');
    const data = join(dir, 'app', 'vw-data');
    sqlite(join(data, 'db.sqlite3'), `create table users (uuid text primary key, email text);
      create table attachments (id text primary key, cipher_uuid text not null, file_name text);
      insert into users values ('u1', 'ada@example.org'), ('u2', 'grace@example.org');
      insert into attachments values ('a1', 'c1', 'passport.pdf'), ('a2', 'c2', 'key.txt');`, true);
    put(join(data, 'attachments', 'c1', 'a1'), 'passport bytes');
    put(join(data, 'attachments', 'c2', 'a2'), 'key bytes');
    put(join(data, 'sends', 's1', 'f1'), 'sent');
    put(join(data, 'config.json'), '{"admin_token":"x"}');
    put(join(data, 'rsa_key.pem'), 'PRIVATE');
    put(join(data, 'icon_cache', 'example.png'), 'icon');
    const written = await init('vaultwarden', '--app-url', appUrl);
    expect((written.sources as { path: string }[])[0]!.path).toBe(join(data, 'db.sqlite3'));
    expect(written.app).toEqual({ version_from: { http: { url: `${appUrl}/api/version` } } });
    const key = sha(join(data, 'rsa_key.pem'));
    await roundTrip({
      damage: () => {
        sqlite(join(data, 'db.sqlite3'), "delete from users where uuid = 'u2'");
        writeFileSync(join(data, 'rsa_key.pem'), 'lost');
      },
      check: () => {
        expect(rows(join(data, 'db.sqlite3'), 'select uuid from users order by 1')).toEqual([{ uuid: 'u1' }, { uuid: 'u2' }]);
        expect(sha(join(data, 'rsa_key.pem'))).toBe(key);
      },
      remove: join(data, 'attachments', 'c2', 'a2'),
      failing: /"attachments-present" \(1 of 2 referenced files are missing from files source "data": attachments\/c2\/a2\)/,
    });
    const list = await cli('list', '--json');
    expect(list.stdout).toMatch(/1\.32\.0/);
  });

  it('stash: stash-go.sqlite in WAL mode and the blobs folder; schema version from schema_migrations', async () => {
    put(join(dir, 'app', 'docker-compose.yml'), 'services:\n  stash:\n    image: stashapp/stash:latest\n    container_name: stash\n    volumes:\n      - ./config:/root/.stash\n      - ./blobs:/blobs\n      - ./generated:/generated\n');
    const db = join(dir, 'app', 'config', 'stash-go.sqlite');
    const blobs = ['ab12cd34ef', 'ff00aa11bb'];
    sqlite(db, `create table schema_migrations (version integer not null, dirty boolean not null);
      insert into schema_migrations values (67, 0);
      create table blobs (checksum varchar(255) primary key, blob blob);
      create table scenes (id integer primary key, title text);
      insert into scenes values (1, 'one'), (2, 'two');
      insert into blobs values ('${blobs[0]}', null), ('${blobs[1]}', null), ('00inline', x'0102');`, true);
    for (const c of blobs) put(join(dir, 'app', 'blobs', c.slice(0, 2), c.slice(2, 4), c), `image ${c}`);
    put(join(dir, 'app', 'generated', 'screenshots', 'x.jpg'), 'generated');
    await init('stash');
    const backup = await cli('backup', '--json');
    ok(backup);
    expect(backup.stdout).toMatch(/"schema_version": "67"/);
    rmSync(join(dir, 'backups'), { recursive: true });
    mkdirSync(join(dir, 'backups'));
    await roundTrip({
      damage: () => sqlite(db, 'delete from scenes'),
      check: () => expect(rows(db, 'select id from scenes order by 1')).toEqual([{ id: 1 }, { id: 2 }]),
      remove: join(dir, 'app', 'blobs', 'ff', '00', blobs[1]!),
      failing: /"blobs-present" \(1 of 2 referenced files are missing from files source "blobs": ff\/00\/ff00aa11bb\)/,
    });
  });

  it('vodum: database.db and the secret key beside it', async () => {
    const appdata = join(dir, 'app', 'appdata');
    sqlite(join(appdata, 'database.db'), "create table settings (id integer primary key, admin_email text); insert into settings values (1, 'admin@example.org');");
    put(join(appdata, 'vodum.secret_key'), 'secret-key');
    put(join(appdata, 'backups', 'old.sqlite'), 'old backup');
    await init('vodum', '--appdata', appdata);
    await roundTrip({
      damage: () => {
        sqlite(join(appdata, 'database.db'), 'delete from settings');
        rmSync(join(appdata, 'vodum.secret_key'));
      },
      check: () => {
        expect(rows(join(appdata, 'database.db'), 'select admin_email from settings')).toEqual([{ admin_email: 'admin@example.org' }]);
        expect(readFileSync(join(appdata, 'vodum.secret_key'), 'utf8')).toBe('secret-key');
      },
    });
  });

  it('paperless (sqlite): db.sqlite3 in data/, originals in media/; index/ left out', async () => {
    const data = join(dir, 'app', 'data');
    const media = join(dir, 'app', 'media');
    sqlite(join(data, 'db.sqlite3'), `create table django_migrations (id integer primary key, app text, name text);
      insert into django_migrations (app, name) values ('documents', '0001_initial'), ('documents', '1050_auto');
      create table documents_document (id integer primary key, title text, filename text);
      insert into documents_document values (1, 'invoice', '0000001.pdf'), (2, 'letter', 'letters/0000002.pdf');`, true);
    put(join(media, 'documents', 'originals', '0000001.pdf'), '%PDF invoice');
    put(join(media, 'documents', 'originals', 'letters', '0000002.pdf'), '%PDF letter');
    put(join(data, 'index', 'MAIN.toc'), 'index');
    const written = await init('paperless', '--engine', 'sqlite', '--data', data, '--media', media);
    expect(JSON.stringify(written)).not.toContain('db-exec');
    await roundTrip({
      damage: () => sqlite(join(data, 'db.sqlite3'), 'delete from documents_document where id = 2'),
      check: () => expect(rows(join(data, 'db.sqlite3'), 'select id from documents_document order by 1')).toEqual([{ id: 1 }, { id: 2 }]),
      remove: join(media, 'documents', 'originals', 'letters', '0000002.pdf'),
      failing: /"originals-present" \(1 of 2 referenced files are missing from files source "media": documents\/originals\/letters\/0000002\.pdf\)/,
    });
  });

  it('gamevault (sqlite, from DB_SYSTEM in .env): the database file and media; the version from /api/status', async () => {
    put(join(dir, 'app', '.env'), 'DB_SYSTEM=SQLITE\n');
    const db = join(dir, 'app', 'db', 'database.sqlite');
    sqlite(db, "create table gamevault_user (id integer primary key, username text); insert into gamevault_user values (1, 'admin');");
    put(join(dir, 'app', 'media', 'cover.png'), 'png');
    const written = await init('gamevault', '--app-url', appUrl);
    expect((written.sources as { type: string }[])[0]!.type).toBe('sqlite');
    await roundTrip({
      damage: () => sqlite(db, 'delete from gamevault_user'),
      check: () => expect(rows(db, 'select username from gamevault_user')).toEqual([{ username: 'admin' }]),
    });
    expect((await cli('list', '--json')).stdout).toMatch(/14\.1\.0/);
  });

  it('paperless (postgres, from PAPERLESS_DBHOST in docker-compose.yml): the dump through the prefix, media/ and data/', async () => {
    const app = join(dir, 'app');
    put(join(app, 'docker-compose.yml'), 'services:\n  db:\n    image: docker.io/library/postgres:17\n    container_name: paperless-db\n  webserver:\n    image: ghcr.io/paperless-ngx/paperless-ngx:latest\n    volumes:\n      - ./data:/usr/src/paperless/data\n      - ./media:/usr/src/paperless/media\n    environment:\n      PAPERLESS_DBHOST: db\n      PAPERLESS_DBNAME: paperless_test\n');
    await pgServer.sql('drop database if exists paperless_test');
    await pgServer.sql('create database paperless_test');
    await pgServer.sql(
      `create table django_migrations (id serial primary key, app text, name text);
       insert into django_migrations (app, name) values ('documents', '0001_initial'), ('documents', '1061_workflowactionwebhook');
       create table documents_document (id serial primary key, title text, filename text);
       insert into documents_document (title, filename) values ('invoice', '0000001.pdf'), ('scan', null), ('letter', '2025/0000003.pdf');`,
      'paperless_test',
    );
    put(join(app, 'media', 'documents', 'originals', '0000001.pdf'), '%PDF one');
    put(join(app, 'media', 'documents', 'originals', '2025', '0000003.pdf'), '%PDF three');
    put(join(app, 'data', 'index', 'MAIN.toc'), 'index');
    const written = await init('paperless', '--db-exec', 'runuser -u postgres --', '--db-host', pgServer.socketDir, '--db-port', String(pgServer.port), '--db-user', 'postgres');
    expect((written.sources as Record<string, unknown>[])[0]).toMatchObject({ type: 'postgres', database: 'paperless_test', exec: ['runuser', '-u', 'postgres', '--'] });
    const titles = async () => (await pgServer.sql('select title from documents_document order by id', 'paperless_test')).map((r) => r.title);
    await roundTrip({
      damage: () => pgServer.sql("delete from documents_document where title = 'letter'", 'paperless_test'),
      check: async () => expect(await titles()).toEqual(['invoice', 'scan', 'letter']),
      remove: join(app, 'media', 'documents', 'originals', '2025', '0000003.pdf'),
      failing: /"originals-present" \(1 of 2 referenced files are missing from files source "media": documents\/originals\/2025\/0000003\.pdf\)/,
    });
  });

  it('gamevault (postgres, its default): the database user and name from the backend service environment', async () => {
    const app = join(dir, 'app');
    put(join(app, 'docker-compose.yml'), 'services:\n  gamevault-backend:\n    image: phalcode/gamevault-backend:latest\n    environment:\n      DB_HOST: db\n      DB_USERNAME: postgres\n      DB_DATABASE: gamevault_test\n    volumes:\n      - ./media:/media\n  db:\n    image: postgres:16\n');
    await pgServer.sql('drop database if exists gamevault_test');
    await pgServer.sql('create database gamevault_test');
    await pgServer.sql("create table gamevault_user (id serial primary key, username text); insert into gamevault_user (username) values ('admin'), ('kid');", 'gamevault_test');
    put(join(app, 'media', 'box-art.png'), 'png');
    const written = await init('gamevault', '--db-exec', 'runuser -u postgres --', '--db-host', pgServer.socketDir, '--db-port', String(pgServer.port), '--app-url', appUrl);
    expect((written.sources as Record<string, unknown>[])[0]).toMatchObject({ type: 'postgres', user: 'postgres', database: 'gamevault_test' });
    const users = async () => (await pgServer.sql('select username from gamevault_user order by id', 'gamevault_test')).map((r) => r.username);
    await roundTrip({
      damage: () => pgServer.sql("delete from gamevault_user where username = 'kid'", 'gamevault_test'),
      check: async () => expect(await users()).toEqual(['admin', 'kid']),
    });
  });

  it('immich: PostgreSQL through an exec prefix and the media folder from .env and docker-compose.yml; the originals check reads asset paths under /data', async () => {
    const app = join(dir, 'app');
    put(join(app, 'docker-compose.yml'), readFileSync(join(import.meta.dirname, '..', 'fixtures', 'immich-compose.yml'), 'utf8'));
    put(join(app, '.env'), 'UPLOAD_LOCATION=./library\nDB_DATA_LOCATION=./postgres\nDB_PASSWORD=postgres\nDB_USERNAME=postgres\nDB_DATABASE_NAME=immich_test\n');
    await pgServer.sql('drop database if exists immich_test');
    await pgServer.sql('create database immich_test');
    await pgServer.sql(
      `create table "user" (id uuid primary key default gen_random_uuid(), email text not null);
       create table asset (id serial primary key, "originalPath" text not null, "libraryId" uuid);
       create table kysely_migrations (name text primary key, timestamp text);
       insert into "user" (email) values ('admin@example.org');
       insert into kysely_migrations values ('1744910873969-InitialMigration', 'x'), ('1750000000000-AddStack', 'y');
       insert into asset ("originalPath", "libraryId") values
         ('/data/library/admin/2025/IMG_0001.jpg', null), ('/data/upload/admin/ab/IMG_0002.jpg', null),
         ('/mnt/external/holiday.jpg', gen_random_uuid());`,
      'immich_test',
    );
    const media = join(app, 'library');
    put(join(media, 'library', 'admin', '2025', 'IMG_0001.jpg'), 'jpeg one');
    put(join(media, 'upload', 'admin', 'ab', 'IMG_0002.jpg'), 'jpeg two');
    put(join(media, 'thumbs', 'admin', 't1.webp'), 'thumb');
    put(join(media, 'encoded-video', 'admin', 'v1.mp4'), 'video');
    put(join(media, 'backups', 'immich-db-backup-1.sql.gz'), 'dump');
    const written = await init('immich', '--db-exec', 'runuser -u postgres --', '--db-host', pgServer.socketDir, '--db-port', String(pgServer.port), '--app-url', appUrl);
    const db = (written.sources as Record<string, unknown>[])[0]!;
    expect(db).toMatchObject({ type: 'postgres', exec: ['runuser', '-u', 'postgres', '--'], user: 'postgres', database: 'immich_test' });
    expect((written.sources as { path: string }[])[1]!.path).toBe(media);
    const backup = await cli('backup', '--json');
    ok(backup);
    expect(backup.stdout).toMatch(/"app_version": "1\.135\.3"/);
    expect(backup.stdout).toMatch(/"schema_version": "1750000000000-AddStack"/);
    const jpeg = sha(join(media, 'library', 'admin', '2025', 'IMG_0001.jpg'));
    await roundTrip({
      damage: () => writeFileSync(join(media, 'library', 'admin', '2025', 'IMG_0001.jpg'), 'overwritten'),
      check: () => expect(sha(join(media, 'library', 'admin', '2025', 'IMG_0001.jpg'))).toBe(jpeg),
      remove: join(media, 'upload', 'admin', 'ab', 'IMG_0002.jpg'),
      failing: /"originals-present" \(1 of 2 referenced files are missing from files source "media": \/data\/upload\/admin\/ab\/IMG_0002\.jpg\)/,
    });
    expect(readFileSync(plan(), 'utf8')).toContain('thumbs/**');
  });
});
