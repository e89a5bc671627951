/**
 * Nothing lost when a run is cut short: a full disk, Ctrl-C, a killed
 * process. No partial backup is ever listed, no temporary file is left on a
 * target, and the next prune clears what a crash left behind.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, json, runCli } from '../helpers/cli.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

describe('cut short', () => {
  it('a full target drops out with the reason and leaves no partial file; the others carry the backup', async () => {
    writeFileSync(join(ws.uploads, 'big.bin'), randomBytes(2 << 20)); // incompressible, larger than the tmpfs
    const usb = ws.target('usb');
    mkdirSync(usb, { recursive: true });
    // A 512 KiB tmpfs as the usb target, in a private mount namespace (works with or without root).
    const script = 'mount -t tmpfs -o size=512k tmpfs "$1" && "$2" "$3" backup --plan "$4"; code=$?; echo "--- files:"; find "$1" -type f; exit $code';
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('unshare', ['-rm', 'sh', '-c', script, 'sh', usb, process.execPath, CLI, ws.plan], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c));
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    expect(result.stderr).toMatch(/Target "usb" dropped out: .*ENOSPC.*The disk is full/);
    expect(result.stdout.split('--- files:')[1]!.trim()).toBe(''); // nothing left on the full disk
    expect(result.code, result.stderr).toBe(0); // live + nas + cloud still make 3-2-1
    const listed = json<{ backups: { targets: string[] }[] }>(await runCli(['list', '--plan', ws.plan, '--json']));
    expect(listed.backups.map((b) => b.targets)).toEqual([['nas', 'cloud']]);
  });

  it('Ctrl-C mid-backup: exit 130, nothing listed, no temporary files, staging cleaned', async () => {
    writeFileSync(join(ws.uploads, 'big.bin'), randomBytes(256 << 20));
    const staging = join(ws.dir, 'staging');
    const child = spawn(process.execPath, [CLI, 'backup', '--plan', ws.plan, '--staging', staging], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = false; // a second Ctrl-C is the user's forced exit: send one
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
      if (!sent && stderr.includes('> snapshot uploads')) sent = child.kill('SIGINT');
    });
    const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? -1)));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Interrupted/);
    for (const t of ['nas', 'usb', 'cloud']) expect(filesUnder(ws.target(t))).toEqual([]);
    expect(readdirSync(staging)).toEqual([]);
    expect(json<{ backups: unknown[] }>(await runCli(['list', '--plan', ws.plan, '--json'])).backups).toEqual([]);
  });

  it('what a killed run left (no manifest) is never listed, and prune clears it once a day old', async () => {
    const old = join(ws.target('nas'), 'testapp', '20200101T000000Z-v1.0.0-abcdef');
    const recent = join(ws.target('nas'), 'testapp', `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z/, 'Z')}-v1.0.0-fedcba`);
    for (const dir of [old, recent]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'db.sqlite.zst'), 'half an artifact');
    }
    expect(json<{ backups: unknown[] }>(await runCli(['list', '--plan', ws.plan, '--json'])).backups).toEqual([]);
    const prune = await runCli(['prune', '--plan', ws.plan]);
    expect(prune.code, prune.stderr).toBe(0);
    expect(prune.stdout).toMatch(/cleared incomplete 20200101T000000Z-v1\.0\.0-abcdef/);
    expect(readdirSync(join(ws.target('nas'), 'testapp'))).toEqual([recent.split('/').pop()]);
  });
});
