/**
 * PostgreSQL databases, dumped online by pg_dump from one snapshot per
 * database (see pg-dump.ts) and restored by pg_restore into new databases
 * that are swapped in by renaming (see pg-restore.ts). Locations are URLs
 * without a password, `postgres://user@host:port/db`: safe to print and to
 * hand to command checks.
 */
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { RefusedError, RunError, UsageError, reason } from '../errors.js';
import { parseConnection, quoteIdent, withClient, describeConnection, type PgConnection } from './pg-connection.js';
import { USER_TABLES, describeDump, snapshotPostgres } from './pg-dump.js';
import { explainClientError, isTarLayout, primaryOf, resolveLayout, type PgLayout } from './pg-layout.js';
import { postgresConfig, type PgSourceConfig } from './pg-config.js';
import { besideName, discardSet, materializeSet, type StagedSet } from './pg-restore.js';
import { dropBuilt, pgStep, planPgSwap, runPgStep, undoPgSteps } from './pg-swap.js';
import { findTools, type PgTools } from './pg-tools.js';
import type { Reporter } from '../report/reporter.js';
import type { SourceAdapter, SourceContext } from './source.js';
import { SOURCE_KINDS } from './configs.js';


/** A location: the connection as a URL without a password. Over a socket, its folder, the port and the user go in the query (a URL has no user or port without a host). */
function locationOf(conn: PgConnection, database: string): string {
  const path = `/${encodeURIComponent(database)}`;
  if (!conn.host || conn.host.startsWith('/')) {
    const query = new URLSearchParams({ ...(conn.host ? { host: conn.host } : {}), ...(conn.port ? { port: String(conn.port) } : {}), ...(conn.user ? { user: conn.user } : {}) });
    return `postgres://${path}${query.size > 0 ? `?${query.toString()}` : ''}`;
  }
  const user = conn.user ? `${encodeURIComponent(conn.user)}@` : '';
  const host = conn.host ? (conn.host.includes(':') ? `[${conn.host}]` : conn.host) : '';
  const port = conn.port ? `:${conn.port}` : '';
  return `postgres://${user}${host}${port}${path}`;
}

function databaseAt(location: string): string {
  return decodeURIComponent(new URL(location).pathname.slice(1));
}

function primaryDatabase(config: PgSourceConfig, conn: PgConnection): string {
  return Array.isArray(config.databases) ? primaryOf(conn, config.databases) : conn.database;
}

/** What materialize built, by location, for planSwap and discard in the same run. */
const staged = new Map<string, StagedSet>();

async function serverVersion(conn: PgConnection, database: string): Promise<{ version: string; major: number }> {
  return withClient(conn, database, async (client) => {
    const rows = (await client.query("select current_setting('server_version') as v, current_setting('server_version_num')::int as n")).rows[0];
    return { version: String(rows.v), major: Math.floor(Number(rows.n) / 10000) };
  }).catch((error: unknown) => {
    throw explainClientError(error, conn, database);
  });
}

async function toolsFor(config: PgSourceConfig, conn: PgConnection, database: string): Promise<{ tools: PgTools; server: { version: string; major: number } }> {
  const server = await serverVersion(conn, database);
  return { server, tools: await findTools(server.major, config.bin_dir, conn.exec) };
}

const UNREADABLE = `select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'S') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'
    and (not has_schema_privilege(n.oid, 'USAGE') or not has_table_privilege(c.oid, 'SELECT')) order by 1`;

/** Every table and sequence must be readable by the role, or pg_dump fails halfway: say which ones before starting. */
async function checkReadable(config: PgSourceConfig, layout: PgLayout): Promise<number> {
  let bytes = 0;
  for (const database of layout.databases) {
    await withClient(layout.conn, database, async (client) => {
      const denied = (await client.query(UNREADABLE)).rows.map((r) => String(r.t));
      if (denied.length > 0) {
        throw new RunError(`PostgreSQL source "${config.name}": role ${layout.conn.user ?? '(default)'} cannot read ${denied.length} table(s) in database "${database}": ${denied.slice(0, 8).join(', ')}${denied.length > 8 ? ', ...' : ''}.`, {
          hint: 'GRANT SELECT on them (and USAGE on their schemas) to this role, or use a role that is a member of pg_read_all_data (PostgreSQL 14+).',
        });
      }
      bytes += Number((await client.query('select pg_database_size(current_database())::bigint as b')).rows[0].b);
    }).catch((error: unknown) => {
      throw explainClientError(error, layout.conn, database);
    });
  }
  return bytes;
}

