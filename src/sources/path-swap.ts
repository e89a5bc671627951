/**
 * Restore points for sources that live in the file system (SQLite, folders).
 * The live data is renamed, not copied, into a restore-point folder beside it,
 * so rolling back puts back the very same bytes and inodes. Renames within one
 * folder are atomic; a crash between the two renames leaves both the restore
 * point and the restored data in place, and the message names them.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RunError, ioHint, reason } from '../errors.js';
import type { RestorePoint } from './source.js';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `data/app.sqlite` -> `data/.app.sqlite.restorable-new-<tag>` */
export function besidePath(live: string, what: 'new' | 'restore-point', tag: string): string {
  return join(dirname(live), `.${basename(live)}.restorable-${what}-${tag}`);
}

/**
 * Moves `live` and its companions (suffixes such as `-wal`, `-shm`) into a
 * restore-point folder, then moves `staged` to `live`.
 */
export async function swapPaths(live: string, staged: string, tag: string, companions: readonly string[] = []): Promise<RestorePoint> {
  const point = besidePath(live, 'restore-point', tag);
  const names = [basename(live), ...companions.map((suffix) => basename(live) + suffix)];
  const moved: string[] = [];
  try {
    await mkdir(point, { recursive: false });
    for (const name of names) {
      const from = join(dirname(live), name);
      if (!(await exists(from))) continue;
      await rename(from, join(point, name));
      moved.push(name);
    }
    await rename(staged, live);
    if (moved.length === 0) await rm(point, { recursive: true, force: true });
  } catch (error) {
    await putBack(live, point, moved);
    throw new RunError(`Could not swap the restored data into ${live}: ${reason(error)}. The live data was left in place.`, {
      hint: ioHint(error),
      cause: error,
    });
  }
  return {
    location: moved.length > 0 ? point : null,
    async rollback() {
      // Remove what the restore (and health checks) created, then move the old state back.
      for (const name of names) await rm(join(dirname(live), name), { recursive: true, force: true });
      await putBack(live, point, moved);
    },
  };
}

async function putBack(live: string, point: string, moved: readonly string[]): Promise<void> {
  for (const name of moved) await rename(join(point, name), join(dirname(live), name));
  await rm(point, { recursive: true, force: true });
}
