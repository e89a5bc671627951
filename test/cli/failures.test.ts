/**
 * Bad input and bad days, through the real CLI: each gets a clear message and
 * its documented exit code, and the user's data stays exactly as it was.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli, type CliResult, noStackTrace } from '../helpers/cli.js';
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

/** Every copy of one artifact, on every target. */
function copies(id: string, file: string): string[] {
  return ['nas', 'usb', 'cloud'].map((t) => join(ws.target(t), 'testapp', id, file));
}

/**
 * The app folder's content. Reading the live database (a restore compares its
 * schema version) makes SQLite touch the -shm file's mtime, never its bytes:
 * -shm is a shared-memory index of the WAL, so only its content is compared.
 */
async function appState(): Promise<Record<string, string>> {
  const tree = await treeOf(join(ws.dir, 'app'));
  for (const [path, entry] of Object.entries(tree)) if (path.endsWith('-shm')) tree[path] = entry.replace(/^(file \d+) \d+/, '$1');
  return tree;
}

/** Replaces the uploads artifact on every target with a tar holding ../escaped.txt, manifest updated to match. */
function plantEvilArchive(id: string): void {
  const evil = join(ws.dir, 'evil.tar');
  execFileSync('python3', ['-c', `
import io, tarfile
with tarfile.open(${JSON.stringify(evil)}, 'w') as t:
    for name in ['ok.txt', '../escaped.txt']:
        data = b'pwned'
        info = tarfile.TarInfo(name); info.size = len(data)
        t.addfile(info, io.BytesIO(data))
`]);
  execFileSync('zstd', ['-q', '-f', evil, '-o', `${evil}.zst`]);
  const bytes = readFileSync(`${evil}.zst`);
  const sha = execFileSync('sha256sum', [`${evil}.zst`], { encoding: 'utf8' }).split(' ')[0];
  for (const t of ['nas', 'usb', 'cloud']) {
    const dir = join(ws.target(t), 'testapp', id);
    writeFileSync(join(dir, 'uploads.tar.zst'), bytes);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    Object.assign(manifest.sources[1].artifact, { sha256: sha, bytes: bytes.length });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }
}

function flipByte(path: string): void {
  const bytes = readFileSync(path);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  writeFileSync(path, bytes);
}

describe('bad input', () => {
  it('a typo in a key: exit 2, file:line:column and the key path, no stack trace', async () => {
    writeFileSync(ws.plan, readFileSync(ws.plan, 'utf8').replace('    exclude:', '    exclud:'));
    const result = await cli('validate');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/restorable\.yml:\d+:\d+: error: sources\[1\]\.exclud: unknown key "exclud": did you mean "exclude"\?/);
    noStackTrace(result);
  });

  it('a wrong type: exit 2 naming what was expected', async () => {
    ws.writePlan({ ...basePlan(ws.dir), retention: { keep_last: 'seven' } });
    const result = await cli('backup');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/retention\.keep_last: expected number/);
    expect(readdirSync(ws.target('nas'))).toEqual([]);
  });

  it('an unknown command or option: exit 2 with a hint', async () => {
    expect((await runCli(['bakup'])).code).toBe(2);
    const result = await runCli(['backup', '--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Unknown option --frobnicate\.$/m);
    expect(result.stderr).toMatch(/hint: Run `restorable --help`/);
  });

  it('an option of another command is refused, never ignored: restore --dry-run touches nothing (exit 2)', async () => {
    await backupId();
    writeFileSync(join(ws.uploads, 'after.txt'), 'written after the backup');
    const before = await appState();
    const dry = await cli('restore', '--dry-run');
    expect(dry.code, dry.stderr).toBe(2);
    expect(dry.stderr).toMatch(/--dry-run does nothing for restore: it is an option of prune and workflow only\. Nothing was done\./);
    expect(await appState()).toEqual(before);
    expect((await cli('backup', '--deep')).code).toBe(2);
    expect((await cli('prune', '--dry-run')).code).toBe(0);
  });

  it('a missing source path: exit 1 naming the path, nothing written anywhere', async () => {
    const plan = basePlan(ws.dir);
    (plan.sources as { path: string }[])[0]!.path = 'app/nope.sqlite';
    ws.writePlan(plan);
    const result = await cli('backup');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/SQLite source "db": cannot read .*nope\.sqlite/);
    expect(result.stderr).toMatch(/hint: The path does not exist/);
    for (const t of ['nas', 'usb', 'cloud']) expect(existsSync(ws.target(t)) ? readdirSync(ws.target(t)) : []).toEqual([]);
    noStackTrace(result);
  });

  it('a folder the user cannot read: exit 1 naming the path', async () => {
    const secret = join(ws.uploads, 'private');
    execFileSync('mkdir', [secret]);
    writeFileSync(join(secret, 'x.jpg'), 'x');
    chmodSync(secret, 0o000);
    // As root every folder is readable: run the CLI as an unprivileged user then.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      chmodSync(ws.dir, 0o755);
      execFileSync('chmod', ['-R', 'a+rwX', join(ws.dir, 'app'), join(ws.dir, 'restorable.yml')]);
      chmodSync(secret, 0o000);
      execFileSync('chmod', ['-R', 'a+rwX', join(ws.dir, 'targets')]);
    }
    const result = asRoot
      ? await new Promise<CliResult>((resolve) => {
          try {
            const out = execFileSync('runuser', ['-u', 'nobody', '--', process.execPath, join(import.meta.dirname, '..', '..', 'dist', 'cli.js'), 'backup', '--plan', ws.plan], { encoding: 'utf8', stdio: 'pipe' });
            resolve({ code: 0, stdout: out, stderr: '' });
          } catch (error) {
            const e = error as { status: number; stdout: string; stderr: string };
            resolve({ code: e.status, stdout: e.stdout, stderr: e.stderr });
          }
        })
      : await cli('backup');
    chmodSync(secret, 0o755);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/Reading source "uploads" failed: EACCES: permission denied, scandir '.*\/uploads\/private'/);
    expect(result.stderr).toMatch(/hint: Permission denied/);
    const listed = json<{ backups: unknown[] }>(await cli('list', '--json'));
    expect(listed.backups).toEqual([]);
  });
});