/** Staged layouts write the whole dump to the staging folder first: it must fit. The databases' size is the bound used. */
async function checkStagingSpace(config: PgSourceConfig, need: number, stagingDir: string): Promise<void> {
  const fs = await statfs(stagingDir);
  const free = fs.bavail * fs.bsize;
  const mib = (n: number) => `${Math.ceil(n / 2 ** 20)} MiB`;
  if (free < need * 1.05) {
    throw new RunError(`Not enough space to stage the dump of PostgreSQL source "${config.name}": its databases take about ${mib(need)}, ${stagingDir} has ${mib(free)} free.`, {
      hint: 'Point --staging (or TMPDIR) at a folder with more free space, or use format: custom with one database (streamed, nothing staged).',
    });
  }
}

const MY_RIGHTS = `select rolname, rolsuper, rolcreatedb, pg_has_role(current_user, 'pg_signal_backend', 'USAGE') as signal from pg_roles where rolname = current_user`;
/** The live databases a restore replaces: their owner, whether we are a member of it, and whether sessions of roles we are not a member of are on them. */
const LIVE_RIGHTS = `select d.datname, pg_get_userbyid(d.datdba) as owner, pg_has_role(current_user, d.datdba, 'MEMBER') as member,
  exists (select 1 from pg_stat_activity a where a.datname = d.datname and a.pid <> pg_backend_pid() and a.usesysid is not null and not pg_has_role(current_user, a.usesysid, 'MEMBER')) as others
  from pg_database d where case when $1::text[] is null then d.datallowconn and not d.datistemplate else d.datname = any($1::text[]) end order by 1`;

/**
 * What a drill or restore needs of its role, asked before anything runs: a
 * new database (CREATEDB), the live one's owner (the copy gets that owner and
 * the swap renames it); and warns when a restore would have to end other
 * roles' sessions without pg_signal_backend. A superuser has them all.
 */
async function checkRestoreRights(config: PgSourceConfig, mode: 'restore' | 'drill', reporter: Reporter): Promise<void> {
  const conn = parseConnection(config);
  const live = config.databases === 'all' ? null : Array.isArray(config.databases) ? config.databases : [conn.database];
  const missing = await withClient(conn, config.maintenance_database, async (client) => {
    const me = (await client.query(MY_RIGHTS)).rows[0];
    if (!me || me.rolsuper) return [];
    const role = String(me.rolname);
    const lacks: { what: string; fix: string }[] = [];
    const builds = mode === 'drill' ? 'a scratch database' : 'the restored database beside the live one';
    if (!me.rolcreatedb) lacks.push({ what: `CREATEDB (the ${mode} builds ${builds})`, fix: `ALTER ROLE ${quoteIdent(role)} CREATEDB` });
    for (const db of (await client.query(LIVE_RIGHTS, [live])).rows) {
      if (!db.member) lacks.push({ what: `membership of role "${db.owner}", which owns database "${db.datname}" (the new database gets that owner${mode === 'restore' ? ' and the swap renames it' : ''})`, fix: `GRANT ${quoteIdent(String(db.owner))} TO ${quoteIdent(role)}` });
      // Only a warning: a pre_restore hook (which runs after this) may stop the app and end those sessions itself.
      if (mode === 'restore' && db.others && !me.signal) {
        reporter.warn(`PostgreSQL source "${config.name}": other roles are connected to "${db.datname}", and role ${role} cannot end their sessions (it lacks pg_signal_backend): the swap fails unless they are gone by then. Stop the app in a pre_restore hook, or GRANT pg_signal_backend TO ${quoteIdent(role)}.`);
      }
    }
    return lacks.map((l) => ({ ...l, role }));
  }).catch((error: unknown) => {
    throw explainClientError(error, conn, config.maintenance_database);
  });
  if (missing.length === 0) return;
  const role = missing[0]!.role;
  throw new RunError(`PostgreSQL source "${config.name}": role ${role} cannot ${mode} on ${describeConnection(conn, config.maintenance_database)}: it lacks ${missing.map((m) => m.what).join('; ')}. Nothing was changed.`, {
    hint: `As a superuser: ${missing.map((m) => m.fix).join('; ')}. Or ${mode} with a superuser (see the README, "Required privileges").`,
  });
}

