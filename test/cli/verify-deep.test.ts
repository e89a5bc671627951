/**
 * verify --deep on plain backups: every copy decompressed and, for files
 * sources, read entry by entry against the extraction rules, so a copy that
 * would be refused at restore time is named now; plain verify cannot see it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace({ assets: 3 });
});
afterEach(() => ws.cleanup());

const cli = (...args: string[]) => runCli([...args, '--plan', ws.plan]);

describe('verify --deep', () => {
  it('reports each copy with its decoded size, and names an unsafe archive that plain verify passes', async () => {
    const backup = await cli('backup', '--json');
    expect(backup.code, backup.stderr).toBe(0);
    const id = json<{ id: string }>(backup).id;
    const deep = await cli('verify', '--deep', '--json');
    expect(deep.code, deep.stderr).toBe(0);
    const report = json<{ copies: { target: string; ok: boolean; artifacts: { file: string; decoded_bytes: number }[] }[] }>(deep);
    expect(report.copies.map((c) => [c.target, c.ok])).toEqual([['nas', true], ['usb', true], ['cloud', true]]);
    const tarBytes = report.copies[0]!.artifacts.find((a) => a.file === 'uploads.tar.zst')!.decoded_bytes;
    const tarred = execFileSync('zstd', ['-q', '-d', '-c', join(ws.target('nas'), 'testapp', id, 'uploads.tar.zst')], { maxBuffer: 64 << 20 });
    expect(tarBytes).toBe(tarred.length);

    // A well-formed archive with a ../ entry, on the nas copy only, manifest updated to match.
    const evil = join(ws.dir, 'evil.tar');
    execFileSync('python3', ['-c', `
import io, tarfile
with tarfile.open(${JSON.stringify(evil)}, 'w') as t:
    info = tarfile.TarInfo('../escaped.txt'); info.size = 5
    t.addfile(info, io.BytesIO(b'pwned'))
`]);
    execFileSync('zstd', ['-q', '-f', evil, '-o', `${evil}.zst`]);
    const bytes = readFileSync(`${evil}.zst`);
    const dir = join(ws.target('nas'), 'testapp', id);
    writeFileSync(join(dir, 'uploads.tar.zst'), bytes);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    Object.assign(manifest.sources[1].artifact, { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));

    expect((await cli('verify')).code).toBe(0);
    const caught = await cli('verify', '--deep');
    expect(caught.code).toBe(5);
    expect(caught.stdout).toMatch(/nas: .*: DAMAGED: uploads\.tar\.zst/);
    expect(caught.stdout).toMatch(/uploads\.tar\.zst: DAMAGED: uploads\.tar\.zst holds an unsafe archive: entry "\.\.\/escaped\.txt" points outside the destination/);
    expect(caught.stdout).toMatch(/usb: .*: ok \(deep\)/);
    expect(caught.stderr).toMatch(/1 of 3 copies are damaged/);
  });
  it('a copy whose bytes match the manifest but do not decompress is DAMAGED (exit 5), not unreadable', async () => {
    const backup = await cli('backup', '--json');
    const id = json<{ id: string }>(backup).id;
    const dir = join(ws.target('usb'), 'testapp', id);
    const bytes = readFileSync(join(dir, 'db.sqlite.zst'));
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(join(dir, 'db.sqlite.zst'), bytes);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    Object.assign(manifest.sources[0].artifact, { sha256: createHash('sha256').update(bytes).digest('hex') });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const caught = await cli('verify', '--deep');
    expect(caught.code, caught.stderr).toBe(5);
    expect(caught.stdout).toMatch(/usb: .*: DAMAGED: db\.sqlite\.zst/);
    expect(caught.stdout).toMatch(/db\.sqlite\.zst: DAMAGED: db\.sqlite\.zst does not decode/);
  });

  it('a target whose folder is gone (an unmounted drive) is reported, not read as empty: exit 1', async () => {
    expect((await cli('backup')).code).toBe(0);
    renameSync(ws.target('cloud'), `${ws.target('cloud')}.away`);
    const result = await cli('verify', '--backup', 'all');
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/cloud: all: UNREADABLE/);
    expect(result.stdout).toMatch(/the folder .* does not exist/);
    expect(result.stderr).toMatch(/1 of 3 copies could not be read/);
  });
  it('warns about a copy a manifest promises but its target no longer holds', async () => {
    const id = json<{ id: string }>(await cli('backup', '--json')).id;
    rmSync(join(ws.target('usb'), 'testapp', id), { recursive: true });
    const result = await cli('verify', '--backup', 'all');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Missing copy: backup ${id}: its manifest on "nas" names a copy on "usb", which "usb" does not hold`);
    // "latest" is the newest anywhere: usb does not pass by verifying something older.
    const latest = await cli('verify');
    expect(latest.stdout).toContain(`usb: ${id}: not on this target`);
  });
});
