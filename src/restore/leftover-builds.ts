/**
 * Beside-live builds a killed restore left: `.<name>.restorable-new-<tag>`
 * next to a file-system source's live path (sources/path-swap.ts besidePath),
 * a restored copy that was never swapped in. Restore points
 * (`restorable-restore-point-*`) are the user's previous data and are never
 * touched here.
 *
 * Order matters: the restore journal's recovery (restore/journal.ts,
 * `recoverInterrupted`) runs first and finishes or rolls back an interrupted
 * restore, which may still need its build. Only builds that no journal names
 * are cleared, and only by a run that holds the plan's lock (no restore can
 * be building them meanwhile).
 */
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Reporter } from '../report/reporter.js';

/**
 * Removes `.<name>.restorable-new-*` beside each of `livePaths` unless its
 * path is in `journaled`; returns the paths removed.
 */
export async function clearBesideLiveBuilds(livePaths: readonly string[], journaled: ReadonlySet<string>, reporter: Reporter): Promise<string[]> {
  const cleared: string[] = [];
  for (const live of livePaths) {
    const prefix = `.${basename(live)}.restorable-new-`;
    const dir = dirname(live);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name);
      if (!name.startsWith(prefix) || journaled.has(path)) continue;
      if (await rm(path, { recursive: true, force: true }).then(() => true, () => false)) cleared.push(path);
    }
  }
  if (cleared.length > 0) reporter.warn(`Cleared ${cleared.length} unfinished restore build(s) a killed restore left beside live data: ${cleared.join(', ')}`);
  return cleared;
}
