/**
 * Swapping restored PostgreSQL databases in, as journalled steps (see
 * SwapPlan in source.ts). Per database, eight statements: refuse connections
 * to the live one, end its sessions, rename it to `<db>_before_<tag>`, allow
 * connections there; the same three for `<db>_new_<tag>` taking the live
 * name; allow connections on it. Renames are catalog updates: the previous
 * database is kept whole.
 *
 * PostgreSQL cannot rename two databases at once, so between the two renames
 * no database has the live name (one statement long); the journal covers
 * that window. The undo looks at which names exist, not at which steps ran,
 * so it is right after a kill at any statement: the live name goes back on
 * the previous database (or on nothing, when there was none), connections are
 * allowed on it, and the `_new_` database this restore made is dropped.
 */
import { z } from 'zod';
import { RunError, reason } from '../errors.js';
import { describeConnection, quoteIdent, withClient, type PgConnection, type SqlClient } from './pg-connection.js';
import { besideName, dropDatabase, type StagedSet } from './pg-restore.js';
import type { SwapPlan } from './source.js';

export const pgStep = z.object({
  op: z.enum(['deny', 'terminate', 'rename', 'allow']),
  /** The database the statement is about; `to` is the new name of a rename. */
  db: z.string(),
  to: z.string().optional(),
  /** The names of the database this step swaps, for the undo: live, built, restore point (null: none was live). */
  live: z.string(),
  staged: z.string(),
  point: z.string().nullable(),
  failed: z.string(),
  /** The database to connect to: never one that is renamed. */
  admin: z.string(),
});
export type PgStep = z.infer<typeof pgStep>;

async function exists(client: SqlClient, name: string): Promise<boolean> {
  return (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
}

const allow = (client: SqlClient, db: string, yes: boolean) => client.query(`alter database ${quoteIdent(db)} allow_connections ${yes}`);
const terminate = (client: SqlClient, db: string) => client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [db]);

/** A rename retried while sessions are still going away (55006: in use). */
async function rename(client: SqlClient, from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`alter database ${quoteIdent(from)} rename to ${quoteIdent(to)}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 10) throw error;
      await terminate(client, from);
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** The whole rename, as the undo does it: refuse, end sessions, rename, allow. */
async function moveDatabase(client: SqlClient, from: string, to: string): Promise<void> {
  await allow(client, from, false);
  await terminate(client, from);
  await rename(client, from, to);
  await allow(client, to, true);
}

/** Where to connect to rename: never a database that is itself renamed (`databases: all` includes the maintenance one). */
function adminDatabase(set: StagedSet): string {
  return set.dbs.some((d) => d.live === set.maintenance) ? 'template1' : set.maintenance;
}

export async function planPgSwap(set: StagedSet): Promise<SwapPlan<PgStep>> {
  const admin = adminDatabase(set);
  const steps: PgStep[] = [];
  const points: string[] = [];
  await withClient(set.conn, admin, async (client) => {
    for (const db of set.dbs) {
      const point = (await exists(client, db.live)) ? besideName(db.live, 'before', set.tag) : null;
      const names = { live: db.live, staged: db.staged, point, failed: besideName(db.live, 'failed', set.tag), admin };
      if (point) {
        points.push(point);
        steps.push({ op: 'deny', db: db.live, ...names }, { op: 'terminate', db: db.live, ...names }, { op: 'rename', db: db.live, to: point, ...names }, { op: 'allow', db: point, ...names });
      }
      steps.push({ op: 'deny', db: db.staged, ...names }, { op: 'terminate', db: db.staged, ...names }, { op: 'rename', db: db.staged, to: db.live, ...names }, { op: 'allow', db: db.live, ...names });
    }
  });
  return { point: points.length > 0 ? points.join(', ') : null, steps };
}

export async function runPgStep(conn: PgConnection, step: PgStep): Promise<void> {
  await withClient(conn, step.admin, async (client) => {
    if (step.op === 'deny') await allow(client, step.db, false);
    else if (step.op === 'allow') await allow(client, step.db, true);
    else if (step.op === 'terminate') await terminate(client, step.db);
    else {
      await terminate(client, step.db);
      await rename(client, step.db, step.to!);
    }
  }).catch((error: unknown) => {
    throw new RunError(`Swapping in the restored database failed on ${describeConnection(conn, step.admin)} (${step.op} ${step.db}): ${reason(error)}`, {
      hint: "Check that restorable's role owns the databases or is a superuser (ALTER DATABASE ... RENAME needs that).",
      cause: error,
    });
  });
}

/**
 * After a kill while databases were built (nothing swapped yet): drops every
 * database of that build, `<db>_new_<tag>` for each database of the artifact,
 * found by the tag of `primary` (the build's first name).
 */
export async function dropBuilt(conn: PgConnection, admin: string, primary: string): Promise<void> {
  const suffix = /_new_\d{8}t\d{6}z_[0-9a-f]+$/.exec(primary)?.[0];
  if (!suffix) return;
  await withClient(conn, admin, async (client) => {
    const names = (await client.query('select datname from pg_database where right(datname, $1) = $2', [suffix.length, suffix])).rows.map((r) => String(r.datname));
    for (const name of names) await dropDatabase(client, name);
  });
}

/** Puts every database of `steps` back by the names found on the server, last database first. */
export async function undoPgSteps(conn: PgConnection, steps: readonly PgStep[]): Promise<void> {
  const dbs = [...new Map(steps.map((s) => [s.live, s])).values()].reverse();
  if (dbs.length === 0) return;
  const stuck: string[] = [];
  await withClient(conn, dbs[0]!.admin, async (client) => {
    for (const db of dbs) {
      try {
        const [live, staged] = [await exists(client, db.live), await exists(client, db.staged)];
        if (db.point && (await exists(client, db.point))) {
          if (live && staged) throw new RunError(`"${db.live}" exists beside "${db.point}" and "${db.staged}": it is not this restore's, so it is left alone`);
          // The live name is on the restored database: it goes, the previous one takes the name back.
          if (live) {
            await moveDatabase(client, db.live, db.failed);
            await dropDatabase(client, db.failed);
          }
          await moveDatabase(client, db.point, db.live);
        } else if (!db.point && live && !staged) {
          // Nothing was live before: the live name is on the restored database.
          await dropDatabase(client, db.live);
        } else if (live) await allow(client, db.live, true); // the previous database never left; connections may have been refused
        if (await exists(client, db.staged)) await dropDatabase(client, db.staged);
        if (await exists(client, db.failed)) await dropDatabase(client, db.failed);
      } catch (error) {
        stuck.push(`"${db.point ?? db.live}" (was "${db.live}"): ${reason(error)}`);
      }
    }
  });
  if (stuck.length > 0) {
    throw new RunError(`Renaming the previous databases back failed on ${describeConnection(conn)}: ${stuck.join('; ')}.`, {
      hint: 'The previous data is whole under the name shown: rename it back by hand (ALTER DATABASE "<that name>" RENAME TO "<live name>") once nothing is connected.',
    });
  }
}
