/**
 * storage: repository on a real S3-protocol server (s3rver) and a real
 * OpenSSH server: a second backup after a small change writes little to
 * each, and each target alone restores both snapshots exactly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, json, runCli } from '../helpers/cli.js';
import { startS3, type S3Server } from '../helpers/s3-server.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { exactTree, makeLibrary, touchShare } from './helpers.js';

interface Step {
  id: string;
  note?: string;
}

describe('a repository on S3 and SFTP', () => {
  let s3: S3Server;
  let sshd: Sshd;
  let ws: Workspace;
  let cache: string;
  beforeAll(async () => {
    [s3, sshd] = await Promise.all([startS3(), startSshd()]);
    ws = makeWorkspace();
    cache = mkdtempSync(join(tmpdir(), 'restorable-cache-'));
    const { restore: _checks, ...plan } = basePlan(ws.dir);
    ws.writePlan({ ...plan, sources: [{ name: 'library', type: 'files', path: 'library', storage: 'repository' }], targets: [{ name: 'nas', type: 'local', path: ws.target('nas') }, s3.target('s3'), sshd.target('box')] });
  });
  afterAll(async () => {
    await Promise.all([s3?.close(), sshd?.close()]);
    ws?.cleanup();
    rmSync(cache, { recursive: true, force: true });
  });

  const env = () => ({ ...s3.env, SFTP_KEY: sshd.privateKey, RESTORABLE_RETRY_SECONDS: '3', RESTORABLE_CACHE_DIR: cache });
  const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan], { env: env() });
  const written = (result: { steps: Step[] }) => Number(/packs \((\d+) bytes\) written per target/.exec(result.steps.find((s) => s.id.startsWith('snapshot'))!.note!)![1]);

  it('stores only what changed on every target, and each restores both snapshots alone', async () => {
    const library = join(ws.dir, 'library');
    const photos = await makeLibrary(library, 40, 4 * 1024 * 1024);
    const first = await cli('backup', '--json');
    expect(first.code, first.stderr).toBe(0);
    const one = json<{ id: string; steps: Step[] }>(first);
    const before = await exactTree(library);
    await touchShare(photos, 0.02);
    writeFileSync(join(library, 'upload', 'new.jpg'), 'new');
    const second = await cli('backup', '--json');
    expect(second.code, second.stderr).toBe(0);
    const two = json<{ id: string; steps: Step[] }>(second);
    expect(written(two)).toBeLessThan(written(one) * 0.05);
    const after = await exactTree(library);
    // The first snapshot from one store, the second from the other: each alone, with the blobs both share.
    for (const [target, id, tree] of [['s3', one.id, before], ['box', two.id, after], ['s3', two.id, after]] as const) {
      const restore = await cli('restore', '--backup', id, '--target', target, '--source', 'library');
      expect(restore.code, restore.stderr).toBe(0);
      expect(await exactTree(library)).toEqual(tree);
    }
    // A few files of the second snapshot from each store: their chunks by range, not the packs whole.
    for (const target of ['s3', 'box']) {
      const out = join(ws.dir, `partial-${target}`);
      const partial = await cli('restore', '--backup', two.id, '--target', target, '--source', 'library', '--path', 'upload/user2/2024-03/**', '--into', out, '--json');
      expect(partial.code, partial.stderr).toBe(0);
      const got = await exactTree(out);
      const want = Object.entries(after).filter(([p]) => p.startsWith('upload/user2/2024-03/'));
      expect(want.length).toBeGreaterThan(0);
      for (const [path, line] of want) expect(got[path], `${target}: ${path}`).toBe(line);
      const read = json<{ read: { ranges: number; bytes: number } }>(partial).read;
      expect(read.ranges, `${target}: ${JSON.stringify(read)}`).toBeGreaterThan(0);
      // Three small photos and the trees, out of about 12 MB of photos and a 4 MiB video.
      expect(read.bytes, `${target}: ${JSON.stringify(read)}`).toBeLessThan(2_000_000);
      rmSync(out, { recursive: true, force: true });
      // dump reads one file's chunks the same way.
      const photo = 'upload/user2/2024-03/IMG_14.jpg';
      const dumped = execFileSync(process.execPath, [CLI, 'dump', '--plan', ws.plan, '--target', target, '--backup', two.id, '--source', 'library', photo], { env: { ...process.env, ...env() }, maxBuffer: 8 * 1024 * 1024 });
      expect(dumped.equals(readFileSync(join(library, photo))), `${target}: ${photo}`).toBe(true);
    }
    const verify = await cli('verify', '--deep');
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/s3: repository .*: ok/);
    expect(verify.stdout).toMatch(/box: repository .*: ok/);
  }, 300_000);
});
