/**
 * The file cache of one files source: path, size, mtime, ctime, inode ->
 * blob ids, as the last committed backup saw them. A backup skips a file whose
 * four stat fields are unchanged (and whose blobs every target holds) without
 * reading it. Losing or damaging the file costs reading again, never data.
 *
 * Memory goes by the folders being walked, not by the files in the source
 * (restic reads its parent snapshot's trees the same way): the file is kept
 * in blocks, one or more per folder, and a backup reads a folder's blocks
 * when the walk enters that folder and drops them when it leaves. Loading a
 * million entries up front was over 100 MB of a 300 MiB budget.
 *
 * On disk (format 2), lines of JSON:
 *   {"format": 2, "key_id": <key id or null>}
 *   {"dir": <folder path, "" for the root>, "files": [[name, size, mtime_ns, ctime_ns, ino, [blob ids]], ...]}   (blocks)
 *   ...
 *   [<folder path>, offset, length, offset, length...]                                                        (the directory: a line per folder)
 *   ...
 *   <byte offset of the directory's first line, 16 digits>
 * This run's blocks go to `${path}.tmp-<pid>` as the walk leaves each folder,
 * and save() appends the directory and renames it over the old file.
 */
import { createHash, hash as oneShot } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, openSync, readSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { KeyTable, widen } from './key-table.js';

export interface FileStat {
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
}

const FORMAT = 2;
/** Rows of one folder written in one block at most: a folder of a million files is not held whole. */
const BLOCK_ROWS = 4096;
const TRAILER = 17; // 16 digits and a newline

const folderKey: (path: string) => Buffer =
  typeof oneShot === 'function' ? (path) => oneShot('sha1', path, 'buffer') : (path) => createHash('sha1').update(path).digest();

type Row = [name: string, size: number, mtimeNs: string, ctimeNs: string, ino: string, content: string[]];

/**
 * Where each folder's blocks are in last run's file: folders by 128-bit
 * path hash (a collision between two folders of one tree is not a practical
 * event, and would still need the same name, size, mtime, ctime and inode
 * inside to give a wrong answer; each block also names its folder).
 */
class Directory {
  private readonly folders = new KeyTable(16);
  private first = new Uint32Array(0); // first block of the folder
  private count = new Uint32Array(0);
  private offsets = new Float64Array(0);
  private lengths = new Uint32Array(0);
  private blocks = 0;

  add(folder: string, spans: number[]): void {
    const n = this.folders.add(folderKey(folder));
    if (n === this.first.length) {
      this.first = widen(this.first, Math.max(256, n * 2));
      this.count = widen(this.count, this.first.length);
    }
    if (this.blocks + spans.length / 2 > this.offsets.length) {
      const capacity = Math.max(256, (this.blocks + spans.length / 2) * 2);
      this.offsets = widen(this.offsets, capacity);
      this.lengths = widen(this.lengths, capacity);
    }
    this.first[n] = this.blocks;
    this.count[n] = spans.length / 2;
    for (let i = 0; i < spans.length; i += 2) {
      this.offsets[this.blocks] = spans[i]!;
      this.lengths[this.blocks++] = spans[i + 1]!;
    }
  }

  /** The [offset, length] of each block of `folder`. */
  spans(folder: string): [number, number][] {
    const n = this.folders.find(folderKey(folder));
    if (n < 0) return [];
    const out: [number, number][] = [];
    for (let b = this.first[n]!, end = b + this.count[n]!; b < end; b += 1) out.push([this.offsets[b]!, this.lengths[b]!]);
    return out;
  }
}

/** One folder of this run: last run's entries of its files, and the rows this run records for it. */
export interface FolderCache {
  /** The blobs of file `name` when its size, mtime, ctime and inode are as last time. */
  lookup(name: string, stat: FileStat): string[] | undefined;
  /** Records what this run saw of file `name` (kept only if the cache is saved). */
  record(name: string, stat: FileStat, content: string[]): void;
  /** The walk has left the folder: its rows are written out and last run's entries dropped. */
  close(): void;
}

export class FileCache {
  private previous: { handle: FileHandle; directory: Directory } | undefined;
  private fd: number | undefined;
  private position = 0;
  /** This run's directory lines, one per folder with rows. */
  private directory: string[] = [];
  private readonly temp: string;

  private constructor(
    private readonly path: string,
    private readonly keyId: string | null,
  ) {
    this.temp = `${path}.tmp-${process.pid}`;
  }

  static async load(path: string, keyId: string | null): Promise<FileCache> {
    const cache = new FileCache(path, keyId);
    // What a run that failed or was killed before its commit left: its entries were never committed.
    const prefix = `${basename(path)}.tmp-`;
    let names: string[] = [];
    try {
      names = readdirSync(dirname(path));
    } catch {
      // no cache folder yet
    }
    for (const name of names.filter((n) => n.startsWith(prefix))) rmSync(join(dirname(path), name), { force: true });
    cache.previous = await readDirectory(path, keyId).catch(() => undefined); // missing or damaged: it only costs reading the files again
    return cache;
  }

