/**
 * The package as a user gets it: `npm pack`, then `npm i -g` of the tarball
 * into an empty prefix with a fresh npm cache (nothing from the dev tree's
 * cache or node_modules helps), then `restorable --help`, the quickstart, and
 * the restore its last line suggests, all through the installed `restorable`.
 *
 * better-sqlite3's addon comes from this machine's build, packed the way
 * `prebuild` packs it and handed to prebuild-install (what better-sqlite3's
 * install script runs) as a local prebuild: nothing compiles (node-gyp took
 * 1.5 minutes here) and nothing is downloaded (its release host is not
 * reachable from here).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/**
 * A folder with better-sqlite3's addon as prebuild-install looks for it
 * (prebuild-install/util.js: `<local_prebuilds>/<basename of the download URL>`,
 * `{name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz`, unpacked
 * into the package folder), made from the dev tree's own build.
 */
function localPrebuilds(): string {
  const from = join(ROOT, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { version: string };
  const out = join(dir, 'prebuilds');
  mkdirSync(out);
  const file = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const tar = run('tar', ['-czf', join(out, file), '-C', from, 'build/Release/better_sqlite3.node']);
  expect(tar.code, tar.out).toBe(0);
  return out;
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
    const npmEnv = {
      // The env name prebuild-install reads for a package's local prebuilds (getEnvPrefix(name) + '_local_prebuilds').
      npm_config_better_sqlite3_local_prebuilds: localPrebuilds(),
      npm_config_cache: join(dir, 'npm-cache'),
      npm_config_offline: 'false',
      npm_config_prefer_offline: 'false',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    const install = run('npm', ['install', '--global', '--prefix', prefix, tarball], npmEnv);
    expect(install.code, install.out).toBe(0);
    expect(install.out).not.toMatch(/EBADENGINE/);
    const packages = countPackages(join(prefix, 'lib', 'node_modules'));
    expect(packages, install.out).toBeLessThanOrEqual(45);
    // The addon was unpacked, not compiled: node-gyp leaves its object files in build/Release/obj.target.
    const addon = join(prefix, 'lib', 'node_modules', 'restorable', 'node_modules', 'better-sqlite3', 'build', 'Release');
    expect(existsSync(join(addon, 'better_sqlite3.node')), install.out).toBe(true);
    expect(existsSync(join(addon, 'obj.target')), install.out).toBe(false);

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
