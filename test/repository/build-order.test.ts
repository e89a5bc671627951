/**
 * A restore writes files in the order their blobs lie in the packs, not in
 * the walk's order: the backup stores 16 files at once, so a folder's files
 * are spread over several packs, and the walk's order read each pack many
 * times once the reader's few cached packs were full. Checked on the build
 * itself with a blob source that counts how often the pack it reads from
 * changes; the files are then compared by content and mode.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { REPO_FORMAT, type SnapshotObject, type Tree } from '../../src/repository/format.js';
import type { BlobSource } from '../../src/repository/reader.js';
import { buildSnapshot } from '../../src/repository/restore.js';
import type { Reporter } from '../../src/report/reporter.js';

const PACKS = 10;
const FILES = 400;
/** Twice the files a build writes at once (repository/restore.ts). */
const WINDOW = 32;
const id = (text: string) => createHash('sha256').update(text).digest('hex');

/** FILES files in one folder, file i's one blob in pack i % PACKS: the walk's order changes pack at every file. */
function repository() {
  const blobs = new Map<string, { bytes: Buffer; pack: number; offset: number }>();
  const nodes: Tree['nodes'] = [];
  for (let i = 0; i < FILES; i += 1) {
    const bytes = Buffer.from(`file ${i} `.repeat(50 + i));
    const blob = id(`blob ${i}`);
    blobs.set(blob, { bytes, pack: i % PACKS, offset: Math.floor(i / PACKS) * 100_000 });
    nodes.push({ type: 'file', name: `f${String(i).padStart(4, '0')}`, mode: 0o640, uid: 0, gid: 0, mtime_ns: '1700000000000000000', size: bytes.length, content: [blob] });
  }
  const root = id('root');
  const reads: number[] = [];
  const source: BlobSource = {
    async blob(blob) {
      const found = blobs.get(blob)!;
      reads.push(found.pack);
      return found.bytes;
    },
    async tree(tree) {
      expect(tree).toBe(root);
      return { nodes };
    },
    where(blob) {
      const found = blobs.get(blob);
      return found && { pack: `pack-${found.pack}`, offset: found.offset, length: found.bytes.length };
    },
  };
  const bytes = [...blobs.values()].reduce((sum, b) => sum + b.bytes.length, 0);
  const snapshot: SnapshotObject = {
    format: REPO_FORMAT,
    kind: 'restorable-snapshot',
    plan: 'p',
    source: 's',
    backup_id: 'b',
    time: new Date(0).toISOString(),
    root,
    root_meta: { mode: 0o750, uid: 0, gid: 0, mtime_ns: '1700000000000000000' },
    key_id: null,
    counts: { files: FILES, dirs: 0, symlinks: 0, bytes },
  };
  return { source, snapshot, reads, blobs };
}

const quiet: Reporter = { info() {}, warn() {}, error() {}, debug() {}, stepStarted() {}, stepFinished() {}, progress() {}, output() {} };
let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

it('reads the packs one after another, not once per file', async () => {
  const { source, snapshot, reads, blobs } = repository();
  dir = mkdtempSync(join(tmpdir(), 'restorable-order-'));
  const into = join(dir, 'out');
  const { counts } = await buildSnapshot({ reader: source, snapshot, into, source: 's', reporter: quiet, signal: new AbortController().signal });
  expect(counts.files).toBe(FILES);
  // The 16 files in flight at once may read in any order among themselves (how many times they
  // change pack where they straddle two is timing), but no read goes back to a pack the reads
  // had left two windows of files earlier. The walk's order does so at every file.
  let highest = -1;
  const backwards = reads.filter((pack, i) => {
    if (i >= WINDOW) highest = Math.max(highest, reads[i - WINDOW]!);
    return pack < highest;
  });
  expect(backwards).toEqual([]);
  expect(new Set(reads).size).toBe(PACKS);
  const names = readdirSync(into).sort();
  expect(names).toHaveLength(FILES);
  for (const [i, name] of names.entries()) {
    const path = join(into, name);
    expect(readFileSync(path).equals([...blobs.values()][i]!.bytes), name).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o640);
  }
});
