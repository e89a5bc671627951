/**
 * storage: repository through the real CLI on local targets: a second backup
 * after a small change writes a small fraction; both snapshots restore exactly
 * (content, modes, mtimes, links); a lost cache costs reading, not space;
 * damage is caught before live data is touched.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, json, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { exactTree, makeLibrary, packsOf, touchShare } from './helpers.js';

let ws: Workspace;
let env: NodeJS.ProcessEnv;
let library: string;
let photos: string[];

function repoPlan(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const plan = basePlan(ws.dir);
  return { ...plan, sources: [(plan.sources as object[])[0], { name: 'library', type: 'files', path: 'library', storage: 'repository', exclude: ['**/*.tmp'] }], ...extra };
}

beforeEach(async () => {
  ws = makeWorkspace();
  library = join(ws.dir, 'library');
  photos = await makeLibrary(library);
  env = { RESTORABLE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'restorable-cache-')) };
  ws.writePlan(repoPlan());
});
afterEach(() => {
  ws.cleanup();
  rmSync(env.RESTORABLE_CACHE_DIR!, { recursive: true, force: true });
});

type BackupJson = { id: string; manifest: { sources: { name: string; storage?: string; counts: Record<string, number>; artifact: { file: string } }[] } };

async function backup(): Promise<BackupJson> {
  const run = await runCli(['backup', '--plan', ws.plan, '--json'], { env });
  expect(run.code, run.stderr).toBe(0);
  return json<BackupJson>(run);
}

