/**
 * Runs a command holding the plan's lock on its targets (src/pipeline/lock.ts),
 * released however it ends. Once held, what dead runs left (staging folders,
 * temporary files, incomplete backups) is cleared first (pipeline/leftovers.ts);
 * a dry run clears nothing.
 */
import { InterruptedError } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import { clearLeftovers } from '../pipeline/leftovers.js';
import { acquireLocks } from '../pipeline/lock.js';
import type { Target } from '../targets/target.js';
import type { CommandInput, CommandIO } from './context.js';

export async function withLock<T>(loaded: LoadedPlan, targets: Target[], command: string, input: CommandInput, io: CommandIO, run: () => Promise<T>): Promise<T> {
  let held;
  try {
    held = await acquireLocks(targets, {
      plan: loaded.plan.name,
      command,
      staleAfterMs: loaded.plan.locks.stale_after,
      breakLock: input.breakLock,
      waitMs: input.waitMs,
      reporter: io.reporter,
      signal: io.signal,
    });
  } catch (error) {
    if (io.signal.aborted) throw new InterruptedError('Interrupted while waiting for the lock: nothing was done.');
    throw error;
  }
  try {
    // Recovery of an interrupted restore (restore/journal.ts recoverInterrupted) belongs here, first:
    // it may still need the builds and restore points a dead restore left, which the sweep below must not see as leftovers.
    if (!input.dryRun) await clearLeftovers({ plan: loaded.plan.name, held: held.targets, stagingRoot: input.stagingRoot, reporter: io.reporter });
    return await run();
  } finally {
    await held.release();
  }
}
