/**
 * The restore side of a PostgreSQL source. A restore builds new databases
 * beside the live ones (`<db>_new_<tag>`), checks them, then swaps names:
 * connections to the live database are ended, it is renamed to a restore
 * point (`<db>_before_<tag>`) and the new one takes its name. Renames are
 * catalog updates: the previous database is kept whole, and rollback renames
 * back. Roles from globals are created only when missing, never altered.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IntegrityError, RefusedError, RestorableError, RunError, reason } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import { childEnv, conninfo, describeConnection, quoteIdent, withClient, type PgConnection, type SqlClient } from './pg-connection.js';
import { dumpIndex, type DumpIndex } from './pg-dump.js';
import { explainClientError } from './pg-layout.js';
import { createRoleStatements, grantStatement, parseGlobals, type Globals } from './pg-globals.js';
import { runTool, startTool, type PgTools } from './pg-tools.js';
import { extractSafely } from './safe-extract.js';

const MAX_NAME_BYTES = 63;

/**
 * `<db>_<what>_<tag>`, within PostgreSQL's 63 bytes. A name too long for that
 * is cut (never the tag) and marked with a hash of the whole name: two
 * databases that share their first 30-odd bytes must not get one restore point.
 */
export function besideName(database: string, what: 'new' | 'before' | 'drill' | 'failed', tag: string): string {
  const suffix = `_${what}_${tag.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
  if (Buffer.byteLength(database + suffix) <= MAX_NAME_BYTES) return database + suffix;
  const mark = `_${createHash('sha256').update(database).digest('hex').slice(0, 6)}`;
  const chars = Array.from(database);
  while (Buffer.byteLength(chars.join('') + mark + suffix) > MAX_NAME_BYTES) chars.pop();
  return chars.join('') + mark + suffix;
}

export interface StagedDb {
  live: string;
  staged: string;
}

/** What one materialize built, for swapIn and discard. */
export interface StagedSet {
  conn: PgConnection;
  maintenance: string;
  tag: string;
  what: 'new' | 'drill';
  dbs: StagedDb[];
  createdRoles: string[];
}

/** Peeks at the first bytes: pg_dump's custom archives start with PGDMP; anything else must be our tar. */
async function sniff(stream: Readable): Promise<{ raw: boolean; stream: Readable }> {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : (first.value as Buffer);
  async function* rest() {
    if (!first.done) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value as Buffer;
  }
  return { raw: head.subarray(0, 5).toString('latin1') === 'PGDMP', stream: Readable.from(rest(), { objectMode: false }) };
}

async function databaseExists(client: SqlClient, name: string): Promise<boolean> {
  return (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
}

/**
 * The new database copies the live one's owner, encoding and locale when
 * there is a live one, its locale provider included: an ICU database rebuilt
 * as libc would sort and compare text differently. to_jsonb reads the columns
 * each server version has (daticulocale in 15-16, datlocale from 17).
 */
const LIVE_SETTINGS = `select pg_get_userbyid(datdba) as owner, pg_encoding_to_char(encoding) as enc, datcollate, datctype,
  to_jsonb(d) ->> 'datlocprovider' as provider, coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale') as locale
  from pg_database d where datname = $1`;

const literal = (value: unknown) => `'${String(value).replace(/'/g, "''")}'`;

async function createBeside(client: SqlClient, db: StagedDb): Promise<void> {
  if (await databaseExists(client, db.staged)) throw new RunError(`Database "${db.staged}" already exists: a previous restore left it behind.`, { hint: `Drop it (DROP DATABASE ${quoteIdent(db.staged)}) and run again.` });
  const live = (await client.query(LIVE_SETTINGS, [db.live])).rows[0];
  let options = '';
  if (live) {
    options = ` owner ${quoteIdent(String(live.owner))} encoding ${literal(live.enc)} lc_collate ${literal(live.datcollate)} lc_ctype ${literal(live.datctype)}`;
    if (live.provider === 'i') options += ` locale_provider icu icu_locale ${literal(live.locale)}`;
    if (live.provider === 'b') options += ` locale_provider builtin builtin_locale ${literal(live.locale)}`;
  }
  await client.query(`create database ${quoteIdent(db.staged)} template template0${options}`);
}

