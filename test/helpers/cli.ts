/** Runs the built CLI (dist/cli.js) as a user would, in a child process. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { recordRun } from './leaks.js';
import { requireService } from './net.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = resolve(ROOT, 'dist', 'cli.js');
const NODE24 = resolve(ROOT, '.cache', 'node24', 'node_modules', '.bin', 'node');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The signal that ended the CLI (a fault point's SIGKILL), or null. */
  signal?: NodeJS.Signals | null;
}

/** Node 24, the Action's runtime (the `node` npm package in .cache/node24, or RESTORABLE_TEST_NODE24); throws if it is missing. */
export function node24(): string {
  const path = process.env.RESTORABLE_TEST_NODE24 ?? NODE24;
  requireService(`Node 24 (${path})`, existsSync(path), 'set RESTORABLE_TEST_NODE24 to a Node 24 binary');
  return path;
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
    child.once('close', (code, signal) => {
      // Every output is kept for the suite's secret scan (test/global-setup.ts).
      recordRun(args, options.env ?? {}, stdout, stderr);
      resolvePromise({ code: code ?? -1, stdout, stderr, signal });
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

/** A user-caused failure prints a message and a hint, never a stack trace. */
export function noStackTrace(result: CliResult): void {
  expect(result.stderr + result.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
}
