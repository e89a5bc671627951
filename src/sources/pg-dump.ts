/**
 * The backup side of a PostgreSQL source. Each database is dumped by pg_dump
 * from one snapshot that restorable exports itself (a REPEATABLE READ
 * transaction held open until pg_dump ends): the dump, the table count and the
 * schema version all read the same committed state while the app writes on.
 *
 * Artifact shapes:
 * - one database, custom format, no globals: pg_dump's custom archive as is
 *   (`.pgdump`), streamed straight from pg_dump, nothing staged;
 * - anything else: a tar (`.pgdump.tar`) of index.json, globals.sql and one
 *   dump per database (`db-0.pgdump`, or a `db-0/` folder in directory
 *   format), staged in the run's staging folder first.
 * With the plan's codec on, pg_dump writes uncompressed (-Z0); with
 * `compression: none`, pg_dump compresses with its own zlib. Never both.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import * as tar from 'tar';
import { z } from 'zod';
import { RunError, isDiskFull, reason, stagingFullHint } from '../errors.js';
import { childEnv, conninfo, connect, type PgConnection, type SqlClient } from './pg-connection.js';
import { explainClientError, type PgLayout } from './pg-layout.js';
import type { PgSourceConfig } from './pg-config.js';
import { runTool, startTool, toolOutput, type PgTools, type Spawned } from './pg-tools.js';
import type { Snapshot, SnapshotInfo } from './source.js';

/** index.json of a tar artifact: which dump file holds which database. */
export const dumpIndex = z.object({
  format: z.enum(['custom', 'directory']),
  globals: z.boolean(),
  databases: z.array(z.object({ name: z.string().min(1).max(63), entry: z.string().regex(/^db-[0-9]+(\.pgdump)?$/) })).min(1),
});
export type DumpIndex = z.infer<typeof dumpIndex>;

interface Held {
  client: SqlClient;
  snapshot: string;
  tables: number;
  schemaVersion: string | null;
}

export const USER_TABLES = "select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg_toast%'";

/** Opens the transaction whose snapshot pg_dump will use, and reads what the manifest records from it. */
async function holdSnapshot(conn: PgConnection, database: string, schemaSql: string | undefined): Promise<Held> {
  const client = await connect(conn, database).catch((error: unknown) => {
    throw explainClientError(error, conn, database);
  });
  try {
    await client.query('begin isolation level repeatable read read only');
    const snapshot = String((await client.query('select pg_export_snapshot() as s')).rows[0].s);
    const tables = Number((await client.query(USER_TABLES)).rows[0].n);
    let schemaVersion: string | null = null;
    if (schemaSql) {
      const result = await client.query({ text: schemaSql, rowMode: 'array' }).catch((error: unknown) => {
        throw new RunError(`PostgreSQL database "${database}": the schema_version query failed: ${reason(error)}`, { hint: 'Fix schema_version.sql in the plan (it runs in the dump\'s snapshot, on the primary database).' });
      });
      const value = (result.rows[0] as unknown[] | undefined)?.[0];
      schemaVersion = value === undefined || value === null ? null : String(value);
    }
    return { client, snapshot, tables, schemaVersion };
  } catch (error) {
    await client.end().catch(() => undefined);
    if (error instanceof RunError) throw error;
    throw new RunError(`PostgreSQL database "${database}": could not open the snapshot for the dump: ${reason(error)}`, { cause: error });
  }
}

async function release(held: Held[]): Promise<void> {
  for (const h of held) await h.client.end().catch(() => undefined);
}

function dumpArgs(config: PgSourceConfig, layout: PgLayout, held: Held, database: string): string[] {
  const compress = layout.ownCompression ? [] : ['--compress=0'];
  const wait = config.lock_wait_timeout === undefined ? [] : [`--lock-wait-timeout=${config.lock_wait_timeout}`];
  return [`--format=${layout.format}`, ...compress, '--no-password', ...wait, `--snapshot=${held.snapshot}`, `--dbname=${conninfo(layout.conn, database)}`];
}

/** How the dump is made, for the dry run (no layout yet) and the manifest's `method`. */
export function describeDump(config: PgSourceConfig, run?: { layout: PgLayout; tools: PgTools }): string {
  const pgDump = run ? `pg_dump ${run.tools.version}` : 'pg_dump';
  const jobs = config.format === 'directory' ? `, ${config.jobs} job(s)` : '';
  const compression = !run
    ? "-Z0 when the plan compresses (else pg_dump's own zlib)"
    : run.layout.ownCompression
      ? "pg_dump's own zlib compression"
      : 'uncompressed (-Z0; the plan codec compresses)';
  return `${pgDump}, ${config.format} format${jobs}, ${compression}, one exported snapshot per database${config.globals ? ', globals by pg_dumpall --globals-only' : ''}`;
}

