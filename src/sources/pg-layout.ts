/**
 * What a `type: postgres` source is: its plan schema, and what it resolves to
 * against the server (which databases, which one is primary, the artifact's
 * shape). Also the one place that turns client errors into sentences.
 */
import { z } from 'zod';
import { RunError, reason } from '../errors.js';
import { clockDuration } from '../util/duration.js';
import { connectionFields, describeConnection, withClient, type PgConnection } from './pg-connection.js';
import { ExecPrefixError } from './pg-psql.js';
import { execHint } from './pg-tools.js';
import { sourceBase } from './source.js';

export const postgresConfig = z
  .strictObject({
    ...sourceBase,
    type: z.literal('postgres'),
    ...connectionFields,
    /** Which databases: the connection's one (default), a list, or every database that accepts connections. */
    databases: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).optional(),
    format: z.enum(['custom', 'directory']).default('custom'),
    /** Parallel pg_dump/pg_restore workers; directory format only. */
    jobs: z.number().int().min(1).max(64).default(1),
    /** Roles and tablespaces too (pg_dumpall --globals-only). */
    globals: z.boolean().default(false),
    schema_version: z.strictObject({ sql: z.string().min(1) }).optional(),
    /** A folder holding pg_dump, pg_restore and pg_dumpall to use instead of the ones found. */
    bin_dir: z.string().min(1).optional(),
    /** How long pg_dump waits for a table lock (held by a migration, say) before it fails, e.g. `30s`. Default: forever. */
    lock_wait_timeout: clockDuration.optional(),
    /** Where restorable connects to create, rename and drop databases. */
    maintenance_database: z.string().min(1).default('postgres'),
  })
  .refine((c) => c.jobs === 1 || c.format === 'directory', { error: 'jobs > 1 needs format: directory (a custom-format dump is written by one process)', path: ['jobs'] })
  .refine((c) => c.exec === undefined || c.format === 'custom', { error: 'exec needs format: custom (a directory-format dump is a folder where the tools run, which restorable cannot stream)', path: ['format'] })
  .refine((c) => containerExecFlags(c.exec).interactive, { error: 'docker and podman exec need -i here: pg_restore and psql read their standard input', path: ['exec'] })
  .refine((c) => !containerExecFlags(c.exec).tty, { error: 'no -t in exec: a terminal between the tools and restorable would rewrite the bytes of the dump', path: ['exec'] });

/** For `docker exec` / `podman exec` prefixes, whether -i and -t are given (alone or combined, e.g. -it); other prefixes pass. */
function containerExecFlags(exec: readonly string[] | undefined): { interactive: boolean; tty: boolean } {
  if (!exec || !/(^|\/)(docker|podman|nerdctl)$/.test(exec[0] ?? '') || exec[1] !== 'exec') return { interactive: true, tty: false };
  const flags = exec.slice(2).filter((a) => /^-[a-zA-Z]+$/.test(a)).join('');
  const long = exec.slice(2);
  return { interactive: flags.includes('i') || long.includes('--interactive'), tty: flags.includes('t') || long.includes('--tty') };
}
export type PgSourceConfig = z.infer<typeof postgresConfig>;

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
