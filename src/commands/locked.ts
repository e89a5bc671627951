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
    // An interrupted restore was settled when the plan loaded (context.ts loadRecovered, under the journal's own
    // claim), so its builds and restore points are gone or final before this sweep looks for leftovers.
    if (!input.dryRun) await clearLeftovers({ plan: loaded.plan.name, held: held.targets, stagingRoot: input.stagingRoot, reporter: io.reporter });
    return await run();
  } finally {
    await held.release();
  }
}
