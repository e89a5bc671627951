/**
 * The restored copy is flushed to disk (syncfs, `sync -f`) before any rename
 * makes it live: a disk that fails that flush stops the restore with exit 1
 * and a hint, and the live data is as it was. The failing disk is a `sync`
 * on PATH that reports an I/O error, as coreutils' does on a failing disk;
 * the strace run proves the real one is called on the build, before the swap.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli, noStackTrace } from '../helpers/cli.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

describe('a restore makes its build durable before the swap', () => {
  it('a failing flush: exit 1 with a hint, live data untouched', async () => {
    const backup = await runCli(['backup', '--plan', ws.plan, '--json']);
    expect(backup.code, backup.stderr).toBe(0);
    const id = json<{ id: string }>(backup).id;
    writeFileSync(join(ws.uploads, 'after-backup.txt'), 'written after the backup');
    const before = readFileSync(ws.db);
    const bin = join(ws.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'sync'), '#!/bin/sh\necho "sync: error syncing \'$2\': Input/output error" >&2\nexit 1\n');
    chmodSync(join(bin, 'sync'), 0o755);
    const result = await runCli(['restore', '--plan', ws.plan, '--backup', id], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(result.code, result.stderr).toBe(1);
    noStackTrace(result);
    expect(result.stderr).toMatch(/Could not flush the restored copy at .* to disk \(sync -f\): sync: error syncing .*Input\/output error; live data was not touched/);
    expect(readFileSync(ws.db).equals(before)).toBe(true);
    expect(readFileSync(join(ws.uploads, 'after-backup.txt'), 'utf8')).toBe('written after the backup');
  });

  it('calls syncfs on each build before the first rename', async () => {
    const backup = await runCli(['backup', '--plan', ws.plan]);
    expect(backup.code, backup.stderr).toBe(0);
    const trace = join(ws.dir, 'trace');
    execFileSync('strace', ['-f', '-qq', '-e', 'trace=syncfs,rename,renameat,renameat2', '-o', trace, process.execPath, join(import.meta.dirname, '..', '..', 'dist', 'cli.js'), 'restore', '--plan', ws.plan], { stdio: 'ignore' });
    const calls = readFileSync(trace, 'utf8').split('\n').filter((l) => /syncfs\(|rename/.test(l) && !/resumed/.test(l));
    const firstSync = calls.findIndex((l) => l.includes('syncfs('));
    const firstLiveRename = calls.findIndex((l) => /rename.*restorable-restore-point/.test(l));
    expect(firstSync).toBeGreaterThanOrEqual(0);
    expect(firstLiveRename).toBeGreaterThan(firstSync);
    expect(calls.filter((l) => l.includes('syncfs(')).length).toBeGreaterThanOrEqual(2);
  });
});
