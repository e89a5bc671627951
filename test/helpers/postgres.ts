/**
 * A real PostgreSQL server for the tests, from the machine's binaries: initdb
 * into a temporary folder, a free port on 127.0.0.1, scram password auth (so a
 * wrong password is really refused), run as `postgres` when the tests run as
 * root (initdb and postgres refuse root). Stopped by `stop()`. A missing
 * PostgreSQL throws (test/helpers/net.ts requireService).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { requireService } from './net.js';

export interface PgServer {
  bin: string;
  host: string;
  port: number;
  password: string;
  /** The folder of the server's Unix socket. */
  socketDir: string;
  /** A URL for `db` as the superuser, password left out (it goes in PGPASSWORD). */
  url(db: string, user?: string): string;
  /** Environment for a child that should reach this server (PGPASSWORD). */
  env: Record<string, string>;
  client(db?: string, user?: string, password?: string): Promise<pg.Client>;
  sql(sql: string, db?: string): Promise<pg.QueryResultRow[]>;
  stop(): void;
}

/** The newest /usr/lib/postgresql/<major>/bin with a server in it; throws if there is none. */
export function findPostgres(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'initdb'))) : [];
  const bin = majors.sort((a, b) => Number(b) - Number(a)).map((m) => join(root, m, 'bin'))[0];
  requireService('the PostgreSQL server (/usr/lib/postgresql/*/bin/initdb)', bin !== undefined, 'apt-get install -y postgresql');
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const isRoot = process.getuid?.() === 0;

function asPostgres(command: string, args: string[]): void {
  const argv = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] as const : [command, args] as const;
  const result = spawnSync(argv[0], [...argv[1]], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout || result.error?.message}`);
}

/** `hba`: pg_hba.conf lines put before the default ones (e.g. `local all all peer`). */
export async function startPostgres(setup: { hba?: string[] } = {}): Promise<PgServer> {
  const bin = findPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'restorable-pg-'));
  const data = join(dir, 'data');
  const password = 'sup3r-secret-pw';
  writeFileSync(join(dir, 'pw'), `${password}\n`);
  chmodSync(dir, 0o755);
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chownSync(join(dir, 'pw'), uid, gid);
  }
  asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pw')}`, '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  if (setup.hba) {
    const hba = join(data, 'pg_hba.conf');
    writeFileSync(hba, `${setup.hba.join('\n')}\n${readFileSync(hba, 'utf8')}`);
  }
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=50`;
  asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', '-o', options, 'start']);
  const host = '127.0.0.1';
  const server: PgServer = {
    bin,
    host,
    port,
    password,
    socketDir: dir,
    url: (db, user = 'postgres') => `postgres://${user}@${host}:${port}/${encodeURIComponent(db)}`,
    env: { PGPASSWORD: password },
    async client(db = 'postgres', user = 'postgres', pw = password) {
      const client = new pg.Client({ host, port, user, password: pw, database: db });
      await client.connect();
      return client;
    },
    async sql(sql, db = 'postgres') {
      const client = await server.client(db);
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    },
    stop() {
      try {
        asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return server;
}

/** Runs a client tool from the server's own bin folder (pg_dump --schema-only, pgbench...). */
export function pgTool(server: PgServer, tool: string, args: string[]): string {
  return execFileSync(join(server.bin, tool), args, { encoding: 'utf8', env: { ...process.env, ...server.env }, maxBuffer: 256 * 2 ** 20 });
}
