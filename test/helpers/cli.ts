/** Runs the built CLI (dist/cli.js) as a user would, in a child process. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { recordRun } from './leaks.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = resolve(ROOT, 'dist', 'cli.js');
const NODE24 = resolve(ROOT, '.cache', 'node24', 'node_modules', '.bin', 'node');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Node 24 from the `node` npm package (installed by .ci/run), if present. */
/** Node 24 for the Action's runtime: outside CI a test may skip without it; under CI=true its absence fails the run. */
export function node24(): string | undefined {
  const path = process.env.RESTORABLE_TEST_NODE24 ?? NODE24;
  if (existsSync(path)) return path;
  if (process.env.CI === 'true') throw new Error(`Node 24 is required under CI=true (.ci/run installs it at ${path})`);
  return undefined;
}

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; node?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.node ?? process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      // Every output is kept for the suite's secret scan (test/global-setup.ts).
      recordRun(args, options.env ?? {}, stdout, stderr);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Parses `--json` output, failing the test with the CLI's words if it is not JSON. */
export function json<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