export async function dropDatabase(client: SqlClient, name: string): Promise<void> {
  await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  await client.query(`drop database if exists ${quoteIdent(name)}`);
}

/**
 * Roles the globals dump defines that this server lacks: created with their
 * attributes, settings and memberships; existing roles are left alone. Only
 * statements built from the parsed dump are sent (see pg-globals.ts).
 */
async function createMissingRoles(client: SqlClient, globals: Globals, conn: PgConnection, reporter: Reporter): Promise<string[]> {
  const existing = new Set((await client.query('select rolname from pg_roles')).rows.map((r) => String(r.rolname)));
  const missing = globals.roles.filter((r) => !existing.has(r.name));
  const created: string[] = [];
  let current = '';
  try {
    for (const role of missing) {
      current = role.name;
      const [create, ...rest] = createRoleStatements(role);
      await client.query(create!);
      created.push(role.name);
      for (const statement of rest) await client.query(statement);
    }
  } catch (error) {
    for (const name of created.reverse()) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(name)}`).catch(() => undefined);
    const denied = (error as { code?: string }).code === '42501';
    throw new RunError(`Creating the missing role "${current}" from the backup's globals failed on ${describeConnection(conn)}: ${reason(error)}.`, {
      hint: denied ? "Creating roles needs CREATEROLE (and a superuser for SUPERUSER, REPLICATION or BYPASSRLS roles): use such a role, or create the backup's roles by hand first." : 'Nothing was restored; create the role by hand and run again.',
      cause: error,
    });
  }
  const names = new Set(created);
  for (const m of globals.memberships.filter((m) => names.has(m.member))) {
    await client.query(grantStatement(m)).catch((e: unknown) => reporter.warn(`Role membership not restored (${m.role} to ${m.member}): ${reason(e)}`));
  }
  if (globals.tablespaces.length > 0) reporter.warn(`Tablespaces are not created by a restore (their folders are per server): ${[...new Set(globals.tablespaces)].join(', ')}. Create any that are missing by hand; see globals.sql in the artifact.`);
  if (globals.parameterGrants.length > 0) reporter.warn(`Privileges on configuration parameters are not restored: ${[...new Set(globals.parameterGrants)].join(', ')}. Grant them by hand if the app needs them; see globals.sql in the artifact.`);
  if (globals.withheldSettings.length > 0) reporter.warn(`Role settings that load libraries are not restored: ${globals.withheldSettings.join(', ')}. Set them by hand if you trust them.`);
  if (created.length > 0) reporter.info(`Created missing roles from globals: ${created.join(', ')}`);
  return created;
}

function restoreArgs(conn: PgConnection, database: string, jobs: number): string[] {
  return ['--exit-on-error', '--no-password', ...(jobs > 1 ? [`--jobs=${jobs}`] : []), `--dbname=${conninfo(conn, database)}`];
}

export interface MaterializeArgs {
  stream: Readable;
  set: StagedSet;
  tools: PgTools;
  /** The live database a one-database artifact goes to. */
  primary: string;
  /** The databases the plan covers: an artifact naming others is refused rather than swapped in. */
  covered: readonly string[] | 'all';
  jobs: number;
  scratch: string;
  reporter: Reporter;
  signal: AbortSignal;
}

/** The tar's index.json, checked: its entries name files of the tar, never paths elsewhere. */
async function readIndex(scratch: string): Promise<DumpIndex> {
  const text = await readFile(join(scratch, 'index.json'), 'utf8').catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const index = dumpIndex.safeParse(parsed);
  if (!index.success) throw new IntegrityError('The PostgreSQL artifact has no valid index.json.', { hint: 'It was not made by restorable (or was changed since); nothing was restored.' });
  return index.data;
}

