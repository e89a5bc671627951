/**
 * Nothing left behind by runs killed with -9 (issue 12 item 5): an encrypted
 * plan's backup is killed at random moments again and again, then run once
 * more. Staging never holds a folder others can enter (the SQLite snapshot
 * in it is plain), the next run clears the dead runs' staging folders and
 * what they left on the targets, and `list` shows exactly the complete backups.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, json, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let keyDir: string;
beforeEach(() => {
  ws = makeWorkspace();
  keyDir = mkdtempSync(join(tmpdir(), 'restorable-key-'));
  execFileSync('age-keygen', ['-o', join(keyDir, 'key.txt')], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', join(keyDir, 'key.txt')], { encoding: 'utf8' }).trim();
  ws.writePlan({ ...basePlan(ws.dir), encryption: { age_recipients: [recipient] } });
  // Incompressible, so the upload takes long enough for kills to land in every step.
  writeFileSync(join(ws.uploads, 'video.bin'), randomBytes(12 << 20));
});
afterEach(() => {
  ws.cleanup();
  rmSync(keyDir, { recursive: true, force: true });
});

const TARGETS = ['nas', 'usb', 'cloud'];
const STEPS = ['> preflight', '> snapshot db', '> snapshot uploads', '> verify', '> commit'];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Staging folders that others could enter, each with what it holds. */
function openToOthers(staging: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(staging)) {
    try {
      const mode = statSync(join(staging, name)).mode & 0o777;
      if ((mode & 0o077) !== 0) found.push(`${name} (${mode.toString(8)})`);
    } catch {
      // removed meanwhile
    }
  }
  return found;
}

describe('runs killed with -9 leave nothing behind', () => {
  it('10 kills of an encrypted backup at random moments, then one backup: no staging leftovers, no temp files, list is right', async () => {
    const staging = join(ws.dir, 'staging');
    const exposed: string[] = [];
    let leftBehind = 0;
    let clearedSaid = 0;
    for (let round = 0; round < 10; round++) {
      const child = spawn(process.execPath, [CLI, 'backup', '--plan', ws.plan, '--staging', staging], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      // A random step, then a random moment within it: kills land everywhere from the lock to the commit.
      const step = STEPS[Math.floor(Math.random() * STEPS.length)]!;
      let killAt = Date.now() + 20_000;
      let done = false;
      void closed.then(() => (done = true));
      while (!done && Date.now() < killAt) {
        if (killAt - Date.now() > 5_000 && stderr.includes(step)) killAt = Date.now() + Math.random() * 400;
        if (existsSync(staging)) exposed.push(...openToOthers(staging));
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGKILL');
      await closed;
      if (/Cleared/.test(stderr)) clearedSaid++;
      if (existsSync(staging)) leftBehind += readdirSync(staging).length;
    }
    expect(exposed).toEqual([]);
    // The trial proves something only if some kill left staging behind.
    expect(leftBehind, 'no kill left a staging folder').toBeGreaterThan(0);

    const last = await runCli(['backup', '--plan', ws.plan, '--staging', staging, '--json']);
    expect(last.code, last.stderr).toBe(0);
    if (/Cleared/.test(last.stderr)) clearedSaid++;
    expect(clearedSaid, 'no run said what it cleared').toBeGreaterThan(0);
    expect(readdirSync(staging)).toEqual([]);
    const id = json<{ id: string }>(last).id;

    for (const t of TARGETS) {
      const files = filesUnder(ws.target(t));
      expect(files.filter((f) => basename(f).startsWith('.restorable-tmp-')), t).toEqual([]);
      expect(existsSync(join(ws.target(t), 'testapp', 'locks')) ? readdirSync(join(ws.target(t), 'testapp', 'locks')) : [], t).toEqual([]);
      // Every backup folder left is complete: dead runs' incomplete ones were cleared, empty ones too (a kill between mkdir and the first write).
      const folders = readdirSync(join(ws.target(t), 'testapp')).filter((n) => n !== 'locks');
      for (const folder of folders) expect(readdirSync(join(ws.target(t), 'testapp', folder)), `${t}/${folder}`).toContain('manifest.json');
      // No artifact sits in plain: the plan encrypts.
      for (const file of files) if (!/manifest\.json$|drill\.json$/.test(file)) expect(readFileSync(file).subarray(0, 21).toString(), file).toBe('age-encryption.org/v1');
    }
    const listed = json<{ backups: { id: string; targets: string[] }[] }>(await runCli(['list', '--plan', ws.plan, '--json'])).backups;
    const complete = readdirSync(join(ws.target('nas'), 'testapp')).filter((n) => n !== 'locks').sort();
    expect(listed.map((b) => b.id).sort()).toEqual(complete);
    expect(listed.find((b) => b.id === id)?.targets).toEqual(TARGETS);
  }, 180_000);

  it("a write probe a killed run left at a target's root goes with the next run on this host; another host's stays", async () => {
    const host = hostname().replace(/[^A-Za-z0-9.]/g, '_');
    const gone = spawn('true');
    await new Promise((resolve) => gone.once('exit', resolve));
    const dead = join(ws.target('nas'), `.restorable-tmp-probe-${host}-${gone.pid}-deadbeef`);
    const other = join(ws.target('nas'), `.restorable-tmp-probe-some-other-host-${gone.pid}-deadbeef`);
    writeFileSync(dead, 'restorable write probe\n');
    writeFileSync(other, 'restorable write probe\n');
    const run = await runCli(['backup', '--plan', ws.plan]);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(other)).toBe(true);
  });
});