describe('storage: repository', () => {
  it('stores only what changed, and restores every snapshot exactly', async () => {
    const first = await backup();
    const entry = first.manifest.sources.find((s) => s.name === 'library')!;
    expect(entry.storage).toBe('repository');
    expect(entry.artifact.file).toBe('library.snapshot.json');
    expect(entry.counts.files).toBe(102);
    const before = await exactTree(library);
    const afterFirst = packsOf(ws.target('nas'), 'testapp');
    expect(afterFirst.bytes).toBeGreaterThan(20 * 1024 * 1024);
    // About 16 MiB per pack, not one object per photo.
    expect(afterFirst.files.length).toBeLessThan(10);

    await touchShare(photos, 0.02);
    writeFileSync(join(library, 'upload', 'new.jpg'), 'a new photo');
    writeFileSync(join(library, 'skip.tmp'), 'excluded');
    const second = await backup();
    const grown = packsOf(ws.target('nas'), 'testapp').bytes - afterFirst.bytes;
    // Two changed photos (one chunk each), a new file and the trees on their path: well under 5%.
    expect(grown).toBeLessThan(afterFirst.bytes * 0.05);
    expect(grown).toBeGreaterThan(0);
    const after = await exactTree(library);

    for (const [id, tree] of [[first.id, before], [second.id, after]] as const) {
      const restore = await runCli(['restore', '--plan', ws.plan, '--backup', id, '--source', 'library'], { env });
      expect(restore.code, restore.stderr).toBe(0);
      // The excluded file is not the backup's: it stays in the live folder as it is.
      expect(await exactTree(library)).toEqual({ ...tree, 'skip.tmp': after['skip.tmp'] });
    }
    const drill = await runCli(['drill', '--plan', ws.plan], { env });
    expect(drill.code, drill.stderr).toBe(0);
  });

  it('deduplicates against the target when the local cache is lost', async () => {
    await backup();
    const first = packsOf(ws.target('nas'), 'testapp').bytes;
    rmSync(env.RESTORABLE_CACHE_DIR!, { recursive: true, force: true });
    const run = await runCli(['backup', '--plan', ws.plan], { env });
    expect(run.code, run.stderr).toBe(0);
    // Every file was read again (no file cache), but no blob was stored again.
    expect(run.stderr).toMatch(/102 of 102 files read/);
    expect(packsOf(ws.target('nas'), 'testapp').bytes - first).toBeLessThan(64 * 1024);
  });

  it('skips unchanged files without reading them', async () => {
    await backup();
    await touchShare(photos, 0.02);
    const run = await runCli(['backup', '--plan', ws.plan], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/2 of 102 files read/);
  });

  it('refuses a damaged pack before the live folder is touched', async () => {
    const { id } = await backup();
    writeFileSync(join(library, 'after-backup.txt'), 'live data that must stay');
    const before = await exactTree(library);
    for (const target of ['nas', 'usb', 'cloud']) {
      const [pack] = packsOf(ws.target(target), 'testapp').files;
      const bytes = readFileSync(pack!);
      bytes[100] = bytes[100]! ^ 0xff;
      writeFileSync(pack!, bytes);
    }
    const restore = await runCli(['restore', '--plan', ws.plan, '--backup', id, '--source', 'library'], { env });
    expect(restore.code, restore.stderr).toBe(5);
    expect(restore.stderr).toMatch(/Pack [0-9a-f]{12} on target "\w+" is damaged/);
    expect(restore.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(await exactTree(library)).toEqual(before);
    const drill = await runCli(['drill', '--plan', ws.plan], { env });
    expect(drill.code).toBe(5);
  });

  it('reads a blob damaged on one target from another, and says so', async () => {
    const { id } = await backup();
    const want = await exactTree(library);
    for (const pack of packsOf(ws.target('nas'), 'testapp').files) {
      const bytes = readFileSync(pack);
      bytes[200] = bytes[200]! ^ 0xff;
      writeFileSync(pack, bytes);
    }
    writeFileSync(join(library, 'stray.txt'), 'not in the backup');
    const restore = await runCli(['restore', '--plan', ws.plan, '--backup', id, '--source', 'library', '--target', 'nas'], { env });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/Pack [0-9a-f]{12} on target "nas" is damaged.*Read what it held from target "usb" instead/);
    expect(await exactTree(library)).toEqual(want);
  });

  it('verifies every pack keyless, a slice at a time, and every blob with --deep', async () => {
    await backup();
    const plain = await runCli(['verify', '--plan', ws.plan], { env });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/nas: repository \(1 indexes, \d+ packs, \d+ bytes\): ok/);
    const deep = await runCli(['verify', '--plan', ws.plan, '--deep', '--target', 'usb'], { env });
    expect(deep.code, deep.stderr).toBe(0);
    expect(deep.stdout).toMatch(/library\.snapshot\.json: ok, \d+ bytes, sha256 matches, decoded to \d+ bytes/);
    const [pack] = packsOf(ws.target('usb'), 'testapp').files;
    const bytes = readFileSync(pack!);
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0x01;
    writeFileSync(pack!, bytes);
    const damaged = await runCli(['verify', '--plan', ws.plan, '--target', 'usb'], { env });
    expect(damaged.code).toBe(5);
    expect(damaged.stdout).toMatch(/usb: repository .*DAMAGED/);
    expect(damaged.stdout).toMatch(/pack [0-9a-f]{12} is damaged: its sha256 differs from its name/);
    // Two halves cover every pack once: exactly one of them finds the damage.
    const halves = await Promise.all(['1/2', '2/2'].map((part) => runCli(['verify', '--plan', ws.plan, '--target', 'usb', '--sample', part], { env })));
    expect(halves.map((h) => h.code).sort()).toEqual([0, 5]);
    const bad = await runCli(['verify', '--plan', ws.plan, '--sample', '0/3'], { env });
    expect(bad.code).toBe(2);
  });

  it('brings a target that missed a run up to date on the next one', async () => {
    await backup();
    const usb = ws.target('usb');
    // The second run writes to a stand-in folder that is then thrown away: usb missed it.
    renameSync(usb, `${usb}.away`);
    mkdirSync(usb);
    await touchShare(photos, 0.05);
    expect((await runCli(['backup', '--plan', ws.plan], { env })).code).toBe(0);
    rmSync(usb, { recursive: true, force: true });
    renameSync(`${usb}.away`, usb);
    writeFileSync(join(library, 'upload', 'after.jpg'), 'added after the missed run');
    const next = await backup();
    const want = await exactTree(library);
    const restore = await runCli(['restore', '--plan', ws.plan, '--backup', next.id, '--source', 'library', '--target', 'usb'], { env });
    expect(restore.code, restore.stderr).toBe(0);
    expect(await exactTree(library)).toEqual(want);
  });

  it('can be read by a reader written from docs/repository.md alone', async () => {
    const { id } = await backup();
    const out = join(ws.dir, 'independent');
    execFileSync(process.execPath, [join(import.meta.dirname, 'independent-reader.mjs'), ws.target('cloud'), 'testapp', id, 'library', out]);
    const strip = (tree: Record<string, string>) => Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, v.replace(/^(file \d+|dir \d+) \d+/, '$1').replace(/^dir \d+/, 'dir')]));
    expect(strip(await exactTree(out))).toEqual(strip(await exactTree(library)));
  });

  it('prune reclaims the packs only removed backups used, and the kept ones still restore', async () => {
    ws.writePlan(repoPlan({ retention: { keep_last: 1 } }));
    await backup();
    const firstPacks = packsOf(ws.target('nas'), 'testapp');
    rmSync(join(library, 'upload'), { recursive: true, force: true });
    rmSync(join(library, 'video'), { recursive: true, force: true });
    await makeLibrary(join(library, 'new'), 30, 2 * 1024 * 1024);
    const second = await backup();
    const now = packsOf(ws.target('nas'), 'testapp');
    // Every pack of the first backup but the one holding notes.txt (still in the library) is gone.
    expect(now.files.filter((f) => firstPacks.files.includes(f)).length).toBeLessThanOrEqual(2);
    expect(now.bytes).toBeLessThan(firstPacks.bytes);
    const want = await exactTree(library);
    const verify = await runCli(['verify', '--plan', ws.plan, '--deep'], { env });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const restore = await runCli(['restore', '--plan', ws.plan, '--backup', second.id, '--source', 'library'], { env });
    expect(restore.code, restore.stderr).toBe(0);
    expect(await exactTree(library)).toEqual(want);
  });

  it('ls, dump and export read a backup without restoring it', async () => {
    const { id } = await backup();
    const live = await exactTree(library);
    const ls = json<{ entries: { path: string; type: string }[] }>(await runCli(['ls', '--plan', ws.plan, '--backup', id, '--json'], { env }));
    expect(ls.entries.map((e) => e.path).sort()).toEqual(Object.keys(live).sort());
    const under = json<{ entries: { path: string }[] }>(await runCli(['ls', '--plan', ws.plan, 'upload/user1', '--json'], { env }));
    expect(under.entries.length).toBeGreaterThan(5);
    expect(under.entries.every((e) => e.path.startsWith('upload/user1'))).toBe(true);
    const video = execFileSync(process.execPath, [CLI, 'dump', '--plan', ws.plan, '--source', 'library', 'video/clip.mp4'], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    expect(video.equals(readFileSync(join(library, 'video', 'clip.mp4')))).toBe(true);
    const folder = await runCli(['dump', '--plan', ws.plan, 'upload'], { env });
    expect(folder.code).toBe(2);
    const out = join(ws.dir, 'exported');
    mkdirSync(out);
    const tarFile = join(ws.dir, 'library.tar');
    execFileSync('sh', ['-c', 'node "$0" export --plan "$1" > "$2"', CLI, ws.plan, tarFile], { env: { ...process.env, ...env } });
    execFileSync('tar', ['-xf', tarFile, '-C', out]);
    const strip = (tree: Record<string, string>) => Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, v.replace(/^(file \d+|dir \d+) \d+/, '$1')]));
    expect(strip(await exactTree(out))).toEqual(strip(live));
  });

  it('diff names what was added, removed and changed between two backups, with sizes', async () => {
    const first = await backup();
    const touched = await touchShare(photos, 0.05);
    writeFileSync(join(library, 'new.txt'), 'a new file');
    const gone = photos.find((p) => !touched.includes(p))!;
    const goneSize = statSync(gone).size;
    rmSync(gone);
    chmodSync(join(library, 'notes.txt'), 0o600);
    const second = await backup();
    type Diff = { changes: { kind: string; path: string; size: number; what?: string[] }[]; totals: Record<string, { paths: number; bytes: number }> };
    const result = await runCli(['diff', first.id, second.id, '--plan', ws.plan, '--json'], { env });
    expect(result.code, result.stderr).toBe(0);
    const { changes, totals } = json<Diff>(result);
    const rel = (p: string) => relative(library, p);
    expect(changes.filter((c) => c.kind === 'added')).toEqual([{ kind: 'added', path: 'new.txt', type: 'file', size: 10 }]);
    expect(changes.filter((c) => c.kind === 'removed').map((c) => c.path)).toEqual([rel(gone)]);
    const changed = changes.filter((c) => c.kind === 'changed');
    expect(changed.map((c) => c.path).sort()).toEqual([...touched.map(rel), 'notes.txt'].sort());
    expect(changed.find((c) => c.path === 'notes.txt')!.what).toEqual(['mode']);
    expect(changed.find((c) => c.path === rel(touched[0]!))!.what).toEqual(['content', 'mtime']);
    expect(totals.removed).toEqual({ paths: 1, bytes: goneSize });
    const text = await runCli(['diff', first.id, 'latest', '--plan', ws.plan], { env });
    expect(text.stdout).toContain(`+ new.txt  (10 bytes)`);
    expect(text.stdout).toMatch(/1 added \(10 bytes\), 1 removed \(\d+ bytes\), \d+ changed/);
    const unchanged = json<Diff>(await runCli(['diff', second.id, second.id, '--plan', ws.plan, '--json'], { env }));
    expect(unchanged.changes).toEqual([]);
    const one = await runCli(['diff', first.id, '--plan', ws.plan], { env });
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('diff compares two backups');
  });

  it('restores a library holding a link out of it, leaving that link out with a warning', async () => {
    symlinkSync('/etc/hostname', join(library, 'outside'));
    const { id } = await backup();
    const want = await exactTree(library);
    delete want.outside;
    const restore = await runCli(['restore', '--plan', ws.plan, '--backup', id, '--source', 'library'], { env });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/dropped the symlink outside -> \/etc\/hostname: it is absolute/);
    expect(await exactTree(library)).toEqual(want);
  });

  it('restores some paths into another folder, leaving live data alone', async () => {
    const { id } = await backup();
    const live = await exactTree(library);
    writeFileSync(join(library, 'after.txt'), 'written after the backup');
    const before = await exactTree(library);
    const out = join(ws.dir, 'partial');
    const run = await runCli(['restore', '--plan', ws.plan, '--backup', id, '--source', 'library', '--path', 'upload/user1/**', '--path', 'notes.txt', '--into', out, '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const got = await exactTree(out);
    const want = Object.fromEntries(Object.entries(live).filter(([p]) => p === 'notes.txt' || p.startsWith('upload/user1/')));
    // The folders on the way are made too (their modes and mtimes as backed up).
    expect(Object.keys(got).sort()).toEqual(['upload', 'upload/user1', ...Object.keys(want)].sort());
    for (const [path, line] of Object.entries(want)) expect(got[path]).toBe(line);
    expect(json<{ counts: { files: number } }>(run).counts.files).toBe(Object.values(want).filter((l) => l.startsWith('file')).length);
    expect(await exactTree(library)).toEqual(before);
    // Only the chunks of those files are read, by range, and the packs of the trees; a restore of everything reads every pack once, whole.
    const packs = packsOf(ws.target('nas'), 'testapp');
    const partialRead = json<{ read: { packs: number; ranges: number; bytes: number } }>(run).read;
    const chosenBytes = Object.keys(want).reduce((sum, p) => sum + (statSync(join(out, p)).isFile() ? statSync(join(out, p)).size : 0), 0);
    expect(partialRead.ranges, JSON.stringify(partialRead)).toBeGreaterThan(0);
    expect(partialRead.bytes, JSON.stringify(partialRead)).toBeLessThan(packs.bytes / 2);
    expect(chosenBytes).toBeGreaterThan(0);
    const everything = join(ws.dir, 'everything');
    const all = await runCli(['restore', '--plan', ws.plan, '--backup', id, '--source', 'library', '--path', '**', '--into', everything], { env });
    expect(all.code, all.stderr).toBe(0);
    expect(await exactTree(everything)).toEqual(live);
    const [, whole, ranges] = /\((\d+) whole pack\(s\) and (\d+) range\(s\), [^)]+ read\)/.exec(all.stdout) ?? [];
    expect(Number(whole), all.stdout).toBeLessThanOrEqual(packs.files.length);
    expect(Number(whole), all.stdout).toBeGreaterThan(partialRead.packs);
    expect(Number(ranges), all.stdout).toBe(0);
    rmSync(everything, { recursive: true, force: true });
    const full = await runCli(['restore', '--plan', ws.plan, '--path', 'notes.txt', '--into', out], { env });
    expect(full.code).toBe(2);
    expect(full.stderr).toMatch(/is not empty/);
  });

  it('refuses storage: repository with a write-once target', async () => {
    ws.writePlan(repoPlan({ targets: [...(basePlan(ws.dir).targets as object[]), { name: 'gh', type: 'github-artifact' }] }));
    const run = await runCli(['validate', '--plan', ws.plan], { env });
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/sources\[1\]\.storage: storage: repository cannot be written to gh/);
  });
});
