/**
 * Full disks and bombs are answers, not bugs: a restore checks for room
 * before it starts (by the decoded sizes the manifest records), a disk that
 * fills anyway is exit 1 naming the place and the room needed, and an
 * artifact that decodes past its recorded size is stopped (exit 5) long
 * before it fills anything. The live data stays as it was. The small disks
 * are tmpfs mounts in a private mount namespace (unshare -rm).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, json, runCli, type CliResult, noStackTrace } from '../helpers/cli.js';
import { forgePacked } from '../helpers/forge.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan]);

async function backupId(): Promise<string> {
  const result = await cli('backup', '--json');
  expect(result.code, result.stderr).toBe(0);
  return json<{ id: string }>(result).id;
}

interface Boxed extends CliResult {
  /** sha256 of every live file (but -shm) before and after the command, and what is left beside the live data. */
  before: string;
  after: string;
  left: string[];
}

/**
 * Runs `restorable ARGS` with the app folder on a tmpfs of `size` holding a
 * copy of the live data: only inside the namespace is it full, so the state
 * is read there too.
 */
function onSmallDisk(size: string, ...args: string[]): Promise<Boxed> {
  const saved = mkdtempSync(join(ws.dir, 'saved-'));
  const script = `
app="$1"; saved="$2"; size="$3"; shift 3
cp -a "$app/." "$saved/" && mount -t tmpfs -o size="$size" tmpfs "$app" && cp -a "$saved/." "$app/" || exit 99
state() { (cd "$app" && find . -type f ! -name '*-shm' ! -name '.*' -exec sha256sum {} + | sort | sha256sum); }
before=$(state)
"$@"; code=$?
echo "--- before $before"; echo "--- after $(state)"; echo "--- left"; find "$app" -maxdepth 2 -name '.*.restorable-new-*' 
exit $code`;
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-rm', 'sh', '-c', script, 'sh', join(ws.dir, 'app'), saved, size, process.execPath, CLI, ...args, '--plan', ws.plan], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.once('close', (code) => {
      const part = (name: string) => stdout.split(`--- ${name}`)[1]?.split('\n---')[0]?.trim() ?? '';
      resolve({ code: code ?? -1, stdout, stderr, before: part('before'), after: part('after'), left: part('left').split('\n').filter(Boolean) });
    });
  });
}

/** What the app folder takes on a tmpfs (a page per started 4 KiB). */
function appBytes(): number {
  return readdirSync(join(ws.dir, 'app'), { recursive: true, withFileTypes: true }).reduce((sum, e) => sum + 4096 + (e.isFile() ? Math.ceil(statSync(join(e.parentPath, e.name)).size / 4096) * 4096 : 0), 0);
}