export async function snapshotPostgres(config: PgSourceConfig, layout: PgLayout, tools: PgTools, engine: SnapshotInfo['engine'], stagingDir: string, signal: AbortSignal): Promise<Snapshot> {
  const env = childEnv(layout.conn);
  const method = describeDump(config, { layout, tools });
  const schemaSql = config.schema_version?.sql;
  if (!layout.tar) {
    const database = layout.databases[0]!;
    const held = await holdSnapshot(layout.conn, database, schemaSql);
    let begin!: (dump: Spawned) => void;
    const started = new Promise<Spawned>((resolve) => (begin = resolve));
    const start = (output: 'pipe' | Writable): Spawned => {
      const dump = startTool(tools.command('pg_dump'), dumpArgs(config, layout, held, database), env, 'ignore', output);
      begin(dump);
      return dump;
    };
    // Should nothing ever read the dump, the held transaction must still end (an open connection keeps the process alive).
    const unused = setTimeout(() => void release([held]), 60_000);
    unused.unref();
    const info = started
      .then((dump) => dump.done)
      .then((): SnapshotInfo => ({ engine, method, schemaVersion: held.schemaVersion, counts: { databases: 1, tables: held.tables } }))
      .finally(() => release([held]));
    info.catch(() => undefined);
    void started.then(() => clearTimeout(unused));
    return { stream: () => toolOutput(start('pipe')), feed: (stdin) => void start(stdin), info };
  }
  try {
    return await stageDump(config, layout, tools, engine, stagingDir, signal, { env, method, schemaSql });
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    throw new RunError(`PostgreSQL source "${config.name}": staging the dump failed: ${reason(error)}`, { hint: stagingFullHint(stagingDir), cause: error });
  }
}

/** The tar layout: globals and every database dumped into the staging folder, then tarred from there. */
async function stageDump(
  config: PgSourceConfig,
  layout: PgLayout,
  tools: PgTools,
  engine: SnapshotInfo['engine'],
  stagingDir: string,
  signal: AbortSignal,
  { env, method, schemaSql }: { env: NodeJS.ProcessEnv; method: string; schemaSql: string | undefined },
): Promise<Snapshot> {
  const root = join(stagingDir, 'dump');
  await mkdir(root);
  // Through an exec prefix the tools run elsewhere: they write to stdout, into a file here.
  const remote = layout.conn.exec.length > 0;
  const into = (file: string) => (remote ? [] : ['--file', file]);
  const streamed = (file: string) => (remote ? { stdout: file } : {});
  const index: DumpIndex = { format: layout.format, globals: config.globals, databases: [] };
  const entries: string[] = ['index.json'];
  let tables = 0;
  let schemaVersion: string | null = null;
  if (config.globals) {
    const noPasswords = layout.superuser ? [] : ['--no-role-passwords'];
    await runTool(tools.command('pg_dumpall'), ['--globals-only', '--no-password', ...noPasswords, ...into(join(root, 'globals.sql')), `--dbname=${conninfo(layout.conn, layout.maintenance)}`], env, signal, streamed(join(root, 'globals.sql')));
    entries.push('globals.sql');
  }
  for (const [i, database] of layout.databases.entries()) {
    signal.throwIfAborted();
    const entry = layout.format === 'custom' ? `db-${i}.pgdump` : `db-${i}`;
    const held = await holdSnapshot(layout.conn, database, database === layout.primary ? schemaSql : undefined);
    try {
      const jobs = layout.format === 'directory' ? [`--jobs=${config.jobs}`] : [];
      await runTool(tools.command('pg_dump'), [...dumpArgs(config, layout, held, database), ...jobs, ...into(join(root, entry))], env, signal, streamed(join(root, entry)));
    } finally {
      await release([held]);
    }
    tables += held.tables;
    if (database === layout.primary) schemaVersion = held.schemaVersion;
    index.databases.push({ name: database, entry });
    entries.push(entry);
  }
  await writeFile(join(root, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  const info = Promise.resolve<SnapshotInfo>({ engine, method, schemaVersion, counts: { databases: layout.databases.length, tables } });
  return { stream: () => tar.create({ cwd: root, portable: true, noMtime: false }, entries) as unknown as Readable, info };
}