describe('a damaged live database', () => {
  it('fails quick_check (the default check) on the snapshot: exit 5, nothing listed, the hint says the live file is damaged', async () => {
    const db = new Database(ws.db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = delete');
    db.close();
    const bytes = readFileSync(ws.db);
    bytes.fill(0xff, 3 * 4096 + 8, 3 * 4096 + 200); // wreck the cell pointers of page 4, a b-tree page
    writeFileSync(ws.db, bytes);
    const probe = new Database(ws.db, { readonly: true });
    expect(probe.pragma('integrity_check', { simple: true })).not.toBe('ok');
    probe.close();
    const result = await cli('backup');
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toMatch(/snapshot of SQLite source "db" fails quick_check/);
    expect(result.stderr).toMatch(/hint: The live database itself is probably damaged/);
    expect(json<{ backups: unknown[] }>(await cli('list', '--json')).backups).toEqual([]);
    for (const t of ['nas', 'usb', 'cloud']) expect(readdirSync(ws.target(t))).toEqual([]);
  });

  /**
   * An index that disagrees with its table: every page is sound (quick_check
   * passes), only integrity_check sees it. The entry of row 201 in the index
   * is rewritten to point at row 202, in place.
   */
  function breakAnIndex(): void {
    const db = new Database(ws.db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = delete');
    db.exec('create table tags(a text, b text); create index tags_a on tags(a)');
    const insert = db.prepare('insert into tags values (?, ?)');
    for (let i = 0; i < 500; i++) insert.run(`k${String(i).padStart(4, '0')}`, `v${i}`);
    db.exec('vacuum');
    db.close();
    const bytes = readFileSync(ws.db);
    const entry = Buffer.from([...Buffer.from('k0200'), 0x00, 0xc9]); // key 'k0200', rowid 201 as a 2-byte integer
    let at = bytes.indexOf(entry);
    expect(at).toBeGreaterThan(0);
    for (; at >= 0; at = bytes.indexOf(entry, at + 1)) bytes[at + 6] = 0xca;
    writeFileSync(ws.db, bytes);
    const probe = new Database(ws.db, { readonly: true });
    expect(probe.pragma('quick_check', { simple: true })).toBe('ok');
    expect(probe.pragma('integrity_check', { simple: true })).toMatch(/row 201 missing from index tags_a/);
    probe.close();
  }

  it('an index that disagrees with its table: the default check commits the faithful copy, the drill refuses it with integrity_check (exit 5)', async () => {
    breakAnIndex();
    const plan = basePlan(ws.dir);
    delete plan.restore; // no health check: the drill's own check of the built copy must find it
    ws.writePlan(plan);
    const backup = await cli('backup');
    expect(backup.code, backup.stderr).toBe(0);
    const drill = await cli('drill');
    expect(drill.code, drill.stderr).toBe(5);
    expect(drill.stderr).toMatch(/source "db" is not what backup .* recorded: integrity_check: row 201 missing from index tags_a/);
    noStackTrace(drill);
    const listed = json<{ backups: { drill: { ok: boolean } | null }[] }>(await cli('list', '--json'));
    expect(listed.backups[0]!.drill).toMatchObject({ ok: false });
  });

  it('the same index with check: integrity: the backup refuses it, exit 5, nothing listed', async () => {
    breakAnIndex();
    const plan = basePlan(ws.dir) as { sources: Record<string, unknown>[] };
    plan.sources[0]!.check = 'integrity';
    ws.writePlan(plan);
    const result = await cli('backup');
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toMatch(/snapshot of SQLite source "db" fails integrity_check: row 201 missing from index tags_a/);
    expect(json<{ backups: unknown[] }>(await cli('list', '--json')).backups).toEqual([]);
  });
});

describe('targets that fail', () => {
  it('an unwritable offsite target: the others get the backup, 3-2-1 fails with exit 3 naming it', async () => {
    rmSync(ws.target('cloud'), { recursive: true });
    writeFileSync(ws.target('cloud'), 'a file where a folder should be');
    const result = await cli('backup');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Target "cloud" dropped out/);
    expect(result.stderr).toMatch(/3-2-1 rule is not met: .*0 of 1 offsite copies\. Backup .* was committed to nas, usb only/);
    // The table of what was written where: cloud neither written nor verified, with its error.
    expect(result.stdout).toMatch(/cloud +local +cloud-drive +yes +no +no +no +Target "cloud" is not a folder/);
    expect(result.stdout).toMatch(/^Backup \S+: committed, with problems \(below\) in [\d.]+s; target cloud failed$/m);
    const listed = json<{ backups: { id: string; targets: string[] }[] }>(await cli('list', '--json'));
    expect(listed.backups.map((b) => b.targets)).toEqual([['nas', 'usb']]);
    // --json says what was committed, not only that the run failed.
    const again = json<{ ok: boolean; id: string; targets: { name: string; verified: boolean }[]; error: { exitCode: number } }>(await cli('backup', '--json'));
    expect(again).toMatchObject({ ok: false, error: { exitCode: 3 } });
    expect(again.id).toMatch(/^\d{8}T\d{6}Z-/);
    expect(again.targets.map((t) => [t.name, t.verified])).toEqual([['nas', true], ['usb', true], ['cloud', false]]);
  });

  it('no writable target at all: exit 1, nothing listed', async () => {
    for (const t of ['nas', 'usb', 'cloud']) rmSync(ws.target(t), { recursive: true });
    writeFileSync(ws.target('nas'), 'not a folder');
    const result = await cli('backup');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No target can take writes/);
    expect(result.stderr).toMatch(/Target "usb": the folder .*usb does not exist\. Is the drive mounted\?/);
    expect(existsSync(ws.target('usb'))).toBe(false); // an unmounted drive is never created on the system disk
  });
});

