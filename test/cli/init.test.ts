/**
 * `restorable init` itself: what it reads from docker-compose.yml and .env,
 * --list, --force, usage errors, and the questions on a real pseudo-terminal
 * (test/helpers/answer-pty.py).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, ROOT, noStackTrace, runCli } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-init-'));
  mkdirSync(join(dir, 'app'));
  mkdirSync(join(dir, 'backups'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const out = () => join(dir, 'restorable.yml');

function immichFolder(): void {
  writeFileSync(
    join(dir, 'app', 'docker-compose.yml'),
    `services:
  immich-server:
    container_name: my_immich
    image: ghcr.io/immich-app/immich-server:\${IMMICH_VERSION:-release}
    volumes:
      - \${UPLOAD_LOCATION:-./nowhere}:/usr/src/app/upload
  database:
    container_name: my_pg
    image: ghcr.io/immich-app/postgres:14-vectorchord0.3.0-pgvectors0.2.0
    environment:
      POSTGRES_USER: \${DB_USERNAME}
`,
  );
  writeFileSync(join(dir, 'app', '.env'), '# Immich\nUPLOAD_LOCATION=./photos\nDB_DATA_LOCATION=./postgres\nDB_PASSWORD="quoted secret"\nDB_USERNAME=immich_user\nDB_DATABASE_NAME=photos\n');
}

describe('restorable init', () => {
  it('reads docker-compose.yml and .env: media folder, mount point, database user and name, container names', async () => {
    immichFolder();
    const result = await runCli(['init', '--preset', 'immich', '--path', join(dir, 'app'), '--out', out(), '--target', join(dir, 'backups')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`read ${join(dir, 'app', 'docker-compose.yml')} and .env`);
    const text = readFileSync(out(), 'utf8');
    expect(text).toMatch(/^# restorable plan for Immich/);
    expect(text).toContain('https://immich.app/docs/administration/backup-and-restore');
    const plan = parse(text) as { sources: Record<string, unknown>[]; restore: { healthchecks: Record<string, unknown>[] }; hooks: Record<string, unknown> };
    expect(plan.sources[0]).toMatchObject({ type: 'postgres', exec: ['docker', 'exec', '-i', 'my_pg'], user: 'immich_user', database: 'photos' });
    expect(plan.sources[1]).toMatchObject({ type: 'files', path: join(dir, 'app', 'photos'), exclude: ['thumbs/**', 'encoded-video/**'] });
    expect(plan.restore.healthchecks.find((c) => c.name === 'originals-present')).toMatchObject({ expect: { files_exist: { in: 'media', strip_prefix: '/usr/src/app/upload' } } });
    expect(plan.hooks).toEqual({ pre_restore: [{ command: ['docker', 'stop', 'my_immich'] }], post_restore: [{ command: ['docker', 'start', 'my_immich'] }] });
    expect(text).not.toContain('quoted secret'); // the database password never lands in the plan
  });

  it('never replaces a plan without --force; --force does', async () => {
    immichFolder();
    const args = ['init', '--preset', 'immich', '--path', join(dir, 'app'), '--out', out(), '--target', join(dir, 'backups')];
    writeFileSync(out(), '# my own plan\n');
    const refused = await runCli(args, { cwd: dir });
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(/restorable\.yml exists; nothing was written/);
    expect(refused.stderr).toMatch(/--force/);
    expect(readFileSync(out(), 'utf8')).toBe('# my own plan\n');
    const forced = await runCli([...args, '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(out(), 'utf8')).toMatch(/^# restorable plan for Immich/);
  });

  it('--list names every preset with its docs; an unknown preset or no preset without a terminal is a usage error', async () => {
    const list = await runCli(['init', '--list']);
    expect(list.code).toBe(0);
    for (const name of ['immich', 'stash', 'gamevault', 'vodum', 'vaultwarden', 'paperless']) expect(list.stdout).toMatch(new RegExp(`^${name} .*https://`, 'm'));
    const unknown = await runCli(['init', '--preset', 'nextcloud', '--path', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No preset is named "nextcloud"/);
    const none = await runCli(['init', '--path', dir], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs --preset when it cannot ask/);
    const badChoice = await runCli(['init', '--preset', 'paperless', '--path', dir, '--engine', 'mysql', '--out', out()]);
    expect(badChoice.code).toBe(2);
    expect(badChoice.stderr).toMatch(/--engine mysql: expected one of postgres, sqlite/);
    for (const r of [unknown, none, badChoice]) noStackTrace(r);
  });

  it('on a terminal it asks what no flag answered, suggesting what the folder says, and writes a plan that validates', () => {
    const data = join(dir, 'app', 'vw-data');
    mkdirSync(data);
    writeFileSync(join(dir, 'app', 'docker-compose.yml'), 'services:\n  vw:\n    image: vaultwarden/server:1.32.0\n    container_name: vault\n    volumes: ["./vw-data:/data"]\n');
    const answers = [
      ['Which app \\(immich/stash/gamevault/vodum/vaultwarden/paperless\\) \\[immich\\]: ', 'vaultwarden'],
      ['The app folder .*\\]: ', join(dir, 'app')],
      ['Name of the plan .*\\[vaultwarden\\]: ', 'passwords'],
      ['The app container to stop during a restore .*\\[vault\\]: ', ''],
      [`The data folder \\(mounted at /data\\) \\[${data.replace(/[/.]/g, '\\$&')}\\]: `, ''],
      ['Vaultwarden URL .*\\]: ', 'no'],
    ];
    const run = spawnSync('python3', [join(ROOT, 'test', 'helpers', 'answer-pty.py'), JSON.stringify(answers), process.execPath, CLI, 'init', '--out', out(), '--target', join(dir, 'backups')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/plan "passwords" is valid/);
    const plan = parse(readFileSync(out(), 'utf8')) as { name: string; sources: { path: string }[]; hooks: { pre_restore: { command: string[] }[] }; app?: unknown };
    expect(plan.name).toBe('passwords');
    expect(plan.sources[0]!.path).toBe(join(data, 'db.sqlite3'));
    expect(plan.hooks.pre_restore[0]!.command).toEqual(['docker', 'stop', 'vault']);
    expect(plan.app).toBeUndefined();
  });
});
