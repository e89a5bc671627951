/**
 * Signed manifests through the CLI: a plan that pins signing.public_key backs
 * up, verifies and restores; a backup forged on the targets (an artifact
 * swapped and the manifest rewritten to match, the signature removed, or
 * signed with another key) is refused with exit 5 by verify, restore and
 * drill, and the live data stays as it was.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { plantSecret } from '../helpers/leaks.js';
import { treeOf } from '../helpers/tree.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
let key: string;
let publicKey: string;
const TARGETS = ['nas', 'usb', 'cloud'];

beforeEach(() => {
  ws = makeWorkspace({ assets: 3 });
  key = join(ws.dir, 'signing');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'backups@test', '-f', key]);
  publicKey = readFileSync(`${key}.pub`, 'utf8').trim();
  for (const line of readFileSync(key, 'utf8').split('\n')) if (line && !line.startsWith('-----')) plantSecret(line);
  ws.writePlan({ ...basePlan(ws.dir), signing: { public_key: publicKey } });
});
afterEach(() => ws.cleanup());

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--plan', ws.plan], { env: { RESTORABLE_SIGNING_KEY: '', ...env } });
const backup = async () => {
  const result = await cli(['backup', '--json'], { RESTORABLE_SIGNING_KEY: readFileSync(key, 'utf8') });
  expect(result.code, result.stderr).toBe(0);
  return json<{ id: string }>(result).id;
};
const folder = (target: string, id: string) => join(ws.target(target), 'testapp', id);
const users = () => {
  const db = new Database(ws.db, { readonly: true });
  try {
    return db.prepare('select name from users order by id').all();
  } finally {
    db.close();
  }
};

/** The check the README gives for doing it by hand. */
function sshVerify(dir: string): ReturnType<typeof spawnSync> {
  writeFileSync(join(ws.dir, 'allowed_signers'), `restorable ${publicKey}\n`);
  return spawnSync('ssh-keygen', ['-Y', 'verify', '-f', join(ws.dir, 'allowed_signers'), '-I', 'restorable', '-n', 'restorable-manifest', '-s', join(dir, 'manifest.json.sig')], {
    input: readFileSync(join(dir, 'manifest.json')),
    encoding: 'utf8',
  });
}

