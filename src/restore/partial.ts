/**
 * `restore --path GLOB --into DIR`: some paths of a repository backup, built
 * into a folder of the user's choosing. The live data, its hooks and its
 * health checks are not involved: nothing but DIR is written, and DIR must be
 * new or empty. Only the packs that hold the chosen files are read.
 */
import { readdir, rmdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import type { Reporter } from '../report/reporter.js';
import type { Secrets } from '../report/secrets.js';
import { buildSnapshot } from '../repository/restore.js';
import { openSnapshot } from './open-snapshot.js';
import { choosePaths } from './path-choice.js';

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

export async function restorePaths(loaded: LoadedPlan, request: PartialRequest, io: { reporter: Reporter; env: NodeJS.ProcessEnv; secrets: Secrets; signal: AbortSignal }): Promise<PartialResult> {
  const into = resolve(request.into);
  const existing = await readdir(into).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
  if (existing && existing.length > 0) throw new UsageError(`--into ${into} is not empty.`, { hint: 'Give a new or empty folder: a partial restore never writes over files.' });
  const opened = await openSnapshot(loaded, { backup: request.backup, ...(request.source ? { source: request.source } : {}), ...(request.target ? { target: request.target } : {}) }, io);
  const { wanted } = await choosePaths(opened.reader, opened.snapshot, request.paths);
  if (wanted.size === 0) throw new UsageError(`No path of backup ${opened.backupId} (source "${opened.source}") matches ${request.paths.join(', ')}.`, { hint: 'Run `restorable ls` to see what it holds.' });
  if (existing) await rmdir(into);
  const { counts } = await buildSnapshot({ reader: opened.reader, snapshot: opened.snapshot, into, source: opened.source, reporter: io.reporter, signal: io.signal, only: (path) => wanted.has(path) });
  return { backupId: opened.backupId, source: opened.source, target: opened.target.name, into, counts, read: { ...opened.reader.read } };
}