interface Resolved {
  layout: PgLayout;
  tools: PgTools;
  server: { version: string; major: number };
}

/** What the preflight learned, handed to the snapshot moments later (each connection costs a scram handshake). */
const probed = new WeakMap<PgSourceConfig, Resolved>();

async function resolve(config: PgSourceConfig, codec: SourceContext['compression']): Promise<Resolved> {
  const conn = parseConnection(config);
  const layout = await resolveLayout(config, conn, codec);
  return { layout, server: layout.server, tools: await findTools(layout.server.major, config.bin_dir, conn.exec) };
}

function register(config: PgSourceConfig, tag: string, what: 'new' | 'drill'): string {
  const conn = parseConnection(config);
  const primary = primaryDatabase(config, conn);
  const location = locationOf(conn, besideName(primary, what, tag));
  staged.set(location, { conn, maintenance: config.maintenance_database, tag, what, dbs: [], createdRoles: [] });
  return location;
}

function setAt(location: string): StagedSet {
  const set = staged.get(location);
  if (!set) throw new RunError(`No restore into ${location} was started in this run.`);
  return set;
}

export const postgres: SourceAdapter<PgSourceConfig> = {
  type: 'postgres',
  kind: SOURCE_KINDS.postgres,
  schema: postgresConfig,
  extension: '.pgdump',
  extensionOf: (config) => (isTarLayout(config) ? '.pgdump.tar' : '.pgdump'),

  describe(config) {
    const conn = parseConnection(config);
    const which = config.databases === 'all' ? 'every database on' : Array.isArray(config.databases) ? `databases ${config.databases.join(', ')} on` : 'database';
    const through = conn.exec.length > 0 ? ` through \`${conn.exec.join(' ')}\`` : '';
    return `pg_dump of ${which} ${describeConnection(conn, primaryDatabase(config, conn))}${through}: ${describeDump(config)}${isTarLayout(config) ? '; staged, then tarred' : '; streamed'}`;
  },

  liveLocation(config) {
    const conn = parseConnection(config);
    return locationOf(conn, primaryDatabase(config, conn));
  },

  async probe(config, ctx) {
    const resolved = await resolve(config, ctx.compression);
    const { layout } = resolved;
    const bytes = await checkReadable(config, layout);
    probed.set(config, resolved);
    if (layout.tar) await checkStagingSpace(config, bytes, ctx.stagingDir);
    if (config.globals && !layout.superuser) ctx.reporter.warn(`PostgreSQL source "${config.name}": the role is not a superuser, so globals are dumped without role passwords (--no-role-passwords).`);
  },

  async snapshot(config, ctx) {
    const { layout, tools, server } = probed.get(config) ?? (await resolve(config, ctx.compression));
    probed.delete(config);
    return snapshotPostgres(config, layout, tools, { name: 'postgresql', version: server.version, client: `pg_dump ${tools.version}` }, ctx.stagingDir, ctx.signal);
  },

  async currentSchemaVersion(config) {
    if (!config.schema_version) return null;
    const conn = parseConnection(config);
    const sql = config.schema_version.sql;
    return withClient(conn, primaryDatabase(config, conn), async (client) => {
      const value = ((await client.query({ text: sql, rowMode: 'array' })).rows[0] as unknown[] | undefined)?.[0];
      return value === undefined || value === null ? null : String(value);
    }).catch((error: unknown) => {
      if ((error as { code?: string }).code === '3D000') return null; // no live database yet
      throw error;
    });
  },

  checkRestore: (config, ctx, mode) => checkRestoreRights(config, mode, ctx.reporter),

  stagingLocation: (config, _ctx, tag) => register(config, tag, 'new'),
  scratchLocation: (config, _ctx, tag) => register(config, tag, 'drill'),

  async materialize(config, stream, into, ctx) {
    const set = setAt(into);
    const { tools } = await toolsFor(config, set.conn, set.maintenance);
    await materializeSet({
      stream,
      set,
      tools,
      primary: primaryDatabase(config, set.conn),
      covered: config.databases === 'all' ? 'all' : Array.isArray(config.databases) ? config.databases : [primaryDatabase(config, set.conn)],
      jobs: config.jobs,
      scratch: join(ctx.stagingDir, `pg-${config.name}-${set.tag}`),
      reporter: ctx.reporter,
      signal: ctx.signal,
    });
  },

  planSwap: (_config, location) => planPgSwap(setAt(location)),

  runStep: (config, step) => runPgStep(parseConnection(config), pgStep.parse(step)),

  undoSteps: (config, steps) => undoPgSteps(parseConnection(config), steps.map((s) => pgStep.parse(s))),

  async discard(location, config) {
    const set = staged.get(location);
    if (set) await discardSet(set);
    else await dropBuilt(parseConnection(config), config.maintenance_database, databaseAt(location));
  },

  async inspectBuilt(config, location) {
    const set = setAt(location);
    let tables = 0;
    for (const db of set.dbs) tables += await withClient(set.conn, db.staged, async (c) => Number((await c.query(USER_TABLES)).rows[0].n));
    const counts = { databases: set.dbs.length, tables };
    if (!config.schema_version) return { unsound: null, counts };
    // As the backup read it: the plan's query, on the primary database.
    const sql = config.schema_version.sql;
    const value = await withClient(set.conn, databaseAt(location), async (c) => ((await c.query({ text: sql, rowMode: 'array' })).rows[0] as unknown[] | undefined)?.[0]).then(
      (v) => ({ v }),
      (error: unknown) => ({ error }),
    );
    if ('error' in value) return { unsound: `the schema_version query fails on it: ${reason(value.error)}`, counts };
    return { unsound: null, schemaVersion: value.v === undefined || value.v === null ? null : String(value.v), counts };
  },

  async query(config, location, sql) {
    const conn = parseConnection(config);
    return withClient(conn, databaseAt(location), async (client) => ((await client.query({ text: sql, rowMode: 'array' })).rows[0] as unknown[] | undefined)?.[0]);
  },

  async retarget(config, url) {
    // --to names one database. With several, the artifact's own names would be
    // swapped in wherever the URL points, the live server included.
    if (config.databases === 'all' || (Array.isArray(config.databases) && config.databases.length > 1)) {
      throw new UsageError(`--to restores one database, and PostgreSQL source "${config.name}" has ${config.databases === 'all' ? 'every database on its server' : `databases ${config.databases.join(', ')}`}.`, {
        hint: 'To restore them all on another server, copy the plan and point the source at that server; to restore one here elsewhere, use a plan whose source has that one database.',
      });
    }
    const moved: PgSourceConfig = { ...config, url, databases: undefined, host: undefined, port: undefined, user: undefined, database: undefined, sslmode: undefined, sslrootcert: undefined, sslcert: undefined, sslkey: undefined };
    const conn = parseConnection(moved);
    const tables = await withClient(conn, conn.database, async (c) => Number((await c.query(USER_TABLES)).rows[0].n)).catch((error: unknown) => {
      if ((error as { code?: string }).code === '3D000') return 0;
      throw explainClientError(error, conn, conn.database);
    });
    if (tables > 0) {
      throw new RefusedError(`--to ${describeConnection(conn, conn.database)} is not empty (${tables} tables): refusing to restore over it.`, {
        hint: 'Restore into a new or empty database there, or drop it first. To replace a database keeping a restore point, restore with the plan\'s own connection (no --to).',
      });
    }
    return moved;
  },
};
