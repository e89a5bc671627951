/**
 * An encrypted repository: every object is an age file the `age` tool opens;
 * blob ids are keyed, so the sha256 of a known file appears nowhere on the
 * target; a backup in recipients mode needs no identity, even on a host
 * whose cache was lost (a new repository key: costs deduplication only).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { plantSecret } from '../helpers/leaks.js';
import { requireService } from '../helpers/net.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { exactTree, makeLibrary, objectsOf, packsOf, touchShare } from './helpers.js';

requireService('the age tool', spawnSync('age', ['--version']).status === 0, 'apt-get install -y age');

let ws: Workspace;
let keyFile: string;
let identity: string;
let recipient: string;
let cache: string;
let library: string;
let photos: string[];

beforeAll(async () => {
  ws = makeWorkspace();
  keyFile = join(ws.dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  identity = readFileSync(keyFile, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
  plantSecret(identity);
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  cache = mkdtempSync(join(tmpdir(), 'restorable-cache-'));
  library = join(ws.dir, 'library');
  photos = await makeLibrary(library, 30);
  const { restore: _checks, ...plan } = basePlan(ws.dir);
  ws.writePlan({ ...plan, sources: [{ name: 'library', type: 'files', path: 'library', storage: 'repository' }], encryption: { age_recipients: [recipient] } });
});
afterAll(() => {
  ws?.cleanup();
  rmSync(cache, { recursive: true, force: true });
});

const ageDecrypt = (file: string) => execFileSync('age', ['-d', '-i', keyFile, file], { maxBuffer: 64 * 1024 * 1024 });

describe('an encrypted repository', () => {
  it('is age files throughout, with keyed ids, restorable with the identity only', async () => {
    const backup = await runCli(['backup', '--plan', ws.plan, '--json'], { env: { RESTORABLE_CACHE_DIR: cache } });
    expect(backup.code, backup.stderr).toBe(0);
    const { id } = json<{ id: string }>(backup);
    const nas = ws.target('nas');
    const [pack] = packsOf(nas, 'testapp').files;
    const [index] = objectsOf(nas, 'testapp', 'index');
    const [key] = objectsOf(nas, 'testapp', 'keys');
    for (const object of [pack!, index!, key!, join(nas, 'testapp', id, 'library.snapshot.json.age')]) {
      expect(readFileSync(object).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
      expect(ageDecrypt(object).length).toBeGreaterThan(0);
    }
    const plainIndex = JSON.parse(ageDecrypt(index!).toString()) as { packs: { blobs: { id: string }[] }[] };
    const ids = new Set(plainIndex.packs.flatMap((p) => p.blobs.map((b) => b.id)));
    // notes.txt is one chunk: its sha256 would name its blob in an unkeyed repository.
    const known = createHash('sha256').update(readFileSync(join(library, 'notes.txt'))).digest('hex');
    expect(ids.has(known)).toBe(false);
    expect(ids.size).toBeGreaterThan(30);
    for (const dir of ['nas', 'usb', 'cloud']) {
      const everything = readdirSync(ws.target(dir), { recursive: true }).map(String).join('\n');
      expect(everything).not.toContain(known);
    }

    const before = await exactTree(library);
    const restore = await runCli(['restore', '--plan', ws.plan, '--source', 'library'], { env: { RESTORABLE_CACHE_DIR: cache, RESTORABLE_AGE_IDENTITY: identity } });
    expect(restore.code, restore.stderr).toBe(0);
    expect(await exactTree(library)).toEqual(before);

    const keyless = await runCli(['restore', '--plan', ws.plan, '--source', 'library'], { env: { RESTORABLE_CACHE_DIR: cache } });
    expect(keyless.code).toBe(9);
  });

  it('a partial restore reads only the age chunks it needs, each proven by its tag', async () => {
    const env = { RESTORABLE_CACHE_DIR: cache, RESTORABLE_AGE_IDENTITY: identity };
    const live = await exactTree(library);
    const want = Object.fromEntries(Object.entries(live).filter(([p]) => p.startsWith('upload/user1/2024-02')));
    expect(Object.keys(want).length).toBeGreaterThan(0);
    const out = join(ws.dir, 'partial-enc');
    const run = await runCli(['restore', '--plan', ws.plan, '--source', 'library', '--path', 'upload/user1/2024-02/**', '--into', out, '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const got = await exactTree(out);
    for (const [path, line] of Object.entries(want)) expect(got[path], path).toBe(line);
    const read = json<{ read: { packs: number; ranges: number; bytes: number } }>(run).read;
    const packs = packsOf(ws.target('nas'), 'testapp');
    expect(read.ranges, JSON.stringify(read)).toBeGreaterThan(0);
    expect(read.bytes, JSON.stringify(read)).toBeLessThan(packs.bytes / 4);
    rmSync(out, { recursive: true, force: true });

    // One byte changed in every 64 KiB of each data pack (over 1 MB; the tree packs are a few KB and read
    // whole) on the target read from: whichever chunk a range holds fails its tag, and the restore stops
    // before it is done, leaving no folder behind.
    const saved = packs.files.map((file) => [file, readFileSync(file)] as const).filter(([, bytes]) => bytes.length > 1_000_000);
    expect(saved.length).toBeGreaterThan(0);
    try {
      for (const [file, bytes] of saved) {
        const bad = Buffer.from(bytes);
        for (let at = 300; at < bad.length; at += 65536) bad[at]! ^= 0x40;
        writeFileSync(file, bad);
      }
      const damaged = await runCli(['restore', '--plan', ws.plan, '--source', 'library', '--target', 'nas', '--path', 'upload/user1/2024-02/**', '--into', out], { env });
      expect(damaged.code, damaged.stderr).toBe(5);
      expect(damaged.stderr).toMatch(/Pack [0-9a-f]{12} on target "nas" is damaged: .* \(payload chunk \d+\)/);
      expect(existsSync(out)).toBe(false);
    } finally {
      for (const [file, bytes] of saved) writeFileSync(file, bytes);
    }
  });

  it('backs up on a host that lost its cache, with a second key, and both snapshots restore', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'restorable-cache-'));
    try {
      const keysBefore = objectsOf(ws.target('nas'), 'testapp', 'keys').length;
      if (keysBefore === 0) expect((await runCli(['backup', '--plan', ws.plan], { env: { RESTORABLE_CACHE_DIR: cache } })).code).toBe(0);
      await touchShare(photos, 0.1);
      const backup = await runCli(['backup', '--plan', ws.plan, '--json'], { env: { RESTORABLE_CACHE_DIR: fresh } });
      expect(backup.code, backup.stderr).toBe(0);
      expect(objectsOf(ws.target('nas'), 'testapp', 'keys')).toHaveLength(Math.max(keysBefore, 1) + 1);
      const after = await exactTree(library);
      const { id } = json<{ id: string }>(backup);
      const restore = await runCli(['restore', '--plan', ws.plan, '--source', 'library', '--backup', id], { env: { RESTORABLE_CACHE_DIR: fresh, RESTORABLE_AGE_IDENTITY: identity } });
      expect(restore.code, restore.stderr).toBe(0);
      expect(await exactTree(library)).toEqual(after);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('works with a passphrase: objects sealed to a repository identity the passphrase opens', async () => {
    const pass = 'ninety-nine-green-bottles-on-a-wall';
    plantSecret(pass);
    const dir = mkdtempSync(join(tmpdir(), 'restorable-cache-'));
    const { restore: _checks, ...plan } = basePlan(ws.dir);
    ws.writePlan({ ...plan, name: 'passapp', sources: [{ name: 'library', type: 'files', path: 'library', storage: 'repository' }], encryption: { passphrase: '${REPO_PASS}' } });
    try {
      const env = { RESTORABLE_CACHE_DIR: dir, REPO_PASS: pass };
      expect((await runCli(['backup', '--plan', ws.plan], { env })).code).toBe(0);
      rmSync(dir, { recursive: true, force: true });
      // No cache: the passphrase opens the repository key, so the second run stores no blob again.
      const bytes = packsOf(ws.target('nas'), 'passapp').bytes;
      expect((await runCli(['backup', '--plan', ws.plan], { env })).code).toBe(0);
      expect(packsOf(ws.target('nas'), 'passapp').bytes - bytes).toBeLessThan(64 * 1024);
      expect(objectsOf(ws.target('nas'), 'passapp', 'keys')).toHaveLength(1);
      const before = await exactTree(library);
      const restore = await runCli(['restore', '--plan', ws.plan, '--source', 'library'], { env });
      expect(restore.code, restore.stderr).toBe(0);
      expect(await exactTree(library)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
