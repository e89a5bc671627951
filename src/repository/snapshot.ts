/**
 * Walks a folder into the repository: each file's content as chunks (or, when
 * the file cache says it is unchanged and every target holds its blobs, the
 * blob ids from last time, without reading it), each folder as a tree blob
 * written after its entries. Symlinks are stored as links, never followed;
 * sockets, devices and fifos are skipped with a warning, as in a tar backup.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BigIntStats } from 'node:fs';
import { RunError, reason } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import { blobId } from './blob.js';
import type { FileCache, FolderCache } from './file-cache.js';
import { DEFAULT_CHUNKER } from './chunker.js';
import { ReadPool, SMALL_FILE } from './read-pool.js';
import type { SnapshotObject, TreeNode } from './format.js';
import type { RepoWriter } from './writer.js';

export interface WalkOptions {
  root: string;
  source: string;
  keep: (path: string, isDir: boolean) => boolean;
  writer: RepoWriter;
  files: FileCache;
  reporter: Reporter;
  signal: AbortSignal;
  progress?: (bytes: number) => void;
}

export type Walked = Pick<SnapshotObject, 'root' | 'root_meta' | 'counts'> & { read: { files: number; bytes: number } };

/** Files read at once, over the whole walk; of them, files over SMALL_FILE bytes. */
const FILES_AT_ONCE = 16;
const BIG_FILES_AT_ONCE = 2;
/** Entries of one folder handled at once (each folder below has its own). */
const ENTRIES_AT_ONCE = 16;

/** A counting semaphore: at most `free` holders at once, served in order. */
class Slots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

const metaOf = (st: BigIntStats) => ({ mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid), mtime_ns: `${st.mtimeNs}` });

/** Code-unit order, the same on every platform: tree blobs of unchanged folders keep their ids. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function walkIntoRepository(options: WalkOptions): Promise<Walked> {
  const { writer, signal } = options;
  const counts = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const read = { files: 0, bytes: 0 };
  const skipped: string[] = [];
  const unreadable: string[] = [];
  const pool = new ReadPool(writer.gear, DEFAULT_CHUNKER, writer.idKey);
  const calls = new Slots(FILES_AT_ONCE);
  const bigReads = new Slots(BIG_FILES_AT_ONCE);
  let failed: { error: unknown } | undefined;

  async function content(abs: string, rel: string, name: string, st: BigIntStats, cache: FolderCache): Promise<string[]> {
    const cached = cache.lookup(name, st);
    if (cached && writer.heldEverywhere(cached)) {
      cache.record(name, st, cached);
      options.progress?.(Number(st.size));
      return cached;
    }
    const ids: string[] = [];
    // Read, cut and named on the pool's threads; each chunk is a view of a window the pool takes back on the next step.
    const chunks = pool.read(abs, Number(st.size));
    let step = await chunks.next();
    try {
      for (; !step.done; step = await chunks.next()) {
        const { bytes, id } = step.value;
        await writer.add('data', id, bytes);
        ids.push(id);
        options.progress?.(bytes.length);
        signal.throwIfAborted();
      }
    } finally {
      // Stopped early (a failed pack, an abort): the thread closes the file and the window comes back.
      if (!step.done) await chunks.return(undefined as never);
    }
    const { total, size, mtimeNs } = step.value;
    read.files += 1;
    read.bytes += total;
    if (size !== st.size || mtimeNs !== st.mtimeNs || BigInt(total) !== st.size) {
      options.reporter.warn(`Files source "${options.source}": ${rel} changed while it was read; the backup holds the ${total} bytes read.`);
    } else cache.record(name, st, ids);
    return ids;
  }

  /** One entry of a folder as its tree node, or nothing (excluded, vanished, unreadable, special). */
  async function entry(abs: string, rel: string, name: string, cache: FolderCache): Promise<TreeNode | undefined> {
    signal.throwIfAborted();
    const path = rel ? `${rel}/${name}` : name;
    const at = join(abs, name);
    let st: BigIntStats;
    await calls.acquire();
    try {
      st = await lstat(at, { bigint: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.push(`${path}: ${reason(error)}`); // ENOENT: gone since the listing
      return undefined;
    } finally {
      calls.release();
    }
    if (!options.keep(path, st.isDirectory())) return undefined;
    if (st.isDirectory()) {
      counts.dirs += 1;
      // No slot is held while the folder below is walked: its own entries take them.
      return { type: 'dir', name, ...metaOf(st), subtree: await folder(at, path) };
    }
    if (st.isFile()) {
      // Large files also take one of few big slots: each holds a read window of up to 16 MiB.
      const big = st.size >= BigInt(SMALL_FILE);
      await calls.acquire();
      if (big) await bigReads.acquire();
      try {
        const ids = await content(at, path, name, st, cache);
        counts.files += 1;
        counts.bytes += Number(st.size);
        return { type: 'file', name, ...metaOf(st), size: Number(st.size), content: ids };
      } catch (error) {
        if (signal.aborted || error instanceof RunError) throw error;
        // Deleted between its lstat and its open (an app tidying up during the backup): gone, as when lstat misses it.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.push(`${path}: ${reason(error)}`);
        return undefined;
      } finally {
        if (big) bigReads.release();
        calls.release();
      }
    }
    if (st.isSymbolicLink()) {
      counts.symlinks += 1;
      return { type: 'symlink', name, ...metaOf(st), target: await readlink(at) };
    }
    skipped.push(path);
    return undefined;
  }

  async function folder(abs: string, rel: string): Promise<string> {
    let names: string[];
    try {
      names = (await readdir(abs)).sort(byName);
    } catch (error) {
      unreadable.push(`${rel || '.'}: ${reason(error)}`);
      names = [];
    }
    const cache = await options.files.folder(rel);
    const nodes: (TreeNode | undefined)[] = new Array(names.length);
    let next = 0;
    // A few entries of the folder at once: each file is several file system calls (lstat, open,
    // reads, fstat, close), and one at a time leaves the disk idle between them.
    const worker = async (): Promise<void> => {
      while (next < names.length && failed === undefined) {
        const i = next++;
        nodes[i] = await entry(abs, rel, names[i]!, cache);
      }
    };
    await Promise.all(Array.from({ length: Math.min(ENTRIES_AT_ONCE, names.length) }, worker)).catch((error: unknown) => {
      failed ??= { error };
    });
    if (failed) throw failed.error;
    cache.close();
    const json = Buffer.from(JSON.stringify({ nodes: nodes.filter((n) => n !== undefined) }));
    const id = blobId(json, writer.idKey);
    await writer.add('tree', id, json);
    return id;
  }

  const rootStat = await lstat(options.root, { bigint: true });
  const root = await folder(options.root, '').finally(() => pool.close());
  if (skipped.length > 0) options.reporter.warn(`Files source "${options.source}": skipped ${skipped.length} special file(s) (sockets, devices, fifos): ${skipped.slice(0, 5).join(', ')}`);
  if (unreadable.length > 0) {
    throw new RunError(`Files source "${options.source}": ${unreadable.length} path(s) could not be read: ${unreadable.slice(0, 5).join('; ')}`, {
      hint: 'Give the user running restorable read access to the whole folder, or exclude those paths in the plan.',
    });
  }
  return { root, root_meta: metaOf(rootStat), counts, read };
}
