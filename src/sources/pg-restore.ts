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
import type pg from 'pg';
import { IntegrityError, RefusedError, RunError, reason } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import { childEnv, conninfo, describeConnection, quoteIdent, withClient, type PgConnection } from './pg-connection.js';
import type { DumpIndex } from './pg-dump.js';
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

async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
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

async function createBeside(client: pg.Client, db: StagedDb): Promise<void> {
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

export async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  await client.query(`drop database if exists ${quoteIdent(name)}`);
}

/** Roles the globals dump defines that this server lacks: created (with their attributes and memberships); existing roles are left alone. */
async function createMissingRoles(client: pg.Client, globals: string, reporter: Reporter): Promise<string[]> {
  const existing = new Set((await client.query('select quote_ident(rolname) as r from pg_roles')).rows.map((r) => String(r.r)));
  const lines = globals.split('\n');
  // A role name as pg_dumpall writes it (quote_ident): one identifier, nothing after it.
  const missing = lines.flatMap((l) => /^CREATE ROLE ("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*);$/.exec(l)?.[1] ?? []).filter((r) => !existing.has(r));
  const belongs = (line: string, role: string) => line.startsWith(`ALTER ROLE ${role} `) || new RegExp(` TO ${role.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( GRANTED BY .*)?;$`).test(line);
  for (const role of missing) {
    await client.query(`CREATE ROLE ${role};`);
    for (const line of lines) if (belongs(line, role) && line.startsWith('ALTER ROLE')) await client.query(line);
  }
  for (const role of missing) for (const line of lines) if (line.startsWith('GRANT ') && belongs(line, role)) await client.query(line).catch((e: unknown) => reporter.warn(`Role membership not restored (${line}): ${reason(e)}`));
  const spaces = lines.flatMap((l) => /^CREATE TABLESPACE (\S+)/.exec(l)?.[1] ?? []);
  if (spaces.length > 0) reporter.warn(`Tablespaces are not created by a restore (their folders are per server): ${spaces.join(', ')}. Create any that are missing by hand; see globals.sql in the artifact.`);
  if (missing.length > 0) reporter.info(`Created missing roles from globals: ${missing.join(', ')}`);
  return missing;
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

/** Creates the new databases and pg_restores into them; on failure drops what it created. */
export async function materializeSet(args: MaterializeArgs): Promise<void> {
  const { set, tools } = args;
  const env = childEnv(set.conn);
  const sniffed = await sniff(args.stream);
  const withAdmin = <T>(work: (c: pg.Client) => Promise<T>) => withClient(set.conn, set.maintenance, work);
  try {
    if (sniffed.raw) {
      const db = { live: args.primary, staged: besideName(args.primary, set.what, set.tag) };
      await withAdmin((c) => createBeside(c, db));
      set.dbs.push(db);
      const restore = startTool(tools.path('pg_restore'), restoreArgs(set.conn, db.staged, 1), env, 'pipe');
      const [fed, restored] = await Promise.allSettled([pipeline(sniffed.stream, restore.stdin as NodeJS.WritableStream), restore.done]);
      // pg_restore's own words first: a broken pipe only says that it stopped reading.
      if (restored.status === 'rejected') throw restored.reason;
      if (fed.status === 'rejected') throw fed.reason;
      return;
    }
    await extractSafely(sniffed.stream, args.scratch, { source: 'postgres', reporter: args.reporter });
    const index = JSON.parse(await readFile(join(args.scratch, 'index.json'), 'utf8')) as DumpIndex;
    if (!Array.isArray(index.databases)) throw new IntegrityError('The PostgreSQL artifact has no valid index.json.', { hint: 'It was not made by restorable; nothing was restored.' });
    const covered = args.covered;
    const foreign = index.databases.length > 1 && covered !== 'all' ? index.databases.map((d) => d.name).filter((name) => !covered.includes(name)) : [];
    if (foreign.length > 0) {
      throw new RefusedError(`The backup holds databases the plan does not cover here: ${foreign.join(', ')}. Nothing was restored.`, {
        hint: `The plan restores ${covered === 'all' ? 'every database' : covered.join(', ')}; restore with a plan whose databases: lists them (or all).`,
      });
    }
    if (index.globals) {
      const globals = await readFile(join(args.scratch, 'globals.sql'), 'utf8');
      set.createdRoles = await withAdmin((c) => createMissingRoles(c, globals, args.reporter));
    }
    for (const { name, entry } of index.databases) {
      args.signal.throwIfAborted();
      const live = index.databases.length === 1 ? args.primary : name;
      const db = { live, staged: besideName(live, set.what, set.tag) };
      await withAdmin((c) => createBeside(c, db));
      set.dbs.push(db);
      const jobs = index.format === 'directory' ? args.jobs : 1;
      await runTool(tools.path('pg_restore'), [...restoreArgs(set.conn, db.staged, jobs), join(args.scratch, entry)], env, args.signal);
    }
  } catch (error) {
    await discardSet(set).catch(() => undefined);
    throw error;
  }
}

export async function discardSet(set: StagedSet): Promise<void> {
  await withClient(set.conn, set.maintenance, async (client) => {
    for (const db of set.dbs) await dropDatabase(client, db.staged);
    // Roles this restore created own nothing once its databases are gone.
    for (const role of set.createdRoles) await client.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  });
  set.dbs = [];
}

// The swap of the built databases in (renames, journalled) is in pg-swap.ts.
