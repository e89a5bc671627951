/**
 * Encrypted backups through the real CLI and the real `age` tool: what we
 * write, `age -d` opens; what `age -r` writes, we restore; a missing or wrong
 * key, a flipped byte or a truncated artifact is caught before anything is
 * touched (no pre_restore hook runs, the app folder is byte for byte the same).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { plantSecret } from '../helpers/leaks.js';
import { requireService } from '../helpers/net.js';
import { treeOf } from '../helpers/tree.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

requireService('the age tool', spawnSync('age', ['--version']).status === 0, 'apt-get install -y age');

const PASSPHRASE = 'tall-orange-kettle-under-9-moons';
let ws: Workspace;
let keyFile: string;
let identity: string;
let recipient: string;
let keys: string;

function newKey(dir: string, name: string): { file: string; identity: string; recipient: string } {
  const file = join(dir, name);
  execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' });
  const id = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
  plantSecret(id);
  return { file, identity: id, recipient: execFileSync('age-keygen', ['-y', file], { encoding: 'utf8' }).trim() };
}

beforeAll(() => {
  keys = mkdtempSync(join(tmpdir(), 'restorable-keys-'));
  ({ file: keyFile, identity, recipient } = newKey(keys, 'key.txt'));
  plantSecret(PASSPHRASE);
});
beforeEach(() => {
  ws = makeWorkspace({ assets: 6 });
  ws.writePlan(encryptedPlan({ age_recipients: [recipient] }));
});
afterEach(() => ws.cleanup());
afterAll(() => {
  if (keys) rmSync(keys, { recursive: true, force: true });
});

function encryptedPlan(encryption: Record<string, unknown>): Record<string, unknown> {
  return { ...basePlan(ws.dir), encryption, hooks: { pre_restore: [{ command: ['touch', join(ws.dir, 'pre-restore-ran')] }] } };
}

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--plan', ws.plan], { env });
const withKey = () => ({ RESTORABLE_AGE_IDENTITY: keyFile });

async function backupId(env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await cli(['backup', '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return json<{ id: string }>(result).id;
}

const copies = (id: string, file: string) => ['nas', 'usb', 'cloud'].map((t) => join(ws.target(t), 'testapp', id, file));
const users = () => {
  const db = new Database(ws.db, { readonly: true });
  try {
    return (db.prepare('select email from users order by id').all() as { email: string }[]).map((r) => r.email);
  } finally {
    db.close();
  }
};

async function appState(): Promise<Record<string, string>> {
  const tree = await treeOf(join(ws.dir, 'app'));
  for (const [path, entry] of Object.entries(tree)) if (path.endsWith('-shm')) tree[path] = entry.replace(/^(file \d+) \d+/, '$1');
  return tree;
}

/** Replaces an artifact on every target, with the manifests updated to match (as a re-encryption by hand would). */
function replaceArtifact(id: string, file: string, bytes: Buffer): void {
  const sha = createHash('sha256').update(bytes).digest('hex');
  for (const t of ['nas', 'usb', 'cloud']) {
    const dir = join(ws.target(t), 'testapp', id);
    writeFileSync(join(dir, file), bytes);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    Object.assign(manifest.sources.find((s: { artifact: { file: string } }) => s.artifact.file === file).artifact, { sha256: sha, bytes: bytes.length });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }
}