  /** Call when the walk enters `folder` (its path from the source's root, "" for the root). */
  async folder(folder: string): Promise<FolderCache> {
    const known = new Map<string, Row>();
    if (this.previous) {
      for (const [offset, length] of this.previous.directory.spans(folder)) {
        try {
          const bytes = Buffer.allocUnsafe(length);
          await this.previous.handle.read(bytes, 0, length, offset);
          const block = JSON.parse(bytes.toString('utf8')) as { dir: string; files: Row[] };
          if (block.dir !== folder) continue;
          for (const row of block.files) if (isRow(row)) known.set(row[0], row);
        } catch {
          // a damaged block: those files are read again
        }
      }
    }
    let rows: string[] = [];
    const spans: number[] = [];
    const flush = () => {
      if (rows.length === 0) return;
      spans.push(...this.append(`{"dir":${JSON.stringify(folder)},"files":[${rows.join(',')}]}\n`));
      rows = [];
    };
    return {
      lookup: (name, stat) => {
        const row = known.get(name);
        if (!row || row[1] !== Number(stat.size) || row[2] !== `${stat.mtimeNs}` || row[3] !== `${stat.ctimeNs}` || row[4] !== `${stat.ino}`) return undefined;
        return row[5];
      },
      record: (name, stat, content) => {
        rows.push(JSON.stringify([name, Number(stat.size), `${stat.mtimeNs}`, `${stat.ctimeNs}`, `${stat.ino}`, content] satisfies Row));
        if (rows.length >= BLOCK_ROWS) flush();
      },
      close: () => {
        flush();
        known.clear();
        if (spans.length > 0) this.directory.push(JSON.stringify([folder, ...spans]));
      },
    };
  }

  /** Appends `text` to this run's file; returns its [offset, length]. */
  private append(text: string): [number, number] {
    if (this.fd === undefined) {
      this.fd = openSync(this.temp, 'w', 0o600);
      this.position = 0;
      this.append(`${JSON.stringify({ format: FORMAT, key_id: this.keyId })}\n`);
    }
    const bytes = Buffer.from(text);
    writeSync(this.fd, bytes);
    const at = this.position;
    this.position += bytes.length;
    return [at, bytes.length];
  }

  /** Replaces the cache file with what this run saw (atomically). A run that saw no file keeps none. */
  async save(): Promise<void> {
    await this.previous?.handle.close().catch(() => undefined);
    this.previous = undefined;
    if (this.fd === undefined) {
      rmSync(this.path, { force: true });
      return;
    }
    const start = this.position;
    for (let i = 0; i < this.directory.length; i += BLOCK_ROWS) this.append(`${this.directory.slice(i, i + BLOCK_ROWS).join('\n')}\n`);
    this.append(`${String(start).padStart(TRAILER - 1, '0')}\n`);
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.temp, this.path);
  }
}

const ID = /^[0-9a-f]{64}$/;

/** A row as this module writes it (a damaged one is skipped: that file is read again). */
function isRow(row: unknown): row is Row {
  if (!Array.isArray(row) || row.length !== 6) return false;
  const [name, size, mtime, ctime, ino, content] = row as unknown[];
  return typeof name === 'string' && Number.isSafeInteger(size) && typeof mtime === 'string' && typeof ctime === 'string' && typeof ino === 'string' && Array.isArray(content) && content.every((id) => typeof id === 'string' && ID.test(id));
}

/** Last run's directory, with the file held open for its blocks; undefined when there is none for this key. */
async function readDirectory(path: string, keyId: string | null): Promise<{ handle: FileHandle; directory: Directory } | undefined> {
  const fd = openSync(path, 'r');
  let start: number;
  let size: number;
  try {
    const head = Buffer.alloc(4096);
    const headLength = readSync(fd, head, 0, head.length, 0);
    const header = JSON.parse(head.toString('utf8', 0, head.indexOf(10) < 0 ? headLength : head.indexOf(10))) as { format?: unknown; key_id?: unknown };
    // Another format, or blob ids under another id key (they name other blobs): start over.
    if (header.format !== FORMAT || header.key_id !== keyId) return undefined;
    size = fstatSync(fd).size;
    const tail = Buffer.alloc(TRAILER);
    readSync(fd, tail, 0, TRAILER, size - TRAILER);
    start = Number(tail.toString('utf8', 0, TRAILER - 1));
    if (!Number.isSafeInteger(start) || start <= 0 || start > size - TRAILER || tail[TRAILER - 1] !== 10) return undefined;
  } finally {
    closeSync(fd);
  }
  const directory = new Directory();
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8', start, end: size - TRAILER - 1 }), crlfDelay: Infinity });
  for await (const line of lines) {
    const [folder, ...spans] = JSON.parse(line) as [string, ...number[]];
    if (typeof folder !== 'string' || spans.length % 2 !== 0 || !spans.every((n) => Number.isSafeInteger(n) && n >= 0 && n < start)) throw new Error('damaged directory');
    directory.add(folder, spans);
  }
  return { handle: await open(path, 'r'), directory };
}
