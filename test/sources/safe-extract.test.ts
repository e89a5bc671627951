/**
 * Extracting archives that may have been tampered with. refusal() decides per
 * entry; extractSafely() refuses the whole archive on an escaping path, a
 * special file or an outside hard link (leaving nothing behind), and drops
 * symlinks that point outside with a warning.
 *
 * The archives here are real tar streams: normal ones made by node-tar from
 * files on disk, malicious ones encoded header by header with tar.Header.
 */
import {
  chmodSync,
  createReadStream,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IntegrityError } from '../../src/errors.js';
import { CollectedReporter } from '../../src/report/collected.js';
import { extractSafely, refusal } from '../../src/sources/safe-extract.js';

describe('refusal', () => {
  const file = (path: string) => refusal({ path, type: 'File' });

  it.each(['../x', 'a/../../x', '..', 'a/b/../../../x', '..\\x', 'a\\..\\..\\x'])('refuses %s, which climbs out', (path) => {
    expect(file(path)).toBe(`entry "${path}" points outside the destination`);
  });

  it.each(['/etc/passwd', 'C:\\x', 'c:/x', 'C:x'])('refuses the absolute path %s', (path) => {
    expect(file(path)).toMatch(/points outside the destination/);
  });

  it.each(['CharacterDevice', 'BlockDevice', 'FIFO'])('refuses a %s entry', (type) => {
    expect(refusal({ path: 'dev/thing', type })).toBe(`entry "dev/thing" is a ${type}, which is never restored`);
  });

  it('refuses a hard link to ../outside, an absolute hard link and one without a target', () => {
    expect(refusal({ path: 'inside', type: 'Link', linkpath: '../outside' })).toBe('hard link "inside" points outside the destination (../outside)');
    expect(refusal({ path: 'inside', type: 'Link', linkpath: '/etc/shadow' })).toMatch(/^hard link "inside" points outside/);
    expect(refusal({ path: 'inside', type: 'Link' })).toMatch(/^hard link "inside" points outside/);
  });

  it('accepts normal files, directories, symlinks and hard links inside', () => {
    expect(file('photos/2024/a.jpg')).toBeUndefined();
    expect(file('a/../b.txt')).toBeUndefined(); // normalizes to b.txt: still inside
    expect(file('..hidden/file')).toBeUndefined(); // a name starting with dots is not ".."
    expect(refusal({ path: 'photos/', type: 'Directory' })).toBeUndefined();
    expect(refusal({ path: 'old', type: 'OldFile' })).toBeUndefined();
    expect(refusal({ path: 'c', type: 'ContiguousFile' })).toBeUndefined();
    // A symlink's target is judged at extraction time (and dropped, not refused).
    expect(refusal({ path: 'link', type: 'SymbolicLink', linkpath: '../../etc' })).toBeUndefined();
    expect(refusal({ path: 'b/hard', type: 'Link', linkpath: 'a/file' })).toBeUndefined();
  });
});

// ---- archives -------------------------------------------------------------

interface Entry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'FIFO';
  body?: string;
  linkpath?: string;
  mode?: number;
}

