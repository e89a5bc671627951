/**
 * What dead runs left behind, cleared by the next run once it holds the lock.
 *
 * - Staging folders of runs on this machine whose process is gone (plain
 *   snapshots may be in them): util/staging.ts proves the death.
 * - Temporary files on targets (TEMP_PREFIX: a put cut short). Inside a
 *   backup's folder only the lock holder writes, so on a target where this run
 *   took over or broke a dead run's lock they go at once; elsewhere (a
 *   contender's lock being written, a probe) only once older than an hour.
 * - Incomplete backups (no manifest) on a target where a dead run's lock was
 *   taken over or broken: nothing else can have been writing them. Elsewhere
 *   prune clears them after a day, as before. Empty backup folders (stores
 *   with folders) go on any held target: only the holder makes them.
 *
 * Every removal is said: the run names what it cleared and why.
 */
import { posix } from 'node:path';
import { listBackups } from '../artifacts/catalog.js';
import { reason } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import { TEMP_PREFIX, type Target } from '../targets/target.js';
import { clearDeadStaging } from '../util/staging.js';

/** Older than this, a temporary file is no put in flight (a put renames within moments of its last byte). */
export const TEMP_SAFE_AGE_MS = 3600_000;

export interface HeldTarget {
  target: Target;
  /** A lock of a run proven dead (or broken with --break-lock) was removed on this target by this run. */
  deadRunCleared: boolean;
}

export interface LeftoverReport {
  staging: string[];
  targets: { target: string; temp: string[]; incomplete: string[] }[];
}

const isTemp = (key: string) => posix.basename(key).startsWith(TEMP_PREFIX);

/** Temporary files, and with `deadRunCleared` the incomplete backups, on one held target. */
async function clearTarget(plan: string, held: HeldTarget, now: Date): Promise<{ temp: string[]; incomplete: string[] }> {
  const { target, deadRunCleared } = held;
  const inBackup = (key: string) => key.startsWith(`${plan}/`) && !key.startsWith(`${plan}/locks/`);
  // The plan's folder only: listing the whole target each run would cost as much as every plan's backups (a killed probe leaves a few bytes at the root).
  const objects = await target.list(`${plan}/`);
  const temp = objects
    .filter((o) => isTemp(o.key) && ((deadRunCleared && inBackup(o.key)) || now.getTime() - o.modified.getTime() > TEMP_SAFE_AGE_MS))
    .map((o) => o.key);
  const incomplete: string[] = [];
  if (deadRunCleared) {
    for (const backup of await listBackups(target, plan)) {
      if (backup.complete) continue;
      await target.remove(backup.objects.map((o) => o.key));
      incomplete.push(backup.id);
    }
  }
  const rest = temp.filter((key) => !incomplete.some((id) => key.startsWith(`${plan}/${id}/`)));
  await target.remove(rest);
  // Empty backup folders (a kill between mkdir and the first write): only the lock holder makes them, so none is in use now.
  const empty = (await target.removeEmptyFolders?.(`${plan}/`, ['locks'])) ?? [];
  return { temp: rest, incomplete: [...incomplete, ...empty.filter((name) => !incomplete.includes(name))] };
}

export async function clearLeftovers(options: { plan: string; held: readonly HeldTarget[]; stagingRoot?: string | undefined; reporter: Reporter; now?: Date }): Promise<LeftoverReport> {
  const { reporter } = options;
  const now = options.now ?? new Date();
  const staging = await clearDeadStaging(options.stagingRoot);
  if (staging.length > 0) reporter.warn(`Cleared ${staging.length} staging folder(s) left by runs that died on this machine: ${staging.join(', ')}`);
  const targets: LeftoverReport['targets'] = [];
  for (const held of options.held) {
    try {
      const cleared = await clearTarget(options.plan, held, now);
      targets.push({ target: held.target.name, ...cleared });
      const said = [
        ...(cleared.incomplete.length > 0 ? [`incomplete backup(s) ${cleared.incomplete.join(', ')}`] : []),
        ...(cleared.temp.length > 0 ? [`${cleared.temp.length} temporary file(s)`] : []),
      ];
      if (said.length > 0) reporter.warn(`Cleared what a dead run left on target "${held.target.name}": ${said.join(' and ')}.`);
    } catch (error) {
      // Leftovers are invisible to list and restore: failing to clear them is no reason to stop this run.
      reporter.warn(`Could not clear what dead runs left on target "${held.target.name}": ${reason(error)}`);
    }
  }
  return { staging, targets };
}
