/** The app's version, tagged onto every backup: given, or read from env, a file or a command. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RunError, reason } from '../errors.js';
import { runCommand } from '../util/spawn.js';
import type { Plan } from './schema.js';

function dig(value: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), value);
}

export async function resolveAppVersion(plan: Plan, planDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const app = plan.app;
  if (!app) return null;
  if (app.version !== undefined) return app.version;
  const from = app.version_from;
  if (!from) return null;
  if ('env' in from) {
    const value = env[from.env];
    if (!value) throw new RunError(`app.version_from: the environment variable ${from.env} is not set.`, { hint: `Set ${from.env}, or write app.version.` });
    return value.trim();
  }
  if ('file' in from) {
    const path = resolve(planDir, from.file);
    let value: unknown;
    try {
      value = dig(JSON.parse(await readFile(path, 'utf8')), from.key);
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new RunError(`app.version_from: cannot read ${path}: ${reason(error)}`, { hint: missing ? 'Check file: in the plan (relative paths are relative to the plan file), or write app.version.' : 'The file must be JSON (e.g. package.json).' });
    }
    if (typeof value !== 'string' && typeof value !== 'number') throw new RunError(`app.version_from: ${path} has no "${from.key}".`);
    return String(value);
  }
  const result = await runCommand(from.command, { cwd: planDir, timeoutMs: 30_000, env }).catch((error: unknown) => {
    throw new RunError(`app.version_from: cannot run ${JSON.stringify(from.command)}: ${reason(error)}`, { hint: 'Check the command is installed and on PATH.' });
  });
  const version = result.stdout.trim().split('\n')[0]?.trim();
  if (result.code !== 0 || !version) {
    throw new RunError(`app.version_from: ${JSON.stringify(from.command)} failed (exit ${result.code}) or printed nothing.`);
  }
  return version;
}
