/**
 * The Action's inputs, mapped onto the same options the CLI parses, so the
 * Action runs exactly what `npx restorable <command> ...` runs; `cliLine`
 * prints that command for reproducing a run locally.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { waitMsOf, type CommandInput } from '../commands/context.js';
import { UsageError } from '../errors.js';

/** The commands the Action accepts (schema and workflow are for people at a terminal). */
export const ACTION_COMMANDS = ['backup', 'restore', 'drill', 'verify', 'prune', 'status', 'plan', 'validate', 'list'] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

export interface ActionRequest {
  command: ActionCommand;
  input: CommandInput;
  /** The equivalent CLI invocation, for the log. */
  cliLine: string;
}

/** `INPUT_<NAME>`: upper case, spaces to underscores, hyphens kept (as the runner sets them). */
function read(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = read(env, name);
  if (['', 'false', 'False', 'FALSE'].includes(value)) return false;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  throw new UsageError(`The input "${name}" is "${value}"; expected true or false.`);
}

export function readInputs(env: NodeJS.ProcessEnv, cwd = process.cwd()): ActionRequest {
  const command = (read(env, 'command') || 'backup') as ActionCommand;
  if (!ACTION_COMMANDS.includes(command)) {
    throw new UsageError(`The input "command" is "${command}", which the Action does not run.`, { hint: `Use one of: ${ACTION_COMMANDS.join(', ')}.` });
  }
  // The runner starts actions in the workspace; resolving against it keeps a relative plan path right wherever we are started.
  const workspace = env.GITHUB_WORKSPACE || cwd;
  const planInput = read(env, 'plan') || 'restorable.yml';
  const planPath = isAbsolute(planInput) ? planInput : resolve(workspace, planInput);
  const backup = read(env, 'backup') || 'latest';
  const sources = read(env, 'source')
    .split(/[\s,]+/)
    .filter((s) => s.length > 0);
  const input: CommandInput = {
    planPath,
    json: false,
    backup,
    sources,
    allowVersionMismatch: flag(env, 'allow-version-mismatch'),
    dryRun: flag(env, 'dry-run'),
    deep: flag(env, 'deep'),
    breakLock: flag(env, 'break-lock'),
    waitMs: waitMsOf(read(env, 'wait'), 'The input "wait" is'),
    // RUNNER_TEMP is emptied after every job, on hosted and self-hosted runners alike.
    ...(read(env, 'staging') ? { stagingRoot: read(env, 'staging') } : env.RUNNER_TEMP ? { stagingRoot: env.RUNNER_TEMP } : {}),
    ...(read(env, 'target') ? { target: read(env, 'target') } : {}),
    ...(read(env, 'to') ? { to: read(env, 'to') } : {}),
  };
  if (input.to !== undefined && command !== 'restore' && command !== 'drill') {
    throw new UsageError(`The input "to" is set, but ${command} does not take it (only restore and drill do): nothing was done.`);
  }
  // Globs, one per line: a glob may hold commas and spaces (upload/{a,b}/**).
  const paths = read(env, 'path')
    .split('\n')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const into = read(env, 'into');
  if ((paths.length > 0 || into) && command !== 'restore') {
    throw new UsageError(`The input "${paths.length > 0 ? 'path' : 'into'}" is set, but ${command} does not take it (only restore does): nothing was done.`);
  }
  if (into && paths.length === 0) throw new UsageError('The input "into" goes with "path": nothing was done.', { hint: 'path: upload/2024/** and into: restored/' });
  if (paths.length > 0) input.paths = paths;
  if (into) input.into = isAbsolute(into) ? into : resolve(workspace, into);
  const html = read(env, 'html');
  if (html) {
    if (command !== 'status') throw new UsageError(`The input "html" is set, but only status writes a status page: nothing was done.`);
    input.html = isAbsolute(html) ? html : resolve(workspace, html);
  }
  // A restore asked for as a dry run must not restore for real.
  if (input.dryRun && command !== 'prune') {
    throw new UsageError(`The input "dry-run" is true, but ${command} has no dry run (only prune has): nothing was done.`, { hint: 'To see what a backup would do, use command: plan.' });
  }
  const args = [command, '--plan', relative(workspace, planPath) || planPath];
  if (['restore', 'drill', 'verify'].includes(command) && backup !== 'latest') args.push('--backup', backup);
  if (['restore', 'drill'].includes(command)) for (const source of sources) args.push('--source', source);
  if (input.allowVersionMismatch && command === 'restore') args.push('--allow-version-mismatch');
  if (input.target) args.push('--target', input.target);
  if (input.to) args.push('--to', input.to);
  // Quoted for a shell, so the printed line runs as shown: a glob left bare would be expanded there.
  for (const path of paths) args.push('--path', `'${path.replace(/'/g, `'\\''`)}'`);
  if (input.into) args.push('--into', relative(workspace, input.into) || input.into);
  if (read(env, 'staging')) args.push('--staging', read(env, 'staging'));
  if (input.dryRun && command === 'prune') args.push('--dry-run');
  if (input.deep && command === 'verify') args.push('--deep');
  if (input.breakLock) args.push('--break-lock');
  if (read(env, 'wait')) args.push('--wait', read(env, 'wait'));
  if (html) args.push('--html', html);
  return { command, input, cliLine: `npx restorable ${args.join(' ')}` };
}
