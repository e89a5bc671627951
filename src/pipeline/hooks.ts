/** Plan hooks: argument arrays (never a shell), each with a timeout. */
import { RunError } from '../errors.js';
import type { Hook } from '../plan/schema.js';
import { runCommand } from '../util/spawn.js';

export async function runHook(hook: Hook, label: string, options: { cwd: string; signal: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<string> {
  let result;
  try {
    result = await runCommand(hook.command, { cwd: options.cwd, timeoutMs: hook.timeout, signal: options.signal, env: options.env });
  } catch (error) {
    throw new RunError(`The ${label} ${JSON.stringify(hook.command)} could not start: ${(error as Error).message}`, {
      hint: 'Command paths are relative to the plan file; make sure the file exists and is executable.',
    });
  }
  if (result.timedOut) throw new RunError(`The ${label} ${JSON.stringify(hook.command)} timed out after ${hook.timeout / 1000}s and was stopped.`);
  if (result.code !== 0) {
    const output = (result.stderr || result.stdout).split('\n').slice(-5).join('\n');
    throw new RunError(`The ${label} ${JSON.stringify(hook.command)} failed (${result.signal ?? `exit ${result.code}`})${output ? `:\n${output}` : '.'}`);
  }
  return result.stdout;
}
