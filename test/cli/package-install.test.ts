/**
 * The package as a user gets it: `npm pack`, then `npm i -g` of the tarball
 * into an empty prefix with a fresh npm cache (nothing from the dev tree's
 * cache or node_modules helps), then `restorable --help`, the quickstart, and
 * the restore its last line suggests, all through the installed `restorable`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ISSUES_URL } from '../../src/version.js';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'restorable-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = dir) {
  const r = spawnSync(command, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 540_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

/** Every package folder under node_modules (scoped ones included), nested or hoisted. */
function countPackages(modules: string): number {
  if (!existsSync(modules)) return 0;
  let count = 0;
  for (const name of readdirSync(modules)) {
    if (name.startsWith('.')) continue;
    const names = name.startsWith('@') ? readdirSync(join(modules, name)).map((n) => join(name, n)) : [name];
    for (const n of names) count += 1 + countPackages(join(modules, n, 'node_modules'));
  }
  return count;
}

function hashTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(root.length)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

describe('the npm package', () => {
  it('installs from its tarball with few packages, no engine warning on this Node, and runs the quickstart as `restorable`', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bugs.url).toBe(ISSUES_URL);
    expect(pkg.repository.url).toContain('github.com/');
    expect(pkg.dependencies ?? {}).toEqual({});

    const pack = run('npm', ['pack', '--pack-destination', dir, '--silent'], {}, ROOT);
    expect(pack.code, pack.out).toBe(0);
    const tarball = join(dir, pack.stdout.trim().split('\n').at(-1)!);

    const prefix = join(dir, 'prefix');
    const npmEnv = { npm_config_cache: join(dir, 'npm-cache'), npm_config_offline: 'false', npm_config_prefer_offline: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };
    const install = run('npm', ['install', '--global', '--prefix', prefix, tarball], npmEnv);
    expect(install.code, install.out).toBe(0);
    expect(install.out).not.toMatch(/EBADENGINE/);
    const packages = countPackages(join(prefix, 'lib', 'node_modules'));
    expect(packages, install.out).toBeLessThanOrEqual(45);

    const env = { PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    const help = run('restorable', ['--help'], env);
    expect(help.code, help.out).toBe(0);
    expect(help.out).toMatch(/^Usage: restorable <command>/m);

    const work = join(dir, 'quickstart');
    const example = join(prefix, 'lib', 'node_modules', 'restorable', 'examples', 'quickstart', 'run.sh');
    const quickstart = run('bash', [example, work], env);
    expect(quickstart.code, quickstart.out).toBe(0);
    expect(quickstart.out).toMatch(/Drill of backup \S+ from target "nas": passed/);
    // The closing hint, run exactly as printed, restores the live data from the backup.
    const tried = /Try: (restorable restore --plan \S+)/.exec(quickstart.out);
    expect(tried, quickstart.out).not.toBeNull();
    const before = hashTree(join(work, '.data', 'app', 'uploads'));
    rmSync(join(work, '.data', 'app', 'uploads', 'cover.jpg'), { force: true });
    const args = tried![1]!.split(' ');
    const restore = run(args[0]!, args.slice(1), env);
    expect(restore.code, restore.out).toBe(0);
    const after = hashTree(join(work, '.data', 'app', 'uploads'));
    for (const [path, sha] of Object.entries(before)) if (!path.includes('thumbs/') && !path.endsWith('.tmp')) expect(after[path], path).toBe(sha);
  }, 600_000);
});
