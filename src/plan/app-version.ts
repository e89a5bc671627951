/** The app's version, tagged onto every backup: given, or read from env, a file, a command or the app over HTTP. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RunError, reason } from '../errors.js';
import { runCommand } from '../util/spawn.js';
import type { Plan } from './schema.js';

function dig(value: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), value);
}

/** Asked before any pre_backup hook stops the app. */
async function versionOverHttp(http: { url: string; json?: string | string[] | undefined }): Promise<string> {
  const where = `app.version_from: ${http.url}`;
  let body: string;
  try {
    const response = await fetch(http.url, { signal: AbortSignal.timeout(15_000), headers: { accept: 'application/json, text/plain' } });
    body = await response.text();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    throw new RunError(`${where}: ${reason(error)}`, { hint: 'Check that the app runs and answers at that URL (its version is read before any pre_backup hook runs), or write app.version.' });
  }
  if (http.json === undefined) {
    // A JSON string ("1.32.0", as Vaultwarden answers) is its text; anything else is taken as it is.
    const quoted = /^\s*"/.test(body) ? (JSON.parse(body.trim().split('\n')[0]!.trim() || '""') as unknown) : undefined;
    const version = typeof quoted === 'string' ? quoted : body.trim().split('\n')[0]?.trim();
    if (!version) throw new RunError(`${where} answered with an empty body.`);
    return version;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new RunError(`${where} did not answer JSON.`, { hint: 'Drop json: to take the whole body as the version, or check the URL.' });
  }
  const keys = Array.isArray(http.json) ? http.json : [http.json];
  const parts = keys.map((key) => dig(parsed, key));
  const bad = keys.filter((_, i) => typeof parts[i] !== 'string' && typeof parts[i] !== 'number');
  if (bad.length > 0) throw new RunError(`${where}: the answer has no ${bad.map((k) => `"${k}"`).join(', ')}: ${body.slice(0, 200)}`);
  return parts.map(String).join('.');
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
  if ('http' in from) return versionOverHttp(from.http);
  const result = await runCommand(from.command, { cwd: planDir, timeoutMs: 30_000, env }).catch((error: unknown) => {
    throw new RunError(`app.version_from: cannot run ${JSON.stringify(from.command)}: ${reason(error)}`, { hint: 'Check the command is installed and on PATH.' });
  });
  const version = result.stdout.trim().split('\n')[0]?.trim();
  if (result.code !== 0 || !version) {
    throw new RunError(`app.version_from: ${JSON.stringify(from.command)} failed (exit ${result.code}) or printed nothing.`);
  }
  return version;
}
