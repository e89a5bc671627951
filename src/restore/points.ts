/**
 * Restore points: what a restore kept of the data it replaced, beside that
 * data (`.<name>.restorable-restore-point-<tag>`, files and SQLite; the tag
 * is the restore's own id, `<UTC time>-<random>`). restorable never removes
 * one on its own (see SwapPlan in sources/source.ts); these are how a user
 * sees them and clears them, PostgreSQL's (`<db>_before_<tag>` databases,
 * sources/pg-points.ts) too.
 */
import { lstat, readdir, rm, statfs } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { LoadedPlan } from '../plan/load.js';
import { sourceAdapter } from '../sources/index.js';
import { dropPgRestorePoint, listPgRestorePoints } from '../sources/pg-points.js';

export interface RestorePoint {
  /** The restore that made it: its tag, shared by every source that restore replaced. */
  restore: string;
  source: string;
  /** The folder or file kept; for PostgreSQL, where the database is (`postgresql://host:port/<db>_before_<tag>`). */
  path: string;
  /** PostgreSQL: the database kept. */
  database?: string;
  /** When the restore ran (from the tag), ISO 8601. */
  made_at: string;
  bytes: number;
}

const TAG = /^(\d{8}T\d{6}Z)-[0-9a-f]+$/;

function timeOf(tag: string): string | undefined {
  const m = TAG.exec(tag)?.[1];
  if (!m) return undefined;
  return `${m.slice(0, 4)}-${m.slice(4, 6)}-${m.slice(6, 8)}T${m.slice(9, 11)}:${m.slice(11, 13)}:${m.slice(13, 15)}Z`;
}

/** Bytes held under `path`, files counted once per inode (a hard link is not a second copy). */
async function sizeOf(path: string, seen = new Set<string>()): Promise<number> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return 0;
  const inode = `${info.dev}:${info.ino}`;
  if (seen.has(inode)) return 0;
  seen.add(inode);
  if (!info.isDirectory()) return info.isFile() ? info.size : 0;
  let bytes = 0;
  for (const name of await readdir(path).catch(() => [] as string[])) bytes += await sizeOf(join(path, name), seen);
  return bytes;
}

/** The live paths of the plan's path-based sources (files, SQLite), by source name. */
function livePaths(loaded: LoadedPlan): { source: string; live: string }[] {
  return loaded.plan.sources.filter((s) => s.type === 'files' || s.type === 'sqlite').map((s) => ({ source: s.name, live: sourceAdapter(s).liveLocation(s, { planDir: loaded.dir }) }));
}

/**
 * Every restore point of the plan's sources. `databases: false` leaves out
 * PostgreSQL's (they hold no space on a local disk, and listing them means
 * connecting to each server).
 */
export async function findRestorePoints(loaded: LoadedPlan, options: { databases?: boolean } = {}): Promise<RestorePoint[]> {
  const points: RestorePoint[] = [];
  if (options.databases !== false) {
    for (const source of loaded.plan.sources) {
      if (source.type !== 'postgres') continue;
      for (const point of await listPgRestorePoints(source)) {
        points.push({ restore: point.tag, source: source.name, path: point.where, database: point.database, made_at: timeOf(point.tag)!, bytes: point.bytes });
      }
    }
  }
  for (const { source, live } of livePaths(loaded)) {
    const prefix = `.${basename(live)}.restorable-restore-point-`;
    for (const name of await readdir(dirname(live)).catch(() => [] as string[])) {
      if (!name.startsWith(prefix)) continue;
      const restore = name.slice(prefix.length);
      const made = timeOf(restore);
      if (!made) continue;
      const path = join(dirname(live), name);
      points.push({ restore, source, path, made_at: made, bytes: await sizeOf(path) });
    }
  }
  return points.sort((a, b) => (a.restore < b.restore ? -1 : a.restore > b.restore ? 1 : a.source.localeCompare(b.source)));
}

export async function removeRestorePoint(loaded: LoadedPlan, point: RestorePoint): Promise<void> {
  if (point.database === undefined) return rm(point.path, { recursive: true, force: true });
  const source = loaded.plan.sources.find((s) => s.name === point.source);
  if (source?.type === 'postgres') await dropPgRestorePoint(source, point.database);
}

/**
 * Restore points that hold more than `share` of the disk they are on, by
 * disk: what `restore` warns about (each restore keeps a whole copy).
 */
export async function crowdedDisks(points: RestorePoint[], share: number): Promise<{ path: string; bytes: number; diskBytes: number }[]> {
  const byDevice = new Map<number, { path: string; bytes: number }>();
  for (const point of points) {
    const dev = (await lstat(point.path).catch(() => undefined))?.dev;
    if (dev === undefined) continue;
    const entry = byDevice.get(dev) ?? { path: dirname(point.path), bytes: 0 };
    entry.bytes += point.bytes;
    byDevice.set(dev, entry);
  }
  const crowded = [];
  for (const { path, bytes } of byDevice.values()) {
    const fs = await statfs(path).catch(() => undefined);
    if (!fs) continue;
    const diskBytes = fs.blocks * fs.bsize;
    if (diskBytes > 0 && bytes / diskBytes > share) crowded.push({ path, bytes, diskBytes });
  }
  return crowded;
}
