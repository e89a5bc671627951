/**
 * What commands that act on a plan's data or targets share: opening the
 * plan's targets, and settling a restore that a crash interrupted. Apart from
 * context.ts so that a command that only reads the plan (validate) loads no
 * adapter.
 */
import type { LoadedPlan } from '../plan/load.js';
import type { Reporter } from '../report/reporter.js';
import { recoverInterrupted } from '../restore/journal.js';
import { UsageError } from '../errors.js';
import { createTarget } from '../targets/index.js';
import type { Target } from '../targets/target.js';
import { load, retriesTo, type CommandInput, type CommandIO } from './context.js';

/** load, then settle a restore of this plan that a crash interrupted (restore/journal.ts): for every command that acts on the plan's data or targets. */
export async function loadRecovered(input: CommandInput, io: CommandIO): Promise<LoadedPlan> {
  const loaded = await load(input, io);
  await recoverInterrupted(loaded, io.reporter);
  return loaded;
}

/** Every target of the plan, for locking: a run holds the lock on all of them, whichever it reads or writes. */
export function allTargets({ plan, dir }: LoadedPlan, env: NodeJS.ProcessEnv, reporter?: Reporter): Target[] {
  return plan.targets.map((config) => createTarget(config, { planDir: dir, env, ...retriesTo(reporter) }));
}

/** The plan's targets, or the one named by --target (an unknown name is a usage error). */
export function selectTargets({ plan, dir }: LoadedPlan, name: string | undefined, env?: NodeJS.ProcessEnv, reporter?: Reporter): Target[] {
  const chosen = plan.targets.filter((t) => name === undefined || t.name === name);
  if (chosen.length === 0) throw new UsageError(`The plan has no target named "${name}".`, { hint: `Targets: ${plan.targets.map((t) => t.name).join(', ')}` });
  return chosen.map((config) => createTarget(config, { planDir: dir, ...(env ? { env } : {}), ...retriesTo(reporter) }));
}
