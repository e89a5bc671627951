/**
 * What a `type: postgres` source resolves to against the server (which
 * databases, which one is primary, the artifact's shape); its plan entry is
 * pg-config.ts. Also the one place that turns client errors into sentences.
 */
import { RunError, reason } from '../errors.js';
import { describeConnection, withClient, type PgConnection } from './pg-connection.js';
import { ExecPrefixError } from './pg-psql.js';
import { execHint } from './pg-tools.js';

import type { PgSourceConfig } from './pg-config.js';

export interface PgLayout {
  conn: PgConnection;
  format: 'custom' | 'directory';
  databases: string[];
  /** The database sql health checks and the schema version query run in. */
  primary: string;
  maintenance: string;
  /** A tar of several dumps (and globals), or pg_dump's archive as is. */
  tar: boolean;
  /** pg_dump compresses (only when the plan's codec is none). */
  ownCompression: boolean;
  superuser: boolean;
  server: { version: string; major: number };
}

/** Whether a config's artifact is a tar, known before connecting (for its file name). */
export function isTarLayout(config: PgSourceConfig): boolean {
  const several = config.databases === 'all' || (config.databases?.length ?? 1) > 1;
  return several || config.globals || config.format === 'directory';
}

export function primaryOf(conn: PgConnection, databases: string[]): string {
  return databases.includes(conn.database) ? conn.database : databases[0]!;
}

/** Asks the server which databases `databases: all` means, and whether the role is a superuser. */
export async function resolveLayout(config: PgSourceConfig, conn: PgConnection, codec: string | undefined): Promise<PgLayout> {
  const maintenance = config.databases === 'all' || config.globals ? config.maintenance_database : conn.database;
  const { databases, superuser, server } = await withClient(conn, conn.database, async (client) => {
    const me = (await client.query("select rolsuper, current_setting('server_version') as v, current_setting('server_version_num')::int as n from pg_roles where rolname = current_user")).rows[0];
    const facts = { superuser: Boolean(me?.rolsuper), server: { version: String(me?.v), major: Math.floor(Number(me?.n) / 10000) } };
    if (config.databases !== 'all') return { databases: config.databases ?? [conn.database], ...facts };
    const rows = (await client.query('select datname from pg_database where datallowconn and not datistemplate order by datname')).rows;
    return { databases: rows.map((r) => String(r.datname)), ...facts };
  }).catch((error: unknown) => {
    throw explainClientError(error, conn, conn.database);
  });
  return {
    conn,
    format: config.format,
    databases,
    primary: primaryOf(conn, databases),
    maintenance,
    tar: isTarLayout(config),
    ownCompression: codec === 'none',
    superuser,
    server,
  };
}

/** A `pg` client error as a RunError with a hint a DBA can act on. */
export function explainClientError(error: unknown, conn: PgConnection, database: string): RunError {
  if (error instanceof RunError) return error;
  if (error instanceof ExecPrefixError) return new RunError(error.message, { hint: execHint(error.prefix), cause: error });
  const code = (error as { code?: string }).code;
  const where = describeConnection(conn, database);
  const hints: Record<string, string> = {
    '28P01': 'The password was refused: check PGPASSWORD (or the ${VAR} in url) and the user.',
    '28000': 'The server refused this role or host: check pg_hba.conf and the user name.',
    '3D000': 'The database does not exist: check the database name (url path or `database`).',
    '42501': 'Permission denied: the role needs more privileges (see the README, "Required privileges").',
    '53100': "The database server's disk is full: free space on the server and run again.",
    ECONNREFUSED: 'Nothing listens there: check host and port, and that PostgreSQL runs and listens on that address.',
    ENOTFOUND: 'The host name does not resolve: check host.',
    EAI_AGAIN: 'The host name does not resolve: check host and DNS.',
    ETIMEDOUT: 'The connection timed out: check host, port and firewalls.',
    EHOSTUNREACH: 'The host is unreachable: check host and the network.',
  };
  const timeout = /timeout/i.test(reason(error)) ? hints.ETIMEDOUT : undefined;
  return new RunError(`PostgreSQL ${where}: ${reason(error)}`, { hint: (code && hints[code]) ?? timeout ?? 'Check the connection settings of this source.', cause: error });
}
