/**
 * Where a PostgreSQL source lives, from `url` or host/port/user/database, as
 * the two things the tools need: a libpq conninfo string WITHOUT the password
 * (safe in argv and process listings) and an environment holding the password
 * (PGPASSWORD) and the TLS settings (PGSSLMODE...). The `pg` client gets the
 * same values as options. A password never goes anywhere else.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { connectionFields } from './pg-config.js';
import { openPsql, type SqlClient } from './pg-psql.js';

export type { SqlClient } from './pg-psql.js';


type ConnectionConfig = { [K in keyof typeof connectionFields]?: z.infer<(typeof connectionFields)[K]> | undefined };

export interface PgConnection {
  host: string | undefined;
  port: number | undefined;
  user: string | undefined;
  database: string;
  password: string | undefined;
  /** The command prefix the tools run through (see connectionFields.exec); empty: run here. */
  exec: string[];
  ssl: { sslmode?: string | undefined; sslrootcert?: string | undefined; sslcert?: string | undefined; sslkey?: string | undefined };
}

/** Reads a URL (password included, from `${VAR}`) and the separate fields; fields override the URL's parts. */
export function parseConnection(config: ConnectionConfig): PgConnection {
  let fromUrl: Partial<PgConnection> & { ssl?: PgConnection['ssl'] } = {};
  if (config.url) {
    let url: URL;
    try {
      url = new URL(config.url);
    } catch {
      throw new UsageError('The PostgreSQL `url` is not a valid URL.', { hint: 'Expected postgres://user@host:5432/database (the password through ${VAR} or PGPASSWORD).' });
    }
    const param = (name: string) => url.searchParams.get(name) ?? undefined;
    const path = decodeURIComponent(url.pathname.replace(/^\//, ''));
    fromUrl = {
      host: url.hostname ? decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1') : param('host'),
      port: url.port ? Number(url.port) : param('port') ? Number(param('port')) : undefined,
      user: url.username ? decodeURIComponent(url.username) : param('user'),
      database: path || param('dbname'),
      password: url.password ? decodeURIComponent(url.password) : undefined,
      ssl: { sslmode: param('sslmode'), sslrootcert: param('sslrootcert'), sslcert: param('sslcert'), sslkey: param('sslkey') },
    };
  }
  const pick = <T>(field: T | undefined, url: T | undefined) => field ?? url;
  return {
    host: pick(config.host, fromUrl.host),
    port: pick(config.port, fromUrl.port),
    user: pick(config.user, fromUrl.user),
    database: pick(config.database, fromUrl.database) ?? 'postgres',
    password: fromUrl.password,
    exec: config.exec ?? [],
    ssl: {
      sslmode: pick(config.sslmode, fromUrl.ssl?.sslmode),
      sslrootcert: pick(config.sslrootcert, fromUrl.ssl?.sslrootcert),
      sslcert: pick(config.sslcert, fromUrl.ssl?.sslcert),
      sslkey: pick(config.sslkey, fromUrl.ssl?.sslkey),
    },
  };
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A conninfo string for `--dbname=`: never the password. A database name is always a value, never parsed as a URL. */
export function conninfo(conn: PgConnection, database = conn.database): string {
  const parts: [string, string | number | undefined][] = [
    ['host', conn.host],
    ['port', conn.port],
    ['user', conn.user],
    ['dbname', database],
  ];
  return parts.flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${quote(String(value))}`])).join(' ');
}

/** The child's environment: the password and TLS settings, and never a prompt. */
export function childEnv(conn: PgConnection, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (conn.password !== undefined) env.PGPASSWORD = conn.password;
  const ssl: [keyof PgConnection['ssl'], string][] = [
    ['sslmode', 'PGSSLMODE'],
    ['sslrootcert', 'PGSSLROOTCERT'],
    ['sslcert', 'PGSSLCERT'],
    ['sslkey', 'PGSSLKEY'],
  ];
  for (const [key, name] of ssl) if (conn.ssl[key] !== undefined) env[name] = conn.ssl[key];
  return env;
}

/** `user@host:port/db`: how a connection is named in messages and listings (never the password). */
export function describeConnection(conn: PgConnection, database = conn.database): string {
  return `${conn.user ? `${conn.user}@` : ''}${conn.host ?? 'local socket'}${conn.port ? `:${conn.port}` : ''}/${database}`;
}

function sslOption(ssl: PgConnection['ssl']): pg.ClientConfig['ssl'] {
  const mode = ssl.sslmode ?? process.env.PGSSLMODE;
  // node-postgres has no fallback: `prefer`/`allow` connect without TLS, as libpq does when the server has none.
  if (mode === undefined || mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const read = (path: string | undefined) => (path ? readFileSync(path, 'utf8') : undefined);
  const verify = mode === 'verify-ca' || mode === 'verify-full';
  return {
    rejectUnauthorized: verify,
    ...(ssl.sslrootcert ? { ca: read(ssl.sslrootcert) } : {}),
    ...(ssl.sslcert ? { cert: read(ssl.sslcert) } : {}),
    ...(ssl.sslkey ? { key: read(ssl.sslkey) } : {}),
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** A connected session to `database` (default: the connection's): node-postgres, or psql through the exec prefix. */
export async function connect(conn: PgConnection, database = conn.database): Promise<SqlClient> {
  if (conn.exec.length > 0) return openPsql(conn.exec, ['psql', '--no-password', `--dbname=${conninfo(conn, database)}`], childEnv(conn));
  // node-postgres is loaded on first use: `validate`, and runs of plans without PostgreSQL, never parse it.
  const { default: { Client } } = await import('pg');
  const client = new Client({
    ...(conn.host !== undefined ? { host: conn.host } : {}),
    ...(conn.port !== undefined ? { port: conn.port } : {}),
    ...(conn.user !== undefined ? { user: conn.user } : {}),
    ...(conn.password !== undefined ? { password: conn.password } : {}),
    database,
    ssl: sslOption(conn.ssl),
    connectionTimeoutMillis: 15_000,
    application_name: 'restorable',
  });
  client.on('error', () => undefined); // a dropped connection surfaces on the next query
  await client.connect();
  return {
    query: (query, values) => client.query(query as string, values as unknown[]) as unknown as ReturnType<SqlClient['query']>,
    end: () => client.end(),
  };
}

/** Runs `work` with a client to `database`, and always closes it. */
export async function withClient<T>(conn: PgConnection, database: string, work: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await connect(conn, database);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
