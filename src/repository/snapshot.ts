/**
 * Walks a folder into the repository: each file's content as chunks (or, when
 * the file cache says it is unchanged and every target holds its blobs, the
 * blob ids from last time, without reading it), each folder as a tree blob
 * written after its entries. Symlinks are stored as links, never followed;
 * sockets, devices and fifos are skipped with a warning, as in a tar backup.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { lstatSync } from 'node:fs';
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
  /** Bytes of file content done so far (read, or found unchanged), as the walk goes. */
  progress?: (done: number) => void;
}

export type Walked = Pick<SnapshotObject, 'root' | 'root_meta' | 'counts'> & { read: { files: number; bytes: number } };

/** Files read at once, over the whole walk; of them, files over SMALL_FILE bytes. */
const FILES_AT_ONCE = 16;
const BIG_FILES_AT_ONCE = 2;

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
  let done = 0;
  const progressed = (bytes: number): void => options.progress?.((done += bytes));

  async function content(abs: string, rel: string, name: string, st: BigIntStats, cache: FolderCache): Promise<string[]> {
    const cached = cache.lookup(name, st);
    if (cached && writer.heldEverywhere(cached)) {
      cache.record(name, st, cached);
      progressed(Number(st.size));
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
        progressed(bytes.length);
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

  /** A file's tree node, once its content is stored; undefined when it went away before it was read or could not be. */
  async function file(at: string, path: string, name: string, st: BigIntStats, cache: FolderCache): Promise<TreeNode | undefined> {
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
    }
  }

  /**
   * An entry's lstat, or undefined when it is gone or cannot be read (noted). Synchronous, as the
   * tar walk's (tree-walk.ts): each promise lstat was a thread-pool round trip that cost the main
   * thread some 30 us (6 s of 18 for 200,000 files), where the call itself takes a few.
   */
  function statOf(at: string, path: string): BigIntStats | undefined {
    try {
      return lstatSync(at, { bigint: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.push(`${path}: ${reason(error)}`); // ENOENT: gone since the listing
      return undefined;
    }
  }

  /** Work in flight, every piece caught: the first failure stops the walk, and nothing runs on after it returns. */
  const inflight = new Set<Promise<unknown>>();
  function track(work: Promise<unknown>): Promise<unknown> {
    const settled = work.catch((error: unknown) => {
      failed ??= { error };
    });
    inflight.add(settled);
    void settled.then(() => inflight.delete(settled));
    return settled;
  }

  /**
   * Walks one folder in name order and returns once each of its entries is
   * under way; `done` gives its tree blob's id when they are all stored. The
   * walk goes one folder at a time, as restic's archiver does, while up to
   * FILES_AT_ONCE files (of any folders) are read behind it: what is held is
   * the folders whose files are still in flight and the path down to the
   * walk, not one folder per parallel reader. Sixteen sibling folders of 10,000
   * files walked at once held 600 MiB for a million files.
   */
  async function folder(abs: string, rel: string): Promise<{ done: Promise<string> }> {
    let names: string[];
    try {
      names = (await readdir(abs)).sort(byName);
    } catch (error) {
      unreadable.push(`${rel || '.'}: ${reason(error)}`);
      names = [];
    }
    const cache = await options.files.folder(rel);
    const nodes: (TreeNode | undefined)[] = new Array(names.length);
    // Its entries' tree nodes come in as their files are stored; the folder's tree is written after the last.
    let open = 1;
    let closed!: () => void;
    const entries = new Promise<void>((resolve) => (closed = resolve));
    const settle = (): void => {
      open -= 1;
      if (open === 0) closed();
    };
    const after = (work: Promise<unknown>): void => {
      open += 1;
      void track(work).then(settle);
    };
    for (let i = 0; i < names.length && failed === undefined; i += 1) {
      signal.throwIfAborted();
      const name = names[i]!;
      const path = rel ? `${rel}/${name}` : name;
      const at = join(abs, name);
      const st = statOf(at, path);
      if (!st || !options.keep(path, st.isDirectory())) continue;
      if (st.isDirectory()) {
        counts.dirs += 1;
        const below = await folder(at, path);
        after(below.done.then((subtree) => (nodes[i] = { type: 'dir', name, ...metaOf(st), subtree })));
      } else if (st.isFile()) {
        // Large files also take one of few big slots: each holds a read window of up to 16 MiB.
        const big = st.size >= BigInt(SMALL_FILE);
        await calls.acquire();
        if (big) await bigReads.acquire();
        const read = file(at, path, name, st, cache).finally(() => {
          if (big) bigReads.release();
          calls.release();
        });
        after(read.then((node) => (nodes[i] = node)));
      } else if (st.isSymbolicLink()) {
        const target = await readlink(at).catch((error: unknown) => {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') unreadable.push(`${path}: ${reason(error)}`);
          return undefined;
        });
        if (target === undefined) continue;
        counts.symlinks += 1;
        nodes[i] = { type: 'symlink', name, ...metaOf(st), target };
      } else skipped.push(path);
    }
    settle();
    const done = entries.then(async () => {
      if (failed) throw failed.error;
      cache.close();
      const json = Buffer.from(JSON.stringify({ nodes: nodes.filter((n) => n !== undefined) }));
      const id = blobId(json, writer.idKey);
      await writer.add('tree', id, json);
      return id;
    });
    return { done };
  }

  /** The root's tree id; on a failure, after everything in flight has settled, the first error. */
  async function walk(): Promise<string> {
    try {
      // The root's tree is written only after every entry below has settled, and not when one failed.
      return await (await folder(options.root, '')).done;
    } finally {
      while (inflight.size > 0) await Promise.all(inflight);
    }
  }

  const rootStat = await lstat(options.root, { bigint: true });
  const root = await walk().finally(() => pool.close());
  if (skipped.length > 0) options.reporter.warn(`Files source "${options.source}": skipped ${skipped.length} special file(s) (sockets, devices, fifos): ${skipped.slice(0, 5).join(', ')}`);
  if (unreadable.length > 0) {
    throw new RunError(`Files source "${options.source}": ${unreadable.length} path(s) could not be read: ${unreadable.slice(0, 5).join('; ')}`, {
      hint: 'Give the user running restorable read access to the whole folder, or exclude those paths in the plan.',
    });
  }
  return { root, root_meta: metaOf(rootStat), counts, read };
}
