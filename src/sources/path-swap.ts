/**
 * Restore points for sources that live in the file system (SQLite, folders).
 * The live data is renamed, not copied, into a restore-point folder beside it,
 * so rolling back puts back the very same bytes and inodes. Renames within one
 * folder are atomic; a crash between the two renames leaves both the restore
 * point and the restored data in place, and the message names them.
 */
import { lstat, mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RunError, ioHint, reason } from '../errors.js';
import type { RestorePoint } from './source.js';

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** `data/app.sqlite` -> `data/.app.sqlite.restorable-new-<tag>` */
export function besidePath(live: string, what: 'new' | 'restore-point' | 'failed', tag: string): string {
  return join(dirname(live), `.${basename(live)}.restorable-${what}-${tag}`);
}

/**
 * Moves `live` and its companions (suffixes such as `-wal`, `-shm`) into a
 * restore-point folder, then moves `staged` to `live`. Every step is a
 * rename; nothing of the previous state is ever deleted here.
 */
export async function swapPaths(live: string, staged: string, tag: string, companions: readonly string[] = []): Promise<RestorePoint> {
  const point = besidePath(live, 'restore-point', tag);
  const names = [basename(live), ...companions.map((suffix) => basename(live) + suffix)];
  const moved: string[] = [];
  let created = false;
  try {
    await mkdir(point, { recursive: false });
    created = true;
    for (const name of names) {
      const from = join(dirname(live), name);
      if (!(await exists(from))) continue;
      await rename(from, join(point, name));
      moved.push(name);
    }
    await rename(staged, live);
    if (moved.length === 0) await rmdir(point);
  } catch (error) {
    // Only a folder this call made is ours to move back from and remove.
    if (created) await putBack(live, point, moved);
    throw new RunError(`Could not swap the restored data into ${live}: ${reason(error)}. The live data was left in place.`, {
      hint: ioHint(error),
      cause: error,
    });
  }
  return {
    location: moved.length > 0 ? point : null,
    async rollback() {
      // Rename what the restore (and the health checks) made out of the way
      // first, so that every step until the old state is back is a rename.
      const failed = besidePath(live, 'failed', tag);
      await mkdir(failed);
      for (const name of names) {
        const at = join(dirname(live), name);
        if (await exists(at)) await rename(at, join(failed, name));
      }
      await putBack(live, point, moved);
      await rm(failed, { recursive: true, force: true });
    },
  };
}

async function putBack(live: string, point: string, moved: readonly string[]): Promise<void> {
  for (const name of moved) await rename(join(point, name), join(dirname(live), name));
  // With nothing live before the restore, the swap already removed the empty point.
  await rmdir(point).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
