/**
 * `restore --path GLOB --into DIR`: some paths of a repository backup, built
 * into a folder of the user's choosing. The live data, its hooks and its
 * health checks are not involved: nothing but DIR is written, and DIR must be
 * new or empty. Only the packs that hold the chosen files are read.
 */
import { readdir, rmdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import picomatch from 'picomatch';
import { UsageError } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import type { Reporter } from '../report/reporter.js';
import type { Secrets } from '../report/secrets.js';
import { buildSnapshot } from '../repository/restore.js';
import { walkSnapshot } from '../repository/walk.js';
import { openSnapshot } from './open-snapshot.js';

export interface PartialRequest {
  backup: string;
  source?: string;
  target?: string;
  paths: string[];
  into: string;
}

export interface PartialResult {
  backupId: string;
  source: string;
  target: string;
  into: string;
  counts: { files: number; dirs: number; symlinks: number; bytes: number };
  /** Packs read whole from the target (trees and data: each at most once for a restore of everything), ranges of packs read, and their bytes. */
  read: { packs: number; ranges: number; bytes: number };
}

/** A pattern names a path, or a folder whose whole content is wanted. */
function chooser(patterns: string[]): (path: string) => boolean {
  const match = picomatch(patterns.map((p) => p.replace(/^\.?\/+/, '').replace(/\/+$/, '')), { dot: true });
  return (path) => {
    const parts = path.split('/');
    for (let n = 1; n <= parts.length; n += 1) if (match(parts.slice(0, n).join('/'))) return true;
    return false;
  };
}

export async function restorePaths(loaded: LoadedPlan, request: PartialRequest, io: { reporter: Reporter; env: NodeJS.ProcessEnv; secrets: Secrets; signal: AbortSignal }): Promise<PartialResult> {
  const into = resolve(request.into);
  const existing = await readdir(into).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
  if (existing && existing.length > 0) throw new UsageError(`--into ${into} is not empty.`, { hint: 'Give a new or empty folder: a partial restore never writes over files.' });
  const opened = await openSnapshot(loaded, { backup: request.backup, ...(request.source ? { source: request.source } : {}), ...(request.target ? { target: request.target } : {}) }, io);
  const chosen = chooser(request.paths);
  // Folders on the way to a chosen path are built too; nothing else is.
  const wanted = new Set<string>();
  for await (const { path, node } of walkSnapshot(opened.reader, opened.snapshot)) {
    if (!chosen(path)) continue;
    wanted.add(path);
    const parts = path.split('/');
    for (let n = 1; n < parts.length; n += 1) wanted.add(parts.slice(0, n).join('/'));
    if (node.type === 'dir') wanted.add(path);
  }
  if (wanted.size === 0) throw new UsageError(`No path of backup ${opened.backupId} (source "${opened.source}") matches ${request.paths.join(', ')}.`, { hint: 'Run `restorable ls` to see what it holds.' });
  if (existing) await rmdir(into);
  const { counts } = await buildSnapshot({ reader: opened.reader, snapshot: opened.snapshot, into, source: opened.source, reporter: io.reporter, signal: io.signal, only: (path) => wanted.has(path) });
  return { backupId: opened.backupId, source: opened.source, target: opened.target.name, into, counts, read: { ...opened.reader.read } };
}