/** A tar archive encoded entry by entry: any path, any type, no sanitizing. */
function craftTar(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const type = entry.type ?? 'File';
    const header = new tar.Header({
      path: entry.path,
      type,
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      size: type === 'File' ? body.length : 0,
      mtime: new Date('2024-01-01T00:00:00Z'),
      uid: 0,
      gid: 0,
      ...(entry.linkpath ? { linkpath: entry.linkpath } : {}),
    });
    header.encode();
    blocks.push(header.block!);
    if (type === 'File' && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A stream of the archive in small pieces, like a network or a decompressor delivers it. */
const streamOf = (archive: Buffer) =>
  Readable.from(
    (function* () {
      for (let at = 0; at < archive.length; at += 700) yield archive.subarray(at, at + 700);
    })(),
  );

let dir: string;
let out: string;
let reporter: CollectedReporter;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-extract-'));
  out = join(dir, 'work', 'restored');
  mkdirSync(join(dir, 'work'));
  reporter = new CollectedReporter();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const extract = (archive: Buffer) => extractSafely(streamOf(archive), out, { source: 'uploads', reporter });

describe('extractSafely', () => {
  it('sanity check: the crafted archive format is read by node-tar', async () => {
    const archive = craftTar([{ path: 'a.txt', body: 'hello' }]);
    await extract(archive);
    expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('hello');
  });

  it('refuses an archive with a ../escape.txt entry: IntegrityError, no destination, nothing written outside', async () => {
    const archive = craftTar([
      { path: 'first.txt', body: 'written before the bad entry' },
      { path: '../escape.txt', body: 'pwned' },
      { path: 'last.txt', body: 'after' },
    ]);

    const error = await extract(archive).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as IntegrityError).message).toContain('files source "uploads" is unsafe');
    expect((error as IntegrityError).message).toContain('../escape.txt');
    expect((error as IntegrityError).exitCode).toBe(5);
    expect((error as IntegrityError).hint).toMatch(/Nothing was restored/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'work', 'escape.txt'))).toBe(false);
    expect(readdirSync(join(dir, 'work'))).toEqual([]);
  });

  it('refuses an archive with a path that climbs out from inside a folder (a/../../x)', async () => {
    const archive = craftTar([{ path: 'a/', type: 'Directory' }, { path: 'a/../../sneaky.txt', body: 'x' }]);
    await expect(extract(archive)).rejects.toBeInstanceOf(IntegrityError);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'work', 'sneaky.txt'))).toBe(false);
  });

  it('refuses an archive with an absolute path entry and writes nothing there', async () => {
    const victim = join(dir, 'absolute-victim.txt');
    const archive = craftTar([{ path: 'ok.txt', body: 'ok' }, { path: victim, body: 'overwritten' }]);

    await expect(extract(archive)).rejects.toThrow(IntegrityError);

    expect(existsSync(victim)).toBe(false);
    expect(existsSync(out)).toBe(false);
    // node-tar would otherwise strip the leading "/" and write it inside: that must not happen either.
    expect(readdirSync(join(dir, 'work'))).toEqual([]);
  });

  it('refuses an archive with a hard link to ../outside and does not link to it', async () => {
    const outside = join(dir, 'work', 'outside');
    writeFileSync(outside, 'secret');
    const archive = craftTar([{ path: 'inside', type: 'Link', linkpath: '../outside' }]);

    await expect(extract(archive)).rejects.toThrow(/hard link "inside" points outside the destination/);

    expect(existsSync(out)).toBe(false);
    expect(statSync(outside).nlink).toBe(1);
  });

  it.each(['CharacterDevice', 'FIFO'] as const)('refuses an archive with a %s entry', async (type) => {
    const archive = craftTar([{ path: 'ok.txt', body: 'ok' }, { path: 'dev/null', type }]);
    await expect(extract(archive)).rejects.toThrow(new RegExp(`is a ${type}, which is never restored`));
    expect(existsSync(out)).toBe(false);
  });

  it('does not create a symlink pointing outside, keeps the rest and warns', async () => {
    const archive = craftTar([
      { path: 'data/', type: 'Directory' },
      { path: 'data/file.txt', body: 'keep me' },
      { path: 'data/link', type: 'SymbolicLink', linkpath: '../../etc' },
      { path: 'abs', type: 'SymbolicLink', linkpath: '/etc' },
      { path: 'data/ok', type: 'SymbolicLink', linkpath: 'file.txt' },
      { path: 'top', type: 'SymbolicLink', linkpath: 'data/../data/file.txt' },
    ]);

    await extract(archive);

    expect(() => lstatSync(join(out, 'data', 'link'))).toThrow(/ENOENT/);
    expect(() => lstatSync(join(out, 'abs'))).toThrow(/ENOENT/);
    expect(readFileSync(join(out, 'data', 'file.txt'), 'utf8')).toBe('keep me');
    expect(readlinkSync(join(out, 'data', 'ok'))).toBe('file.txt');
    expect(readFileSync(join(out, 'top'), 'utf8')).toBe('keep me');

    const warnings = reporter.events.flatMap((e) => (e.kind === 'warn' ? [e.message] : []));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Files source "uploads": 2 symlink(s) pointing outside the folder were not restored');
    expect(warnings[0]).toContain('data/link -> ../../etc');
    expect(warnings[0]).toContain('abs -> /etc');
  });

  it('does not create a symlink that escapes through an earlier symlink (a/b/c/d -> ../../.., x -> a/b/c/d/..)', async () => {
    // Each link looks inside when its target is resolved as text, but x goes
    // through d (which is the destination folder itself) and then one level up.
    writeFileSync(join(dir, 'work', 'outside.txt'), 'not part of the backup');
    const archive = craftTar([
      { path: 'a/b/c/', type: 'Directory' },
      { path: 'a/b/c/d', type: 'SymbolicLink', linkpath: '../../..' },
      { path: 'x', type: 'SymbolicLink', linkpath: 'a/b/c/d/..' },
    ]);

    await extract(archive).catch(() => undefined); // refusing the archive would be fine too

    const escaped = existsSync(join(out, 'x', 'outside.txt'));
    expect(escaped, 'out/x/outside.txt reads a file outside the restored folder').toBe(false);
  });

  it('removes a symlink that escapes through a symlink the archive makes later (e -> a/a/../.., then a -> .)', async () => {
    writeFileSync(join(dir, 'work', 'outside.txt'), 'not part of the backup');
    const archive = craftTar([
      { path: 'keep.txt', body: 'kept' },
      { path: 'e', type: 'SymbolicLink', linkpath: 'a/a/a/../../..' },
      { path: 'a', type: 'SymbolicLink', linkpath: '.' },
    ]);

    await extract(archive);

    expect(existsSync(join(out, 'e', 'outside.txt')), 'out/e/outside.txt reads a file outside the restored folder').toBe(false);
    expect(() => lstatSync(join(out, 'e'))).toThrow(/ENOENT/);
    expect(readlinkSync(join(out, 'a'))).toBe('.');
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('kept');
    const warnings = reporter.events.flatMap((ev) => (ev.kind === 'warn' ? [ev.message] : []));
    expect(warnings.join('\n')).toContain('e -> a/a/a/../../..');
  });

  it('reports no warning when every symlink stays inside', async () => {
    await extract(craftTar([{ path: 'f', body: 'x' }, { path: 'l', type: 'SymbolicLink', linkpath: 'f' }]));
    expect(reporter.events.filter((e) => e.kind === 'warn')).toEqual([]);
  });

  it('extracts a normal archive made by node-tar with contents, modes, symlinks and hard links kept', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'bin'), { recursive: true });
    mkdirSync(join(src, 'private'));
    writeFileSync(join(src, 'bin', 'run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(join(src, 'bin', 'run.sh'), 0o750);
    writeFileSync(join(src, 'private', 'key.pem'), 'not really a key');
    chmodSync(join(src, 'private', 'key.pem'), 0o600);
    writeFileSync(join(src, 'readme.txt'), 'x'.repeat(100_000));
    symlinkSync('../readme.txt', join(src, 'bin', 'readme'));
    linkSync(join(src, 'readme.txt'), join(src, 'private', 'readme-hardlink.txt'));
    const archiveFile = join(dir, 'src.tar');
    await tar.create({ cwd: src, portable: true, file: archiveFile }, ['bin', 'private', 'readme.txt']);

    await extractSafely(createReadStream(archiveFile), out, { source: 'uploads', reporter });

    expect(statSync(join(out, 'bin', 'run.sh')).mode & 0o777).toBe(0o750);
    expect(statSync(join(out, 'private', 'key.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'bin', 'run.sh'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(readFileSync(join(out, 'private', 'key.pem'), 'utf8')).toBe('not really a key');
    expect(readFileSync(join(out, 'readme.txt'), 'utf8')).toBe('x'.repeat(100_000));
    expect(readlinkSync(join(out, 'bin', 'readme'))).toBe('../readme.txt');
    const a = statSync(join(out, 'readme.txt'));
    const b = statSync(join(out, 'private', 'readme-hardlink.txt'));
    expect(b.ino).toBe(a.ino);
    expect(reporter.events.filter((e) => e.kind === 'warn')).toEqual([]);
  });

  it('never extracts into a folder that already exists, and leaves that folder alone', async () => {
    mkdirSync(out);
    writeFileSync(join(out, 'existing.txt'), 'mine');
    await expect(extract(craftTar([{ path: 'existing.txt', body: 'theirs' }]))).rejects.toThrow(/EEXIST/);
    expect(readFileSync(join(out, 'existing.txt'), 'utf8')).toBe('mine');
  });

  it('removes the half-extracted folder when the stream itself fails', async () => {
    const archive = craftTar([{ path: 'a.txt', body: 'a'.repeat(5000) }, { path: 'b.txt', body: 'b'.repeat(5000) }]);
    const broken = Readable.from(
      (function* () {
        yield archive.subarray(0, 6000);
        throw new Error('connection reset');
      })(),
    );
    await expect(extractSafely(broken, out, { source: 'uploads', reporter })).rejects.toThrow('connection reset');
    expect(existsSync(out)).toBe(false);
  });
});

describe('permissions are never widened', () => {
  it('clears setuid, setgid and world-write bits; keeps the rest of the mode', async () => {
    const archive = craftTar([
      { path: 'suid', body: 'x', mode: 0o4755 },
      { path: 'sgid', body: 'x', mode: 0o2750 },
      { path: 'open', body: 'x', mode: 0o606 },
      { path: 'shared/', type: 'Directory', mode: 0o3777 },
      { path: 'private', body: 'x', mode: 0o600 },
    ]);
    await extract(archive);
    const mode = (path: string) => statSync(join(out, path)).mode & 0o7777;
    expect(mode('suid')).toBe(0o755);
    expect(mode('sgid')).toBe(0o750);
    expect(mode('open') & 0o002).toBe(0);
    expect(mode('shared') & 0o6002).toBe(0); // the sticky bit (0o1000) only narrows: it may stay
    expect(mode('private')).toBe(0o600);
  });
});