describe('signed manifests', () => {
  it('a signing plan backs up, verifies and restores, and ssh-keygen -Y verify accepts every manifest', async () => {
    const before = users();
    // The key given as a path works as well as the key itself.
    const result = await cli(['backup', '--json'], { RESTORABLE_SIGNING_KEY: key });
    expect(result.code, result.stderr).toBe(0);
    const id = json<{ id: string }>(result).id;
    expect(result.stdout + result.stderr).not.toContain(readFileSync(key, 'utf8').split('\n')[1]);
    for (const target of TARGETS) {
      const check = sshVerify(folder(target, id));
      expect(check.status, String(check.stderr)).toBe(0);
      expect(String(check.stdout)).toContain('Good "restorable-manifest" signature for restorable');
    }
    const verify = await cli(['verify']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/nas: .*: ok/);
    const list = json<{ backups: { copies: { target: string; counted: boolean; note: string }[] }[] }>(await cli(['list', '--json']));
    expect(list.backups[0]!.copies.map((c) => [c.target, c.counted, c.note])).toEqual(TARGETS.map((t) => [t, true, '']));

    const db = new Database(ws.db);
    db.prepare("update users set name = 'changed after the backup'").run();
    db.close();
    const restore = await cli(['restore', '--source', 'db']);
    expect(restore.code, restore.stderr).toBe(0);
    expect(users()).toEqual(before);
    const drill = await cli(['drill']);
    expect(drill.code, drill.stderr).toBe(0);
  });

  it('backing up without the private key is a usage error (exit 2) before anything is written', async () => {
    const result = await cli(['backup']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/The plan signs its manifests \(signing\.public_key SHA256:[A-Za-z0-9+/]+\), but RESTORABLE_SIGNING_KEY is not set; nothing was backed up\./);
    expect(result.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    for (const target of TARGETS) expect(existsSync(join(ws.target(target), 'testapp'))).toBe(false);
    const other = join(ws.dir, 'other');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const wrong = await cli(['backup'], { RESTORABLE_SIGNING_KEY: other });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/RESTORABLE_SIGNING_KEY holds the key SHA256:\S+, but the plan pins SHA256:/);
  });

  it('a generated backup workflow passes RESTORABLE_SIGNING_KEY from a secret; drill and restore jobs get no signing key', async () => {
    const result = await runCli(['workflow', '--plan', ws.plan, '--out', 'wf'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    const env = (file: string, job: string) => (parse(readFileSync(join(ws.dir, 'wf', file), 'utf8')) as { jobs: Record<string, { steps: { env?: Record<string, string> }[] }> }).jobs[job]!.steps.find((s) => s.env)?.env ?? {};
    expect(env('restorable-testapp-backup.yml', 'backup')).toMatchObject({ RESTORABLE_SIGNING_KEY: '${{ secrets.RESTORABLE_SIGNING_KEY }}' });
    expect(env('restorable-testapp-drill.yml', 'drill')).not.toHaveProperty('RESTORABLE_SIGNING_KEY');
  });

  it('a plan with a malformed public key is refused by validate', async () => {
    ws.writePlan({ ...basePlan(ws.dir), signing: { public_key: `ssh-ed25519 ${'A'.repeat(40)}` } });
    const result = await cli(['validate']);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toMatch(/signing\.public_key|this is not a usable signing key/);
  });

  type Forgery = (id: string) => void;
  /** A different database (a user renamed "mallory"), compressed, with every manifest rewritten to match it. */
  const swapArtifact: Forgery = (id) => {
    const forged = join(ws.dir, 'forged.sqlite');
    const live = new Database(ws.db, { readonly: true });
    live.exec(`vacuum into '${forged}'`);
    live.close();
    const db = new Database(forged);
    db.prepare("update users set name = 'mallory'").run();
    db.close();
    execFileSync('zstd', ['-q', '-f', forged, '-o', `${forged}.zst`]);
    const bytes = readFileSync(`${forged}.zst`);
    for (const target of TARGETS) {
      writeFileSync(join(folder(target, id), 'db.sqlite.zst'), bytes);
      const manifest = JSON.parse(readFileSync(join(folder(target, id), 'manifest.json'), 'utf8'));
      Object.assign(manifest.sources.find((s: { name: string }) => s.name === 'db').artifact, { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
      writeFileSync(join(folder(target, id), 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    }
  };
  const forgeries: [string, Forgery, RegExp][] = [
    ['artifact swapped, manifest rewritten, old signature kept', swapArtifact, /has a bad signature: it does not match the manifest/],
    [
      'artifact swapped and the signature removed',
      (id) => {
        swapArtifact(id);
        for (const target of TARGETS) rmSync(join(folder(target, id), 'manifest.json.sig'));
      },
      /is not signed \(no manifest\.json\.sig\), and the plan requires signed manifests/,
    ],
    [
      'artifact swapped and signed again with another key',
      (id) => {
        swapArtifact(id);
        const other = join(ws.dir, 'mallory');
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
        for (const target of TARGETS) {
          rmSync(join(folder(target, id), 'manifest.json.sig'));
          execFileSync('ssh-keygen', ['-q', '-Y', 'sign', '-n', 'restorable-manifest', '-f', other, join(folder(target, id), 'manifest.json')], { stdio: 'ignore' });
        }
      },
      /has a bad signature: it is signed by another key \(SHA256:\S+\), not the plan's SHA256:/,
    ],
  ];

  it.each(forgeries)('%s: verify, restore and drill refuse it (exit 5), live data untouched', async (_name, forge, why) => {
    const id = await backup();
    forge(id);
    const live = await treeOf(join(ws.dir, 'app'));
    const verify = await cli(['verify']);
    expect(verify.code, verify.stderr).toBe(5);
    expect(verify.stdout).toMatch(new RegExp(`nas: ${id}: DAMAGED`));
    expect(verify.stdout).toMatch(new RegExp(`The manifest of backup ${id} on target "nas" ${why.source}`));
    for (const command of ['restore', 'drill']) {
      const result = await cli([command]);
      expect(result.code, `${command}: ${result.stderr}`).toBe(5);
      expect(result.stderr).toMatch(new RegExp(`The manifest of backup ${id} on target "(nas|usb|cloud)" ${why.source}`));
      expect(result.stderr).not.toMatch(/internal error/);
    }
    expect(await treeOf(join(ws.dir, 'app'))).toEqual(live);
    expect(users().some((u) => (u as { name: string }).name === 'mallory')).toBe(false);
    const list = json<{ backups: { copies: { target: string; counted: boolean; note: string }[] }[] }>(await cli(['list', '--json']));
    const state = why.source.includes('not signed') ? 'unsigned' : 'bad signature';
    expect(list.backups[0]!.copies.map((c) => [c.target, c.counted, c.note])).toEqual(TARGETS.map((t) => [t, false, state]));
  });

  it('without signing in the plan the same swap passes verify: the signature is what catches it', async () => {
    const id = await backup();
    swapArtifact(id);
    ws.writePlan(basePlan(ws.dir));
    expect((await cli(['verify'])).code).toBe(0);
  });

  it('a forged copy on one target does not stop a restore from a signed copy on another', async () => {
    const before = users();
    const id = await backup();
    const manifest = join(folder('nas', id), 'manifest.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"trigger": "local"', '"trigger": "forged"'));
    const db = new Database(ws.db);
    db.prepare("update users set name = 'changed'").run();
    db.close();
    const restore = await cli(['restore', '--source', 'db']);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(new RegExp(`The manifest of backup ${id} on target "nas" has a bad signature.*Trying the copy on target "usb"`));
    expect(users()).toEqual(before);
  });
});