describe('encrypted backups', () => {
  it('writes .age artifacts that the age tool opens; the manifest holds only the public key', async () => {
    const id = await backupId();
    const dir = join(ws.target('nas'), 'testapp', id);
    expect(readdirSync(dir).sort()).toEqual(['db.sqlite.zst.age', 'manifest.json', 'uploads.tar.zst.age']);
    const manifestText = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(manifestText);
    expect(manifest.sources[0].artifact.encryption).toEqual({ format: 'age', mode: 'recipients', recipients: [recipient] });
    expect(manifestText).not.toContain('AGE-SECRET-KEY');

    // The README's commands: age -d -i key.txt db.sqlite.zst.age | zstd -d > db.sqlite
    const out = join(ws.dir, 'manual');
    mkdirSync(out);
    execFileSync('age', ['-d', '-i', keyFile, '-o', join(out, 'db.sqlite.zst'), join(dir, 'db.sqlite.zst.age')]);
    execFileSync('zstd', ['-q', '-d', join(out, 'db.sqlite.zst'), '-o', join(out, 'db.sqlite')]);
    const copy = new Database(join(out, 'db.sqlite'), { readonly: true });
    expect((copy.prepare('select email from users order by id').all() as { email: string }[]).map((r) => r.email)).toEqual(users());
    copy.close();
    execFileSync('age', ['-d', '-i', keyFile, '-o', join(out, 'uploads.tar.zst'), join(dir, 'uploads.tar.zst.age')]);
    execFileSync('zstd', ['-q', '-d', join(out, 'uploads.tar.zst'), '-o', join(out, 'uploads.tar')]);
    mkdirSync(join(out, 'files'));
    execFileSync('tar', ['-x', '-f', join(out, 'uploads.tar'), '-C', join(out, 'files')]);
    expect(readFileSync(join(out, 'files', 'ada', 'IMG_0003.jpg')).equals(readFileSync(join(ws.uploads, 'ada', 'IMG_0003.jpg')))).toBe(true);
  });

  it('restores and drills with RESTORABLE_AGE_IDENTITY, checked by content', async () => {
    const before = users();
    const original = await treeOf(ws.uploads);
    await backupId();
    const db = new Database(ws.db);
    db.exec("update users set email = 'changed-' || id");
    db.close();
    writeFileSync(join(ws.uploads, 'ada', 'IMG_0003.jpg'), 'overwritten');
    const restore = await cli(['restore', '--json'], withKey());
    expect(restore.code, restore.stderr).toBe(0);
    expect(users()).toEqual(before);
    const restored = await treeOf(ws.uploads);
    expect(restored['ada/IMG_0003.jpg']).toBe(original['ada/IMG_0003.jpg']);
    const drill = await cli(['drill'], { RESTORABLE_AGE_IDENTITY: identity });
    expect(drill.code, drill.stderr).toBe(0);
  });

  it('no identity, or a wrong one: exit 9 before any hook runs or anything is touched', async () => {
    await backupId();
    const before = await appState();
    const none = await cli(['restore']);
    expect(none.code).toBe(9);
    expect(none.stderr).toMatch(/db\.sqlite\.zst\.age of backup .* is encrypted with age to age1\w+, and no identity was given/);
    expect(none.stderr).toMatch(/hint: Set RESTORABLE_AGE_IDENTITY/);
    const other = newKey(ws.dir, 'other.txt');
    const wrong = await cli(['restore'], { RESTORABLE_AGE_IDENTITY: other.identity });
    expect(wrong.code).toBe(9);
    expect(wrong.stderr).toMatch(/cannot be decrypted with the key given/);
    expect(wrong.stderr + wrong.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(existsSync(join(ws.dir, 'pre-restore-ran'))).toBe(false);
    expect(await appState()).toEqual(before);
  });

  it('a flipped byte in the middle, or a truncated artifact, on every copy: exit 5, nothing touched', async () => {
    const id = await backupId();
    const before = await appState();
    for (const path of copies(id, 'db.sqlite.zst.age')) {
      const bytes = readFileSync(path);
      bytes[bytes.length >> 1]! ^= 0x40;
      writeFileSync(path, bytes);
    }
    const flipped = await cli(['restore'], withKey());
    expect(flipped.code).toBe(5);
    expect(flipped.stderr).toMatch(/db\.sqlite\.zst\.age of backup .* is damaged/);
    for (const path of copies(id, 'uploads.tar.zst.age')) truncateSync(path, statSync(path).size - 100);
    const truncated = await cli(['restore', '--source', 'uploads'], withKey());
    expect(truncated.code).toBe(5);
    expect(truncated.stderr).toMatch(/uploads\.tar\.zst\.age of backup .* is damaged: read \d+ bytes/);
    expect(existsSync(join(ws.dir, 'pre-restore-ran'))).toBe(false);
    expect(await appState()).toEqual(before);
  });

  it('an artifact re-encrypted by the age tool (age -r) restores through restorable', async () => {
    const id = await backupId();
    const before = users();
    const work = join(ws.dir, 'reencrypt');
    mkdirSync(work);
    execFileSync('age', ['-d', '-i', keyFile, '-o', join(work, 'db.sqlite.zst'), copies(id, 'db.sqlite.zst.age')[0]!]);
    execFileSync('age', ['-r', recipient, '-o', join(work, 'db.sqlite.zst.age'), join(work, 'db.sqlite.zst')]);
    const theirs = readFileSync(join(work, 'db.sqlite.zst.age'));
    expect(theirs.equals(readFileSync(copies(id, 'db.sqlite.zst.age')[0]!))).toBe(false);
    replaceArtifact(id, 'db.sqlite.zst.age', theirs);
    const db = new Database(ws.db);
    db.exec("update users set email = 'changed-' || id");
    db.close();
    const restore = await cli(['restore', '--source', 'db'], withKey());
    expect(restore.code, restore.stderr).toBe(0);
    expect(users()).toEqual(before);
  });

  it('verify --deep decrypts and decompresses every copy; it needs the key, and catches what sha256 alone cannot', async () => {
    const id = await backupId();
    const shallow = await cli(['verify']);
    expect(shallow.code, shallow.stderr).toBe(0);
    const deep = await cli(['verify', '--deep', '--json'], withKey());
    expect(deep.code, deep.stderr).toBe(0);
    const copiesReport = json<{ copies: { target: string; artifacts: { file: string; decoded_bytes: number }[] }[] }>(deep).copies;
    expect(copiesReport.map((c) => c.target)).toEqual(['nas', 'usb', 'cloud']);
    // The decoded database is whole SQLite pages (4096 bytes each here).
    const decoded = copiesReport[0]!.artifacts.find((a) => a.file === 'db.sqlite.zst.age')!.decoded_bytes;
    expect(decoded).toBeGreaterThan(0);
    expect(decoded % 4096).toBe(0);
    expect((await cli(['verify', '--deep'])).code).toBe(9);
    // Damage with the manifest rewritten to match: the sha256 check passes, age's authentication does not.
    const bytes = readFileSync(copies(id, 'uploads.tar.zst.age')[0]!);
    bytes[bytes.length - 40]! ^= 0x01;
    replaceArtifact(id, 'uploads.tar.zst.age', bytes);
    expect((await cli(['verify'])).code).toBe(0);
    const caught = await cli(['verify', '--deep'], withKey());
    expect(caught.code).toBe(5);
    expect(caught.stdout).toMatch(/nas: .*: DAMAGED: uploads\.tar\.zst\.age/);
    expect(caught.stdout).toMatch(/uploads\.tar\.zst\.age: DAMAGED: The artifact uploads\.tar\.zst\.age of backup .* is not a sound age file/);
  });

  it('passphrase mode: restores with the plan passphrase, refuses another (exit 9), and a passphrase in clear is a plan error', async () => {
    ws.writePlan(encryptedPlan({ passphrase: '${BACKUP_PASSPHRASE}', scrypt_work_factor: 12 }));
    const before = users();
    const id = await backupId({ BACKUP_PASSPHRASE: PASSPHRASE });
    const manifest = readFileSync(join(ws.target('usb'), 'testapp', id, 'manifest.json'), 'utf8');
    expect(JSON.parse(manifest).sources[0].artifact.encryption).toEqual({ format: 'age', mode: 'passphrase', recipients: [] });
    expect(manifest).not.toContain(PASSPHRASE);
    const db = new Database(ws.db);
    db.exec("update users set email = 'changed-' || id");
    db.close();
    const wrong = await cli(['restore'], { BACKUP_PASSPHRASE: 'another-passphrase-entirely' });
    expect(wrong.code).toBe(9);
    expect(wrong.stderr).toMatch(/passphrase differs/);
    expect(users()).toEqual(['changed-1', 'changed-2', 'changed-3']);
    const restore = await cli(['restore'], { BACKUP_PASSPHRASE: PASSPHRASE });
    expect(restore.code, restore.stderr).toBe(0);
    expect(users()).toEqual(before);

    ws.writePlan(encryptedPlan({ passphrase: PASSPHRASE }));
    const literal = await cli(['validate']);
    expect(literal.code).toBe(2);
    expect(literal.stderr).toMatch(/encryption\.passphrase: the passphrase is written in clear/);
    ws.writePlan(encryptedPlan({ passphrase: '${SHORT_PASS}' }));
    const short = await cli(['validate'], { SHORT_PASS: 'abc12345' });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/shorter than 12 characters/);
  });
});