describe('damaged backups never touch live data', () => {
  it('a flipped byte in one copy: verify names it (exit 5) and restore uses the next copy', async () => {
    const id = await backupId();
    flipByte(copies(id, 'db.sqlite.zst')[0]!);
    const verify = await cli('verify', '--backup', 'all');
    expect(verify.code).toBe(5);
    expect(verify.stdout).toMatch(/nas: .*DAMAGED: db\.sqlite\.zst/);
    expect(verify.stdout).toMatch(/usb: .*: ok/);
    const restore = await cli('restore');
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/on target "nas" is damaged.*Trying the copy on target "usb"/);
  });

  it('every copy damaged: exit 5 before anything is touched', async () => {
    const id = await backupId();
    for (const path of copies(id, 'db.sqlite.zst')) flipByte(path);
    const before = await appState();
    const restore = await cli('restore');
    expect(restore.code).toBe(5);
    expect(restore.stderr).toMatch(/db\.sqlite\.zst of backup .* is damaged/);
    expect(await appState()).toEqual(before);
    noStackTrace(restore);
  });

  it('a truncated manifest: that copy is skipped; all truncated: exit 5', async () => {
    const id = await backupId();
    const manifests = copies(id, 'manifest.json');
    truncateSync(manifests[0]!, 100);
    const one = await cli('restore', '--source', 'db');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toMatch(/manifest of backup .* on target "nas" is not valid JSON/);
    for (const path of manifests) truncateSync(path, 100);
    const before = await appState();
    const all = await cli('restore');
    expect(all.code).toBe(5);
    expect(await appState()).toEqual(before);
  });

  it('prune never counts a backup with a damaged manifest: the last good one stays', async () => {
    const good = await backupId();
    await new Promise((r) => setTimeout(r, 1100)); // backup ids are per second
    const damaged = await backupId();
    ws.writePlan({ ...basePlan(ws.dir), retention: { keep_last: 1 } });
    truncateSync(join(ws.target('nas'), 'testapp', damaged, 'manifest.json'), 10);
    const pruned = await cli('prune', '--target', 'nas', '--json');
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(readdirSync(join(ws.target('nas'), 'testapp')).sort()).toEqual([good, damaged].sort());
  });

  it('an archive with ../ entries is refused whole (exit 5), nothing is written outside', async () => {
    plantEvilArchive(await backupId());
    const before = await appState();
    const restore = await cli('restore', '--source', 'uploads');
    expect(restore.code).toBe(5);
    expect(restore.stderr).toMatch(/unsafe: entry "\.\.\/escaped\.txt" points outside the destination/);
    expect(await appState()).toEqual(before);
    expect(existsSync(join(ws.dir, 'app', 'escaped.txt'))).toBe(false);
  });
  it('a drill of an unsafe archive fails with exit 5 and is recorded as failed', async () => {
    plantEvilArchive(await backupId());
    const drill = await cli('drill');
    expect(drill.code).toBe(5);
    const listed = json<{ backups: { drill: { ok: boolean } | null }[] }>(await cli('list', '--json'));
    expect(listed.backups[0]!.drill).toMatchObject({ ok: false });
  });
});

