/**
 * Which entries of a repository snapshot `restore --path` builds: the paths
 * the patterns match, everything inside a matched folder, and the folders on
 * the way to them. Shared by the restore into another folder (partial.ts)
 * and the restore over the live folder (restore.ts), so both build the same.
 */
import picomatch from 'picomatch';
import type { SnapshotObject } from '../repository/format.js';
import type { BlobSource } from '../repository/reader.js';
import { walkSnapshot } from '../repository/walk.js';

export interface PathChoice {
  /** Every path to build, `/`-separated, relative to the source's folder. */
  wanted: Set<string>;
  /** What a build of `wanted` holds, counted as the snapshot's own counts are (folders below the root, files' bytes). */
  counts: { files: number; dirs: number; symlinks: number; bytes: number };
}

/** A pattern names a path, or a folder whose whole content is wanted. */
function chooser(patterns: readonly string[]): (path: string) => boolean {
  const match = picomatch(patterns.map((p) => p.replace(/^\.?\/+/, '').replace(/\/+$/, '')), { dot: true });
  return (path) => {
    const parts = path.split('/');
    for (let n = 1; n <= parts.length; n += 1) if (match(parts.slice(0, n).join('/'))) return true;
    return false;
  };
}

export async function choosePaths(reader: BlobSource, snapshot: SnapshotObject, patterns: readonly string[]): Promise<PathChoice> {
  const chosen = chooser(patterns);
  const wanted = new Set<string>();
  const counts = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const add = (path: string, node: { type: string; size?: number }) => {
    if (wanted.has(path)) return;
    wanted.add(path);
    if (node.type === 'dir') counts.dirs += 1;
    else if (node.type === 'symlink') counts.symlinks += 1;
    else {
      counts.files += 1;
      counts.bytes += node.size ?? 0;
    }
  };
  for await (const { path, node } of walkSnapshot(reader, snapshot)) {
    if (!chosen(path)) continue;
    const parts = path.split('/');
    for (let n = 1; n < parts.length; n += 1) add(parts.slice(0, n).join('/'), { type: 'dir' });
    add(path, node);
  }
  return { wanted, counts };
}
