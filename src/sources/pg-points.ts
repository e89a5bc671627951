/**
 * PostgreSQL restore points: the `<db>_before_<tag>` databases a restore
 * keeps when it swaps a restored database in (pg-swap.ts). restorable never
 * drops one on its own; `restorable restore-points` lists and removes them
 * through these.
 */
import { explainClientError } from './pg-layout.js';
import type { PgSourceConfig } from './pg-config.js';
import { describeConnection, parseConnection, withClient } from './pg-connection.js';
import { besideName, dropDatabase } from './pg-restore.js';

export interface PgRestorePoint {
  database: string;
  /** The restore's tag, as restore ids are written (`20261202T123456Z-1a2b3c`). */
  tag: string;
  bytes: number;
  /** Where it is, for people (no password). */
  where: string;
}

/** besideName() lower-cases the tag and turns `-` into `_`: `_before_20261202t123456z_1a2b3c` at the end. */
const SUFFIX = /_before_(\d{8})t(\d{6})z_([0-9a-f]+)$/;

/** Where a source's restore points are looked for: the database it connects to for admin work. */
function adminOf(config: PgSourceConfig): string {
  return config.databases === 'all' || Array.isArray(config.databases) || config.globals ? config.maintenance_database : parseConnection(config).database;
}

export async function listPgRestorePoints(config: PgSourceConfig): Promise<PgRestorePoint[]> {
  const conn = parseConnection(config);
  const live = config.databases === 'all' ? null : Array.isArray(config.databases) ? config.databases : [conn.database];
  const admin = adminOf(config);
  const rows = await withClient(conn, admin, (client) => client.query("select datname, pg_database_size(oid)::text as bytes from pg_database where datname ~ '_before_[0-9]{8}t[0-9]{6}z_[0-9a-f]+$' order by datname")).catch((error: unknown) => {
    throw explainClientError(error, conn, admin);
  });
  const points: PgRestorePoint[] = [];
  for (const row of rows.rows as { datname: string; bytes: string }[]) {
    const m = SUFFIX.exec(row.datname);
    if (!m) continue;
    const tag = `${m[1]}T${m[2]}Z-${m[3]}`;
    // Only this source's: the name a restore of one of its databases would have given (long names are cut and marked).
    if (live && !live.some((db) => besideName(db, 'before', tag) === row.datname)) continue;
    points.push({ database: row.datname, tag, bytes: Number(row.bytes), where: describeConnection(conn, row.datname) });
  }
  return points;
}

export async function dropPgRestorePoint(config: PgSourceConfig, database: string): Promise<void> {
  const conn = parseConnection(config);
  await withClient(conn, adminOf(config), (client) => dropDatabase(client, database)).catch((error: unknown) => {
    throw explainClientError(error, conn, adminOf(config));
  });
}
