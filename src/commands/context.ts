/** What every command receives: parsed options and the ways to talk to the world. */
import { zstdEngine } from '../artifacts/codec.js';
import { UsageError } from '../errors.js';
import { parseClockDuration } from '../util/duration.js';
import { interpolate, literalPasswords, type Unset } from '../plan/interpolate.js';
import { loadPlan, type LoadedPlan } from '../plan/load.js';
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
  /** verify: also decrypt and decompress every copy. */
  deep: boolean;
  /** restore: only these paths of a repository backup (globs), built into `into`. */
  paths?: string[];
  into?: string;
  /** ls, dump: a path inside the snapshot. */
  path?: string;
  /** diff: the two backups compared (ids, or latest). */
  compare?: [string, string];
  /** verify: check this share of a repository's packs (`10%`, `3/7`). */
  sample?: string;
  /** Remove stale locks (never live ones) before taking the lock. */
  breakLock: boolean;
  /** How long to wait for another run's lock, in ms (0: fail at once). */
  waitMs: number;
  stagingRoot?: string;
  trigger?: string;
  /** workflow: where to write (default .github/workflows), runs-on labels, the Action reference, replace edited files. */
  out?: string;
  runsOn?: string[];
  uses?: string;
  force?: boolean;
  /** status --html: where to write the status page. */
  html?: string;
  /** restore/drill --to URL, as typed: `${VAR}` not yet read. */
  to?: string;
  /** restore-points: remove this restore's points (its tag, or a unique part), or those older than this age (`7d`). */
  remove?: string;
  olderThan?: string;
}

export interface CommandIO {
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  secrets: Secrets;
  /** Where dump and export write their bytes (the CLI's stdout); absent in the Action. */
  stdout?: NodeJS.WritableStream;
  /** A command that fails after producing data (a backup short of its copy policy) hands the data here before throwing; the Action turns it into outputs and a summary. */
  partial?: (data: unknown) => void;
  /** Told the plan once the command has loaded it: the shells' monitoring (notifications, metrics) starts from it. */
  onPlan?: (loaded: LoadedPlan) => void;
}

/** A command prints for people through the reporter and returns data for --json and the Action's outputs. */
export type Command = (input: CommandInput, io: CommandIO) => Promise<unknown>;

export async function load(input: CommandInput, io: CommandIO): Promise<LoadedPlan> {
  const loaded = await loadPlan(input.planPath, { env: io.env, secrets: io.secrets, capabilities: { zstd: zstdEngine(io.env) !== null } });
  for (const warning of loaded.warnings) io.reporter.warn(`${warning.where}: ${warning.path}: ${warning.message}`);
  io.onPlan?.(loaded);
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
    ...(input.to !== undefined ? { to: destination(input.to, io) } : {}),
    ...(io.partial ? { partial: io.partial } : {}),
  };
}

/** --to URL: a password may only come from `${VAR}` or PGPASSWORD, never the command line (process listings show it). */
function destination(raw: string, io: CommandIO): string {
  if (literalPasswords(raw).length > 0) {
    throw new UsageError('--to holds a password in clear: it would show in process listings.', { hint: "Leave it out and set PGPASSWORD, or write ${VAR} in the URL (single-quoted: '...${VAR}...') and set VAR." });
  }
  const unset: Unset[] = [];
  const url = interpolate(raw, io.env, io.secrets, unset) as string;
  if (unset.length > 0) throw new UsageError(`--to uses \${${unset[0]!.variable}}, which is not set.`, { hint: 'Set it in the environment.' });
  return url;
}

/** --wait (CLI) or the `wait` input (Action): how long to wait for another run's lock, in ms. */
export function waitMsOf(text: string | undefined, label: string): number {
  if (text === undefined || text === '') return 0;
  const ms = parseClockDuration(text);
  if (ms === undefined) throw new UsageError(`${label} ${text}: expected a duration such as 30s, 10m or 1h.`);
  return ms;
}

/** A target's retries, said as they happen (a store that is down shows at once, not after a minute of silence). */
export function retriesTo(reporter: Pick<Reporter, 'warn'> | undefined): { onRetry?: (message: string) => void } {
  return reporter ? { onRetry: (message) => reporter.warn(message) } : {};
}
