/**
 * Walks a folder into the repository: each file's content as chunks (or, when
 * the file cache says it is unchanged and every target holds its blobs, the
 * blob ids from last time, without reading it), each folder as a tree blob
 * written after its entries. Symlinks are stored as links, never followed;
 * sockets, devices and fifos are skipped with a warning, as in a tar backup.
 */
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BigIntStats } from 'node:fs';
import { RunError, reason } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import { blobId } from './blob.js';
import type { FileCache, FolderCache } from './file-cache.js';
import { DEFAULT_CHUNKER, nextCut } from './chunker.js';
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
const SMALL_FILE = 1024 * 1024;
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
  const window = DEFAULT_CHUNKER.max * 2;
  const calls = new Slots(FILES_AT_ONCE);
  const bigReads = new Slots(BIG_FILES_AT_ONCE);
  const smallWindows: Buffer[] = [];
  let failed: { error: unknown } | undefined;

  async function content(abs: string, rel: string, name: string, st: BigIntStats, cache: FolderCache): Promise<string[]> {
    const cached = cache.lookup(name, st);
    if (cached && writer.heldEverywhere(cached)) {
      cache.record(name, st, cached);
      options.progress?.(Number(st.size));
      return cached;
    }
    const ids: string[] = [];
    const handle = await open(abs, 'r');
    // One read window per file, refilled in place: the writer copies each chunk before add() returns.
    // Small files borrow one of a few reused windows: a fresh buffer per thumbnail was a million
    // allocations that V8 counts as external memory and frees late.
    const small = st.size < BigInt(SMALL_FILE);
    const borrowed = small ? (smallWindows.pop() ?? Buffer.allocUnsafeSlow(SMALL_FILE)) : undefined;
    try {
      let buffer = borrowed ?? Buffer.allocUnsafeSlow(Math.min(window, Number(st.size) + 1));
      let length = 0;
      let done = false;
      let total = 0;
      for (;;) {
        while (!done && length < buffer.length) {
          const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
          if (bytesRead === 0) done = true;
          length += bytesRead;
          total += bytesRead;
        }
        let start = 0;
        for (;;) {
          const cut = nextCut(buffer, start, length, done, writer.gear, DEFAULT_CHUNKER);
          if (cut <= 0) break;
          const chunk = buffer.subarray(start, start + cut);
          const id = blobId(chunk, writer.idKey);
          await writer.add('data', id, chunk);
          ids.push(id);
          start += cut;
          options.progress?.(cut);
        }
        if (done && start >= length) break;
        // nextCut says -1 when the bytes left cannot decide a cut: that tail (under one chunk) moves to the front.
        const rest = length - start;
        if (rest + 65536 > buffer.length) {
          // The file grew past the size it had: a larger window.
          const wider = Buffer.allocUnsafeSlow(Math.min(window, rest + 65536 + Math.max(0, Number(st.size) - total)));
          buffer.copy(wider, 0, start, length);
          buffer = wider;
        } else buffer.copyWithin(0, start, length);
        length = rest;
        signal.throwIfAborted();
      }
      read.files += 1;
      read.bytes += total;
      const after = await handle.stat({ bigint: true });
      if (after.size !== st.size || after.mtimeNs !== st.mtimeNs || BigInt(total) !== st.size) {
        options.reporter.warn(`Files source "${options.source}": ${rel} changed while it was read; the backup holds the ${total} bytes read.`);
      } else cache.record(name, st, ids);
    } finally {
      if (borrowed) smallWindows.push(borrowed);
      await handle.close();
    }
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
      const big = st.size > BigInt(SMALL_FILE);
      await calls.acquire();
      if (big) await bigReads.acquire();
      try {
        const ids = await content(at, path, name, st, cache);
        counts.files += 1;
        counts.bytes += Number(st.size);
        return { type: 'file', name, ...metaOf(st), size: Number(st.size), content: ids };
      } catch (error) {
        if (signal.aborted || error instanceof RunError) throw error;
        unreadable.push(`${path}: ${reason(error)}`);
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
  const root = await folder(options.root, '');
  if (skipped.length > 0) options.reporter.warn(`Files source "${options.source}": skipped ${skipped.length} special file(s) (sockets, devices, fifos): ${skipped.slice(0, 5).join(', ')}`);
  if (unreadable.length > 0) {
    throw new RunError(`Files source "${options.source}": ${unreadable.length} path(s) could not be read: ${unreadable.slice(0, 5).join('; ')}`, {
      hint: 'Give the user running restorable read access to the whole folder, or exclude those paths in the plan.',
    });
  }
  return { root, root_meta: metaOf(rootStat), counts, read };
}