describe('restores that must not go on', () => {
  it('a failing health check rolls back: exit 4 and the live data is byte-identical', async () => {
    await backupId();
    const plan = basePlan(ws.dir);
    (plan.restore as { healthchecks: unknown[] }).healthchecks.push({ name: 'many users', source: 'db', sql: 'select count(*) from users', expect: { min: 1000 } });
    ws.writePlan(plan);
    const before = await appState();
    const restore = await cli('restore');
    expect(restore.code).toBe(4);
    expect(restore.stderr).toMatch(/Health check failed after restoring .*"many users" \(got 3, expected \{"min":1000\}\)\. Rolled back/);
    expect(await appState()).toEqual(before);
  });

  it('another app version: refused with exit 6 unless --allow-version-mismatch', async () => {
    await backupId();
    writeFileSync(join(ws.dir, 'app', 'version.json'), JSON.stringify({ version: '2.0.0' }));
    const before = await appState();
    const refused = await cli('restore');
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(/made by app version 1\.4\.2; the plan says 2\.0\.0/);
    expect(await appState()).toEqual(before);
    const forced = await cli('restore', '--allow-version-mismatch');
    expect(forced.code, forced.stderr).toBe(0);
  });

  it('no backup yet: exit 7 with a hint', async () => {
    const result = await cli('restore');
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/No complete backup of plan "testapp"/);
  });
});

describe('secrets', () => {
  it('a value from ${VAR} never appears in any output, even in a failing hook', async () => {
    const token = 's3cr3t-token-value-42';
    const plan = basePlan(ws.dir);
    plan.hooks = { pre_backup: [{ command: [process.execPath, '-e', 'console.error("token is " + process.argv[1]); process.exit(3)', '${HOOK_TOKEN}'] }] };
    ws.writePlan(plan);
    const result = await runCli(['backup', '--plan', ws.plan], { env: { HOOK_TOKEN: token } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/token is \*\*\*/);
    expect(result.stdout + result.stderr).not.toContain(token);
  });
});
