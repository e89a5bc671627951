/** What every command receives: parsed options and the ways to talk to the world. */
import { zstdEngine } from '../artifacts/codec.js';
import { UsageError } from '../errors.js';
import { loadPlan, type LoadedPlan } from '../plan/load.js';
import { createTarget } from '../targets/index.js';
import type { Target } from '../targets/target.js';
import type { Reporter } from '../report/reporter.js';
import type { RestoreRequest } from '../restore/prepare.js';
import type { Secrets } from '../report/secrets.js';

export interface CommandInput {
  planPath: string;
  json: boolean;
  /** "latest", "all" (verify) or a backup id. */
  backup: string;
  sources: string[];
  target?: string;
  allowVersionMismatch: boolean;
  dryRun: boolean;
  stagingRoot?: string;
  trigger?: string;
}

export interface CommandIO {
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  secrets: Secrets;
}

/** A command prints for people through the reporter and returns data for --json and the Action's outputs. */
export type Command = (input: CommandInput, io: CommandIO) => Promise<unknown>;

export async function load(input: CommandInput, io: CommandIO): Promise<LoadedPlan> {
  const loaded = await loadPlan(input.planPath, { env: io.env, secrets: io.secrets, capabilities: { zstd: zstdEngine(io.env) !== null } });
  for (const warning of loaded.warnings) io.reporter.warn(`${warning.where}: ${warning.path}: ${warning.message}`);
  return loaded;
}

/** What restore and drill need from the command line. */
export function restoreRequest(input: CommandInput, io: CommandIO): RestoreRequest {
  return {
    backup: input.backup,
    sources: input.sources,
    ...(input.target ? { target: input.target } : {}),
    allowVersionMismatch: input.allowVersionMismatch,
    reporter: io.reporter,
    signal: io.signal,
    env: io.env,
    ...(input.stagingRoot ? { stagingRoot: input.stagingRoot } : {}),
  };
}

/** The plan's targets, or the one named by --target (an unknown name is a usage error). */
export function selectTargets({ plan, dir }: LoadedPlan, name: string | undefined, env?: NodeJS.ProcessEnv): Target[] {
  const chosen = plan.targets.filter((t) => name === undefined || t.name === name);
  if (chosen.length === 0) throw new UsageError(`The plan has no target named "${name}".`, { hint: `Targets: ${plan.targets.map((t) => t.name).join(', ')}` });
  return chosen.map((config) => createTarget(config, { planDir: dir, ...(env ? { env } : {}) }));
}
