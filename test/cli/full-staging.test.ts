/**
 * A staging disk that fills during a snapshot (issue 18 item 4): a SQLite
 * snapshot (SQLITE_FULL) or a staged pg_dump (ENOSPC) exits 1 with a hint
 * naming the staging folder and --staging, and nothing is listed. The disk
 * is a small tmpfs in a private mount namespace (`unshare -rm`), filled by a
 * pre_backup hook after the preflight's space check passed, as when another
 * program fills the disk meanwhile.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, json, runCli, type CliResult } from '../helpers/cli.js';
import { pgWorkspace } from '../helpers/pg-fixture.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';
import { basePlan, makeWorkspace } from '../helpers/workspace.js';

/** Runs `restorable backup` with its staging folder on a tmpfs of `size`, in a mount namespace of its own. */
function backupOnSmallStaging(plan: string, staging: string, size: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const script = 'mount -t tmpfs -o size="$1" tmpfs "$2" && exec "$3" "$4" backup --plan "$5" --staging "$2"';
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-rm', 'sh', '-c', script, 'sh', size, staging, process.execPath, CLI, plan], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A pre_backup hook that fills the disk under `dir` (the preflight has checked the space by then). */
const fill = (dir: string) => ({ command: ['sh', '-c', 'cat /dev/zero > "$1/fill" 2>/dev/null; true', 'sh', dir] });

const noStack = (r: CliResult) => expect(r.stderr + r.stdout).not.toMatch(/\n\s+at .+:\d+:\d+|internal error/);

describe('a staging disk that fills during the snapshot', () => {
  it('SQLite (SQLITE_FULL): exit 1 with a hint naming the staging folder and --staging; nothing listed', async () => {
    const ws = makeWorkspace();
    try {
      const staging = join(ws.dir, 'staging');
      mkdirSync(staging);
      ws.writePlan({ ...basePlan(ws.dir), hooks: { pre_backup: [fill(staging)] } });
      const result = await backupOnSmallStaging(ws.plan, staging, '4m');
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/SQLite source "db": the snapshot of .* failed: .*(SQLITE_FULL|database or disk is full)/);
      expect(result.stderr).toContain(`hint: The disk holding the staging folder ${staging} is full`);
      expect(result.stderr).toMatch(/point --staging \(or TMPDIR\) at a disk with room/);
      noStack(result);
      expect(json<{ backups: unknown[] }>(await runCli(['list', '--plan', ws.plan, '--json'])).backups).toEqual([]);
    } finally {
      ws.cleanup();
    }
  });

  describe('PostgreSQL', () => {
    let server: PgServer;
    beforeAll(async () => {
      server = await startPostgres();
    }, 60_000);
    afterAll(() => server?.stop());

    it('a staged pg_dump (ENOSPC): exit 1 with the same hint; nothing listed', async () => {
      const ws = pgWorkspace(server);
      try {
        await server.sql('create database fulldisk');
        await server.sql("create table t (id int primary key, junk text); insert into t select i, repeat(md5(i::text), 8) from generate_series(1, 20000) i", 'fulldisk');
        const staging = join(ws.dir, 'staging');
        mkdirSync(staging);
        // globals: true stages the dump (a tar of globals.sql and the database's dump).
        ws.writePlan({ url: server.url('fulldisk'), globals: true }, { hooks: { pre_backup: [fill(staging)] } });
        const result = await backupOnSmallStaging(ws.plan, staging, '32m', ws.env);
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toMatch(/PostgreSQL source "pg": staging the dump failed: pg_dump(all)? failed \(exit 1\): .*No space left on device/);
        expect(result.stderr).toContain(`hint: The disk holding the staging folder ${staging} is full`);
        noStack(result);
        expect(json<{ backups: unknown[] }>(await ws.cli('list', '--json')).backups).toEqual([]);
      } finally {
        ws.cleanup();
      }
    });
  });
});
