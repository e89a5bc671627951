/**
 * Backups to a local folder, a real S3-protocol server (s3rver) and a real
 * OpenSSH server through the built CLI; then a restore from each target
 * alone, compared by content.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { json, node24, runCli } from '../helpers/cli.js';
import { startS3, type S3Server } from '../helpers/s3-server.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { treeOf } from '../helpers/tree.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

interface Outcome {
  name: string;
  written: boolean;
  verified: boolean;
  error?: string;
}

describe('local + S3 + SFTP through the CLI', () => {
  let s3: S3Server;
  let sshd: Sshd;
  let ws: Workspace;
  beforeAll(async () => {
    [s3, sshd] = await Promise.all([startS3(), startSshd()]);
  });
  afterAll(async () => {
    await Promise.all([s3?.close(), sshd?.close()]);
  });
  beforeEach(() => {
    ws = makeWorkspace();
    ws.writePlan({ ...basePlan(ws.dir), targets: [{ name: 'nas', type: 'local', path: ws.target('nas') }, s3.target('s3'), sshd.target('box')] });
  });
  afterEach(() => ws.cleanup());

  const env = () => ({ ...s3.env, SFTP_KEY: sshd.privateKey, RESTORABLE_RETRY_SECONDS: '3' });
  const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan], { env: env() });
  const users = () => {
    const db = new Database(ws.db, { readonly: true });
    try {
      return db.prepare('select * from users order by id').all();
    } finally {
      db.close();
    }
  };

  it('writes verified copies to all three, meets 3-2-1, and restores from each target alone', async () => {
    const backup = await cli('backup', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const result = json<{ id: string; targets: Outcome[]; verdict: { met: boolean }; manifest: { copies: { target: string }[] } }>(backup);
    expect(result.targets.map((t) => [t.name, t.written, t.verified])).toEqual([
      ['nas', true, true],
      ['s3', true, true],
      ['box', true, true],
    ]);
    expect(result.verdict.met).toBe(true);
    expect(result.manifest.copies.map((c) => c.target)).toEqual(['nas', 's3', 'box']);

    const list = json<{ backups: { id: string; targets: string[]; copies: { target: string; verified: boolean; counted: boolean }[] }[] }>(await cli('list', '--json'));
    expect(list.backups).toHaveLength(1);
    expect(list.backups[0]!.copies.map((c) => [c.target, c.verified, c.counted])).toEqual([
      ['nas', true, true],
      ['s3', true, true],
      ['box', true, true],
    ]);

    const uploads = await treeOf(ws.uploads);
    const rows = users();
    for (const target of ['nas', 's3', 'box']) {
      // Damage the live data, then restore from this target alone.
      rmSync(join(ws.uploads, 'ada'), { recursive: true, force: true });
      writeFileSync(join(ws.uploads, 'stray.txt'), 'not in the backup');
      const db = new Database(ws.db);
      db.prepare("insert into users (email, name) values (?, 'Intruder')").run(`${target}@example.net`);
      db.close();
      const restore = await cli('restore', '--target', target, '--json');
      expect(restore.code, `${target}: ${restore.stderr}`).toBe(0);
      expect(json<{ target: string }>(restore).target).toBe(target);
      // Covered paths come back as backed up (stray.txt goes into the restore point); excluded ones never left the live folder.
      expect(await treeOf(ws.uploads)).toEqual(uploads);
      expect(users()).toEqual(rows);
    }
  });

  it('prunes on every target after a backup, deleting the old backup from S3 and SFTP too', async () => {
    const plan = { ...basePlan(ws.dir), name: 'prunetest', targets: [{ name: 'nas', type: 'local', path: ws.target('nas') }, s3.target('s3'), sshd.target('box')], retention: { keep_last: 1 } };
    ws.writePlan(plan);
    const first = json<{ id: string }>(await cli('backup', '--json')).id;
    const second = await cli('backup', '--json');
    expect(second.code, second.stderr).toBe(0);
    const result = json<{ id: string; pruned: { target: string; removed: { id: string }[] }[] }>(second);
    expect(result.pruned.map((p) => [p.target, p.removed.map((r) => r.id)])).toEqual([
      ['nas', [first]],
      ['s3', [first]],
      ['box', [first]],
    ]);
    for (const target of ['nas', 's3', 'box']) {
      const listed = json<{ backups: { id: string }[] }>(await cli('list', '--target', target, '--json'));
      expect(listed.backups.map((b) => b.id)).toEqual([result.id]);
    }
    // Nothing of the first backup is left on the servers, not even an incomplete folder.
    expect(readdirSync(join(sshd.root, 'prunetest'))).toEqual([result.id]);
    const stored = readdirSync(join(s3.dir, s3.bucket), { recursive: true }).map(String);
    expect(stored.some((p) => p.includes(result.id))).toBe(true);
    expect(stored.some((p) => p.includes(first))).toBe(false);
  });

  it('works from the bundle on Node 24, as in the Action', async () => {
    const backup = await runCli(['backup', '--plan', ws.plan, '--json'], { env: env(), node: node24() });
    expect(backup.code, backup.stderr).toBe(0);
    expect(json<{ targets: Outcome[] }>(backup).targets.every((t) => t.verified)).toBe(true);
    const restore = await runCli(['restore', '--plan', ws.plan, '--target', 'box', '--source', 'db', '--json'], { env: env(), node: node24() });
    expect(restore.code, restore.stderr).toBe(0);
  });
});