/** Drops decoded_bytes from every manifest copy: a backup made before it was recorded. */
function asOldManifest(id: string): void {
  for (const t of ['nas', 'usb', 'cloud']) {
    const path = join(ws.target(t), 'testapp', id, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    for (const source of manifest.sources) delete source.artifact.decoded_bytes;
    writeFileSync(path, JSON.stringify(manifest));
  }
}

describe('room for a restore', () => {
  it('records the decoded size of every artifact', async () => {
    const id = await backupId();
    const manifest = JSON.parse(readFileSync(join(ws.target('nas'), 'testapp', id, 'manifest.json'), 'utf8'));
    for (const source of manifest.sources) {
      const decoded = execFileSync('zstd', ['-q', '-d', '-c', join(ws.target('nas'), 'testapp', id, source.artifact.file)], { maxBuffer: 1 << 28 });
      expect(source.artifact.decoded_bytes, source.name).toBe(decoded.length);
    }
  });

  it('not enough room beside the live data: exit 1 before anything is written, naming the place and the room needed', async () => {
    writeFileSync(join(ws.uploads, 'big.bin'), randomBytes(4 << 20));
    await backupId();
    const result = await onSmallDisk('6m', 'restore', '--source', 'uploads');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/Not enough room to restore: source "uploads" needs about 4\.\d MiB in \S+\/app; that file system has \d\.\d MiB free\. Nothing was changed\./);
    expect(result.stderr).toMatch(/hint: Free about \d+\.\d MiB on the file system of \S+\/app/);
    noStackTrace(result);
    expect(result.before).toMatch(/^[0-9a-f]{64}/);
    expect(result.after).toBe(result.before);
    expect(result.left).toEqual([]);
  });

  it('restore --path is measured by the paths it builds: one small file fits where the whole source would not', async () => {
    const plan = basePlan(ws.dir);
    (plan.sources as { name: string; storage?: string }[]).find((s) => s.name === 'uploads')!.storage = 'repository';
    ws.writePlan(plan);
    writeFileSync(join(ws.uploads, 'big.bin'), randomBytes(4 << 20));
    writeFileSync(join(ws.uploads, 'small.txt'), 'as backed up\n');
    await backupId();
    writeFileSync(join(ws.uploads, 'small.txt'), 'changed since\n');
    const whole = await onSmallDisk('6m', 'restore', '--source', 'uploads');
    expect(whole.code, whole.stderr).toBe(1);
    expect(whole.stderr).toMatch(/Not enough room to restore: source "uploads" needs about 4\.\d MiB/);
    const part = await onSmallDisk('6m', 'restore', '--source', 'uploads', '--path', 'small.txt');
    expect(part.code, part.stderr).toBe(0);
    expect(part.stderr).not.toMatch(/Not enough room/);
    // The namespace's tmpfs is gone with it: what changed is seen in the state it printed (small.txt put back).
    expect(part.after).not.toBe(part.before);
    expect(part.left).toEqual([]);
  });

  it('a disk that fills during the restore (no recorded size to check first): exit 1 naming the place, never 70', async () => {
    writeFileSync(join(ws.uploads, 'big.bin'), randomBytes(4 << 20));
    asOldManifest(await backupId());
    const result = await onSmallDisk('6m', 'restore', '--source', 'uploads');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/The disk is full: source "uploads" needs more than 4\.\d MiB in \S+\/app, and the disk filled while restoring it\. The partial copy was removed; the live data was not touched\./);
    expect(result.stderr).not.toMatch(/internal error/);
    noStackTrace(result);
    expect(result.after).toBe(result.before);
    expect(result.left).toEqual([]);
  });

  it('a SQLite restore onto a full disk: exit 1 naming the place, the live database untouched', async () => {
    const db = new Database(ws.db);
    db.exec('create table blobs (b blob)');
    db.prepare('insert into blobs values (?)').run(randomBytes(3 << 20));
    db.exec('pragma wal_checkpoint(truncate)');
    db.close();
    asOldManifest(await backupId());
    // The live data fits with 1 MiB to spare; a second copy of the database beside it does not.
    const result = await onSmallDisk(`${Math.ceil(appBytes() / 1024) + 1024}k`, 'restore', '--source', 'db');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/The disk is full: source "db" needs more than [\d.]+ [KM]iB in \S+\/app/);
    noStackTrace(result);
    expect(result.after).toBe(result.before);
    expect(result.left).toEqual([]);
  });
});

/** A tar holding one file of `mib` MiB of zeros, zstd-compressed, made without writing it out whole. */
function zeroBomb(mib: number): Buffer {
  const out = join(ws.dir, 'bomb.tar.zst');
  execFileSync('python3', ['-c', `
import io, subprocess, sys, tarfile
class Zeros(io.RawIOBase):
    def __init__(self, n): self.left = n
    def readable(self): return True
    def readinto(self, b):
        n = min(len(b), self.left); b[:n] = bytes(n); self.left -= n; return n
size = int(sys.argv[2]) << 20
z = subprocess.Popen(['zstd', '-q', '-c', '-3'], stdin=subprocess.PIPE, stdout=open(sys.argv[1], 'wb'))
with tarfile.open(fileobj=z.stdin, mode='w|') as t:
    info = tarfile.TarInfo('zeros.bin'); info.size = size
    t.addfile(info, io.BufferedReader(Zeros(size)))
z.stdin.close(); sys.exit(z.wait())
`, out, String(mib)]);
  return readFileSync(out);
}

describe('decompression bombs', () => {
  it('200 MiB of zeros where the manifest says 1 MiB: stopped early with exit 5, nothing left, in restore and drill', async () => {
    const id = await backupId();
    const bomb = zeroBomb(200);
    expect(bomb.length).toBeLessThan(1 << 20);
    forgePacked(ws, id, 'uploads', bomb, 1 << 20);
    // On a 48 MiB disk: a restore that decoded on would fill it (exit 1), one that stops at 1 MiB does not.
    const result = await onSmallDisk('48m', 'restore', '--source', 'uploads');
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toMatch(/The artifact uploads\.tar\.zst decodes to more than the 1048576 bytes its manifest records; stopped before restoring it\./);
    noStackTrace(result);
    expect(result.after).toBe(result.before);
    expect(result.left).toEqual([]);
    const staging = mkdtempSync(join(ws.dir, 'staging-'));
    const drill = await cli('drill', '--source', 'uploads', '--staging', staging);
    expect(drill.code, drill.stderr).toBe(5);
    expect(drill.stderr).toMatch(/decodes to more than the 1048576 bytes/);
    expect(readdirSync(staging)).toEqual([]);
  });
});
