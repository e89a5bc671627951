/**
 * Forged artifacts whose manifests were rewritten to match (sha256 and bytes),
 * as anyone with write access to a target can make: the checksum passes, so
 * only a look at the restored data can tell. Restore and drill both refuse
 * such data with exit 5 before any swap, whatever the plan's health checks,
 * and the live data stays byte-identical.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli, type CliResult, noStackTrace } from '../helpers/cli.js';
import { decodedArtifact, forge } from '../helpers/forge.js';
import { treeOf } from '../helpers/tree.js';
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

/** The app folder's content (-shm by content only: reading the live database touches its mtime). */
async function appState(): Promise<Record<string, string>> {
  const tree = await treeOf(join(ws.dir, 'app'));
  for (const [path, entry] of Object.entries(tree)) if (path.endsWith('-shm')) tree[path] = entry.replace(/^(file \d+) \d+/, '$1');
  return tree;
}

/** The backup's SQLite snapshot, changed by `change`, as bytes. */
function alteredDatabase(id: string, change: (db: Database.Database) => void): Buffer {
  const path = join(ws.dir, 'forged.sqlite');
  writeFileSync(path, decodedArtifact(ws, id, 'db'));
  const db = new Database(path);
  change(db);
  db.exec('vacuum');
  db.close();
  return readFileSync(path);
}

/** The backup's uploads tar without its first regular file. */
function tarWithoutOneFile(id: string): Buffer {
  const source = join(ws.dir, 'uploads.tar');
  const out = join(ws.dir, 'forged.tar');
  writeFileSync(source, decodedArtifact(ws, id, 'uploads'));
  execFileSync('python3', ['-c', `
import sys, tarfile
src = tarfile.open(sys.argv[1]); dst = tarfile.open(sys.argv[2], 'w', format=tarfile.PAX_FORMAT)
dropped = False
for m in src.getmembers():
    if m.isfile() and not dropped:
        dropped = True; continue
    dst.addfile(m, src.extractfile(m) if m.isfile() else None)
dst.close()
`, source, out]);
  return readFileSync(out);
}

const withoutHealthChecks = () => {
  const plan = basePlan(ws.dir);
  delete plan.restore;
  ws.writePlan(plan);
};

/** Restore and drill of the forged backup, with the plan as it is now: both exit 5, the live data untouched. */
async function refusedEverywhere(source: string, says: RegExp): Promise<void> {
  const before = await appState();
  const restore = await cli('restore', '--source', source);
  expect(restore.code, restore.stderr).toBe(5);
  expect(restore.stderr).toMatch(says);
  expect(restore.stderr).toMatch(/It was discarded; the live data was not touched/);
  noStackTrace(restore);
  expect(await appState()).toEqual(before);
  const drill = await cli('drill', '--source', source);
  expect(drill.code, drill.stderr).toBe(5);
  expect(drill.stderr).toMatch(says);
  noStackTrace(drill);
  expect(await appState()).toEqual(before);
}

describe.each([
  ['with health checks', () => undefined],
  ['without health checks', withoutHealthChecks],
])('forged artifacts, manifest rewritten to match (%s)', (_name, setPlan) => {
  it('"SQLite format 3\\0" and 8 KiB of random bytes: exit 5, the live database byte-identical', async () => {
    const id = await backupId();
    forge(ws, id, 'db', Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), randomBytes(8192)]));
    setPlan();
    await refusedEverywhere('db', /source "db" is not what backup .* recorded: (quick|integrity)_check: .*(not a database|malformed)/);
  });

  it('the same with a header that says WAL: the -wal and -shm the checks made beside the build go with it', async () => {
    const id = await backupId();
    const pages = randomBytes(8192);
    pages[2] = 2; // bytes 18 and 19 of the file: write and read format 2, WAL
    pages[3] = 2;
    forge(ws, id, 'db', Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), pages]));
    setPlan();
    await refusedEverywhere('db', /source "db" is not what backup .* recorded: (quick|integrity)_check: .*(not a database|malformed)/);
  });

  it('a sound database at user_version 0 where the manifest says 7: exit 5, naming both', async () => {
    const id = await backupId();
    forge(ws, id, 'db', alteredDatabase(id, (db) => db.pragma('user_version = 0')));
    setPlan();
    await refusedEverywhere('db', /schema version 0, the manifest says 7/);
  });

  it('a database with fewer rows than the manifest says: exit 5, naming the counts', async () => {
    const id = await backupId();
    forge(ws, id, 'db', alteredDatabase(id, (db) => db.exec('delete from assets where id = 1')));
    setPlan();
    const rows = Number(JSON.parse(readFileSync(join(ws.target('nas'), 'testapp', id, 'manifest.json'), 'utf8')).sources[0].counts.rows);
    await refusedEverywhere('db', new RegExp(`${rows - 1} rows, the manifest says ${rows}`));
  });

  it('a files tar with one file fewer: exit 5, the live folder byte-identical', async () => {
    const id = await backupId();
    forge(ws, id, 'uploads', tarWithoutOneFile(id));
    setPlan();
    await refusedEverywhere('uploads', /source "uploads" is not what backup .* recorded: \d+ files, the manifest says \d+; \d+ bytes, the manifest says \d+/);
  });
});

describe('honest backups still restore', () => {
  it.each([
    ['with health checks', () => undefined],
    ['without health checks', withoutHealthChecks],
  ])('restore and drill pass, and the data is the backup (%s)', async (_name, setPlan) => {
    await backupId();
    setPlan();
    const users = () => {
      const db = new Database(ws.db, { readonly: true });
      try {
        return db.prepare('select count(*) as n from assets').get() as { n: number };
      } finally {
        db.close();
      }
    };
    const uploads = await treeOf(ws.uploads);
    const before = users();
    const drill = await cli('drill');
    expect(drill.code, drill.stderr).toBe(0);
    const change = new Database(ws.db);
    change.exec('delete from assets');
    change.close();
    const restore = await cli('restore');
    expect(restore.code, restore.stderr).toBe(0);
    expect(users()).toEqual(before);
    const restored = await treeOf(ws.uploads);
    // Excluded paths stay out of the backup: compare what it covers.
    const covered = (tree: Record<string, string>) => Object.fromEntries(Object.entries(tree).filter(([p]) => !p.startsWith('thumbs') && !p.endsWith('.tmp')));
    expect(covered(restored)).toEqual(covered(uploads));
  });
});
