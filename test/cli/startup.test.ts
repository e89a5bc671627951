/**
 * A start loads only what its command uses: `--help` must not load the plan
 * schema, the targets or the database code (1.6 MB of the bundle, most of a
 * half-second start). Measured by the bundle files the process loads, seen
 * through a module load hook, not by time.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/cli.js';

/** Registers a load hook that prints every file: URL the process loads on stderr. */
const HOOKS = 'export async function load(url, context, next) { if (url.startsWith("file:")) process.stderr.write("LOADED " + url + "\\n"); return next(url, context); }';
const REGISTER = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`)}`;

function start(args: string[]): { code: number | null; stdout: string; files: string[]; bytes: number } {
  const run = spawnSync(process.execPath, ['--import', REGISTER, CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  const files = [...run.stderr.matchAll(/^LOADED (file:\S+)$/gm)].map((m) => fileURLToPath(m[1]!)).filter((f) => f.includes('/dist/'));
  return { code: run.status, stdout: run.stdout, files, bytes: files.reduce((sum, f) => sum + statSync(f).size, 0) };
}

describe('start-up', () => {
  it('--help prints every command and loads under 100 KB of the bundle', () => {
    const help = start(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['validate', 'backup', 'restore', 'drill', 'workflow']) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(help.files.length).toBeGreaterThan(1); // the hook saw the bundle load
    expect(help.bytes).toBeLessThan(100_000);
  });

  it('a command loads its own code when it runs: validate reads the plan, backup code stays unloaded', () => {
    const validate = start(['validate', '--plan', 'examples/quickstart/restorable.yml']);
    expect(validate.code, validate.stdout).toBe(0);
    expect(validate.bytes).toBeGreaterThan(start(['--help']).bytes + 500_000); // zod and yaml: it did load the plan's code
    expect(validate.files.some((f) => /\/backup-[A-Z0-9]+\.js$/.test(f))).toBe(false);
  });
});
