/**
 * The last outcome of each command of a plan, kept on this machine so that a
 * success after a failure can be told as `recovered`. Only that depends on
 * it: a machine that starts empty every time (a GitHub-hosted runner) sends
 * `success` instead, and `status` needs no local state at all.
 * The file is $RESTORABLE_STATE_DIR, else $XDG_STATE_HOME/restorable, else
 * ~/.local/state/restorable, then `<plan>-<hash of the plan path>.json`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

interface State {
  commands: Record<string, { ok: boolean; exit_code: number; at: string }>;
}

export function stateFile(plan: string, planFile: string, env: NodeJS.ProcessEnv): string {
  const dir = env.RESTORABLE_STATE_DIR || join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'restorable');
  return join(dir, `${plan}-${createHash('sha256').update(planFile).digest('hex').slice(0, 12)}.json`);
}

async function read(file: string): Promise<State> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as State;
    return parsed && typeof parsed.commands === 'object' ? parsed : { commands: {} };
  } catch {
    return { commands: {} };
  }
}

/** Records this run's outcome and returns whether the previous run of the same command failed. */
export async function recordOutcome(file: string, command: string, exitCode: number, now = new Date()): Promise<{ previousFailed: boolean }> {
  const state = await read(file);
  const previous = state.commands[command];
  state.commands[command] = { ok: exitCode === 0, exit_code: exitCode, at: now.toISOString() };
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
  return { previousFailed: previous !== undefined && !previous.ok };
}
