/**
 * The core loop through the real CLI on real files: back up a live WAL
 * database while a writer inserts rows, then restore and drill, and compare
 * row data and file hashes with the source.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { eventCount, eventIds, expectCommittedPrefix, startWriter } from '../helpers/sqlite.js';
import { treeOf } from '../helpers/tree.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

describe('backup and restore through the CLI', () => {
  it('snapshots a live WAL database under a writer, and restores exactly a committed prefix', async () => {
    const writer = await startWriter(ws.db);
    const before = eventCount(ws.db);
    const backup = await runCli(['backup', '--plan', ws.plan, '--json']);
    writer.kill('SIGKILL');
    expect(backup.code, backup.stderr).toBe(0);
    const result = json<{ id: string; manifest: { sources: { name: string; counts: Record<string, number> }[]; copies: unknown[] } }>(backup);
    expect(result.manifest.copies).toHaveLength(3);
    const after = eventCount(ws.db);

    const restore = await runCli(['restore', '--plan', ws.plan, '--json']);
    expect(restore.code, restore.stderr).toBe(0);
    const ids = eventIds(ws.db);
    // A consistent snapshot: rows 1..n with no gap, n between the counts seen around the backup.
    expectCommittedPrefix(ids, before, after);
    const manifestRows = result.manifest.sources.find((s) => s.name === 'db')!.counts.rows!;
    expect(manifestRows).toBe(ids.length + 3 + 3 + 12); // events + users + albums + assets
    // No stale -wal or -shm next to the restored file.
    expect(readdirSync(join(ws.dir, 'app')).filter((f) => f.startsWith('library.sqlite'))).toEqual(['library.sqlite']);
  });

  it('restores files byte for byte, with modes, mtimes and symlinks; excluded paths stay in the live folder untouched', async () => {
    const original = await treeOf(ws.uploads);
    expect((await runCli(['backup', '--plan', ws.plan])).code).toBe(0);
    // After the backup: a covered file changes, one is added, an excluded one changes.
    writeFileSync(join(ws.uploads, 'ada', 'IMG_0003.jpg'), 'damaged');
    writeFileSync(join(ws.uploads, 'added-later.jpg'), 'new');
    writeFileSync(join(ws.uploads, 'thumbs', '0.webp'), 'thumb made after the backup');
    const excludedBefore = Object.fromEntries(Object.entries(await treeOf(ws.uploads)).filter(([path]) => path.startsWith('thumbs') || path.endsWith('.tmp')));
    const thumbInode = statSync(join(ws.uploads, 'thumbs', '0.webp')).ino;
    const restore = await runCli(['restore', '--plan', ws.plan, '--source', 'uploads', '--json']);
    expect(restore.code, restore.stderr).toBe(0);
    const restored = await treeOf(ws.uploads);
    const covered = (path: string) => !path.startsWith('thumbs') && !path.endsWith('.tmp');
    expect(Object.fromEntries(Object.entries(restored).filter(([path]) => covered(path)))).toEqual(Object.fromEntries(Object.entries(original).filter(([path]) => covered(path))));
    expect(Object.fromEntries(Object.entries(restored).filter(([path]) => !covered(path)))).toEqual(excludedBefore);
    expect(statSync(join(ws.uploads, 'thumbs', '0.webp')).ino).toBe(thumbInode);
    expect(restored['cover.jpg']).toBe('link -> ada/IMG_0003.jpg');
    // What the restore replaced is kept as a restore point beside the live folder: the covered entries only.
    const point = json<{ sources: { restorePoint: string }[] }>(restore).sources[0]!.restorePoint;
    const kept = await treeOf(join(point, 'uploads'));
    expect(readFileSync(join(point, 'uploads', 'ada', 'IMG_0003.jpg'), 'utf8')).toBe('damaged');
    expect(kept['added-later.jpg']).toBeDefined();
    expect(Object.keys(kept).filter((path) => !covered(path))).toEqual([]);
  });

  it('drills into a scratch place without touching live data, and records the result', async () => {
    expect((await runCli(['backup', '--plan', ws.plan])).code).toBe(0);
    const live = await treeOf(join(ws.dir, 'app'));
    const drill = await runCli(['drill', '--plan', ws.plan, '--json']);
    expect(drill.code, drill.stderr).toBe(0);
    const result = json<{ ok: boolean; checks: { name: string; status: string }[] }>(drill);
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ['integrity', 'ok'],
      ['users', 'ok'],
    ]);
    expect(await treeOf(join(ws.dir, 'app'))).toEqual(live);
    const list = json<{ backups: { targets: string[]; drill: { ok: boolean } | null }[] }>(await runCli(['list', '--plan', ws.plan, '--json']));
    expect(list.backups).toHaveLength(1);
    expect(list.backups[0]).toMatchObject({ targets: ['nas', 'usb', 'cloud'], drill: { ok: true } });
  });

  it('writes artifacts that the standard tools read: sha256sum, zstd -d and tar', async () => {
    const backup = json<{ id: string; manifest: { sources: { artifact: { file: string; sha256: string } }[] } }>(await runCli(['backup', '--plan', ws.plan, '--json']));
    const dir = join(ws.target('usb'), 'testapp', backup.id);
    expect(readdirSync(dir).sort()).toEqual(['db.sqlite.zst', 'manifest.json', 'uploads.tar.zst']);
    for (const source of backup.manifest.sources) {
      expect(createHash('sha256').update(readFileSync(join(dir, source.artifact.file))).digest('hex')).toBe(source.artifact.sha256);
    }
    expect(backup.id).toMatch(/^\d{8}T\d{6}Z-v1\.4\.2-[0-9a-f]{6}$/);
    // Readable without restorable: zstd and tar are enough.
    execFileSync('zstd', ['-q', '-d', join(dir, 'db.sqlite.zst'), '-o', join(ws.dir, 'plain.sqlite')]);
    const plain = new Database(join(ws.dir, 'plain.sqlite'), { readonly: true });
    expect(plain.prepare('pragma integrity_check').get()).toEqual({ integrity_check: 'ok' });
    expect(plain.prepare('pragma journal_mode').get()).toEqual({ journal_mode: 'delete' });
    plain.close();
    const listing = execFileSync('sh', ['-c', 'zstd -q -dc "$1" | tar -t', 'sh', join(dir, 'uploads.tar.zst')], { encoding: 'utf8' });
    expect(listing).toMatch(/\.\/ada\/IMG_0003\.jpg\n/);
    expect(listing).not.toMatch(/thumbs|\.tmp/);
  });
});

describe('disaster recovery and hooks', () => {
  it('restores onto nothing: the database and folder were lost entirely', async () => {
    const original = await treeOf(ws.uploads);
    expect((await runCli(['backup', '--plan', ws.plan])).code).toBe(0);
    const rows = eventlessCounts(ws.db);
    for (const name of readdirSync(join(ws.dir, 'app'))) if (name !== 'version.json') rmSync(join(ws.dir, 'app', name), { recursive: true });
    const restore = await runCli(['restore', '--plan', ws.plan, '--json']);
    expect(restore.code, restore.stderr).toBe(0);
    expect(json<{ sources: { restorePoint: string | null }[] }>(restore).sources.map((s) => s.restorePoint)).toEqual([null, null]);
    expect(eventlessCounts(ws.db)).toEqual(rows);
    expect(await treeOf(ws.uploads)).toEqual(Object.fromEntries(Object.entries(original).filter(([p]) => p !== 'thumbs' && !p.startsWith('thumbs/') && !p.endsWith('.tmp'))));
    expect(readdirSync(join(ws.dir, 'app')).sort()).toEqual(['library.sqlite', 'uploads', 'version.json']);
  });

  it('backs up a database holding a virtual table of a module this SQLite lacks (rows of ordinary tables counted)', async () => {
    execFileSync('sqlite3', [ws.db, "create virtual table archive using zipfile('nothing.zip')"]);
    const backup = await runCli(['backup', '--plan', ws.plan, '--json']);
    expect(backup.code, backup.stderr).toBe(0);
    const counts = json<{ manifest: { sources: { name: string; counts: Record<string, number> }[] } }>(backup).manifest.sources.find((s) => s.name === 'db')!.counts;
    expect(counts.rows).toBeGreaterThan(0);
  });

  it('refuses to swap a SQLite database another process still has open (its next writes would be lost); restores once it is closed', async () => {
    expect((await runCli(['backup', '--plan', ws.plan])).code).toBe(0);
    // Read before the app opens it: closing any descriptor of the file drops this process's POSIX locks (SQLite's included).
    const before = readFileSync(ws.db);
    const app = new Database(ws.db);
    app.pragma('journal_mode = wal');
    app.prepare('select count(*) from sqlite_master').get(); // an idle connection, as an app keeps one
    const refused = await runCli(['restore', '--plan', ws.plan]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/SQLite source "db": .*library\.sqlite is still open in another process/);
    expect(refused.stderr).toMatch(/hint: Stop the app first: a pre_restore hook/);
    expect(readFileSync(ws.db).equals(before)).toBe(true);
    expect(readdirSync(join(ws.dir, 'app')).filter((n) => n.includes('restorable'))).toEqual([]);
    app.close();
    const restored = await runCli(['restore', '--plan', ws.plan]);
    expect(restored.code, restored.stderr).toBe(0);
  });

  it('a failing pre_backup hook stops the run before anything is written; post_backup still runs', async () => {
    const plan = basePlan(ws.dir);
    const marker = join(ws.dir, 'post-ran');
    plan.hooks = {
      pre_backup: [{ command: [process.execPath, '-e', 'process.exit(2)'] }],
      post_backup: [{ command: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, process.env.RESTORABLE_BACKUP_ID)`] }],
    };
    ws.writePlan(plan);
    const result = await runCli(['backup', '--plan', ws.plan]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The pre_backup hook \[.*\] failed \(exit 2\)/);
    expect(readFileSync(marker, 'utf8')).toMatch(/^\d{8}T\d{6}Z-v1\.4\.2-[0-9a-f]{6}$/);
    for (const t of ['nas', 'usb', 'cloud']) expect(existsSync(join(ws.target(t), 'testapp'))).toBe(false);
  });
});

describe('post_backup hooks', () => {
  it('run right after the snapshots; a failure is reported but the backup is committed and pruned', async () => {
    const plan = basePlan(ws.dir);
    plan.hooks = { post_backup: [{ command: [process.execPath, '-e', 'console.error("maintenance off failed"); process.exit(9)'] }] };
    plan.retention = { keep_last: 1 };
    ws.writePlan(plan);
    const first = await runCli(['backup', '--plan', ws.plan]);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/Backup .* was committed, but a post_backup hook failed: .*maintenance off failed/);
    expect(first.stderr.indexOf('> post_backup hook 1')).toBeLessThan(first.stderr.indexOf('> verify copies'));
    await runCli(['backup', '--plan', ws.plan]);
    const listed = json<{ backups: { targets: string[] }[] }>(await runCli(['list', '--plan', ws.plan, '--json']));
    expect(listed.backups).toHaveLength(1); // committed both times, and pruned to keep_last: 1
    expect(listed.backups[0]!.targets).toEqual(['nas', 'usb', 'cloud']);
  });
});

function eventlessCounts(db: string): Record<string, number> {
  const conn = new Database(db, { readonly: true });
  try {
    const count = (table: string) => (conn.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return { users: count('users'), albums: count('albums'), assets: count('assets') };
  } finally {
    conn.close();
  }
}