/** Creates the new databases and pg_restores into them; on failure drops what it created. */
export async function materializeSet(args: MaterializeArgs): Promise<void> {
  const { set, tools } = args;
  const env = childEnv(set.conn);
  const sniffed = await sniff(args.stream);
  const withAdmin = <T>(work: (c: SqlClient) => Promise<T>) => withClient(set.conn, set.maintenance, work);
  try {
    if (sniffed.raw) {
      const db = { live: args.primary, staged: besideName(args.primary, set.what, set.tag) };
      await withAdmin((c) => createBeside(c, db));
      set.dbs.push(db);
      const restore = startTool(tools.command('pg_restore'), restoreArgs(set.conn, db.staged, 1), env, 'pipe');
      const stop = () => restore.stop();
      args.signal.addEventListener('abort', stop, { once: true });
      try {
        const [fed, restored] = await Promise.allSettled([pipeline(sniffed.stream, restore.stdin as NodeJS.WritableStream), restore.done]);
        // The feeding side's integrity failure first (the artifact decoded past its recorded size, or
        // failed its checksum: pg_restore then only sees a cut stream); otherwise pg_restore's own words,
        // since a broken pipe only says that it stopped reading.
        if (fed.status === 'rejected' && fed.reason instanceof IntegrityError) throw fed.reason;
        if (restored.status === 'rejected') throw restored.reason;
        if (fed.status === 'rejected') throw fed.reason;
      } finally {
        args.signal.removeEventListener('abort', stop);
        restore.stop();
      }
      return;
    }
    await extractSafely(sniffed.stream, args.scratch, { source: 'postgres', reporter: args.reporter });
    const index = await readIndex(args.scratch);
    const covered = args.covered;
    const foreign = index.databases.length > 1 && covered !== 'all' ? index.databases.map((d) => d.name).filter((name) => !covered.includes(name)) : [];
    if (foreign.length > 0) {
      throw new RefusedError(`The backup holds databases the plan does not cover here: ${foreign.join(', ')}. Nothing was restored.`, {
        hint: `The plan restores ${covered === 'all' ? 'every database' : covered.join(', ')}; restore with a plan whose databases: lists them (or all).`,
      });
    }
    if (index.globals) {
      // Parsed whole before anything is sent: a forged file refuses the restore here.
      const text = await readFile(join(args.scratch, 'globals.sql'), 'utf8').catch(() => {
        throw new IntegrityError('The PostgreSQL artifact lists globals but holds no globals.sql.', { hint: 'It was not made by restorable (or was changed since); nothing was restored.' });
      });
      const globals = parseGlobals(text, "The backup's globals.sql");
      set.createdRoles = await withAdmin((c) => createMissingRoles(c, globals, set.conn, args.reporter));
    }
    for (const { name, entry } of index.databases) {
      args.signal.throwIfAborted();
      const live = index.databases.length === 1 ? args.primary : name;
      const db = { live, staged: besideName(live, set.what, set.tag) };
      await withAdmin((c) => createBeside(c, db));
      set.dbs.push(db);
      const jobs = index.format === 'directory' ? args.jobs : 1;
      // Through an exec prefix pg_restore runs elsewhere: the dump goes in on its stdin.
      const dump = join(args.scratch, entry);
      const remote = set.conn.exec.length > 0;
      await runTool(tools.command('pg_restore'), [...restoreArgs(set.conn, db.staged, jobs), ...(remote ? [] : [dump])], env, args.signal, remote ? { stdin: dump } : {});
    }
  } catch (error) {
    // Nothing reads the rest of the artifact now: its decoder must end too, not wait on a full pipe.
    args.stream.destroy();
    await discardSet(set).catch(() => undefined);
    throw fromServer(error) ? explainClientError(error, set.conn, set.maintenance) : error;
  }
}

/** Whether `error` came from the server or the connection to it (a raw `pg` error), not from restorable or the disk. */
function fromServer(error: unknown): boolean {
  if (error instanceof RestorableError || !(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in error) return true;
  return ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(String(code)) || /^Connection terminated/.test(error.message);
}

export async function discardSet(set: StagedSet): Promise<void> {
  if (set.dbs.length === 0 && set.createdRoles.length === 0) return;
  await withClient(set.conn, set.maintenance, async (client) => {
    for (const db of set.dbs) await dropDatabase(client, db.staged);
    // Roles this restore created own nothing once its databases are gone.
    for (const role of set.createdRoles) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => undefined);
  });
  set.dbs = [];
}

// The swap of the built databases in (renames, journalled) is in pg-swap.ts.
