/**
 * The file cache of one files source: path, size, mtime, ctime, inode ->
 * blob ids, as the last committed backup saw them. A backup skips a file whose
 * four stat fields are unchanged (and whose blobs every target holds) without
 * reading it. Losing or damaging the file costs reading again, never data.
 *
 * On disk: NDJSON, a header line then [path, size, mtime_ns, ctime_ns, ino,
 * [blob ids]] per file. In memory it must stay small with a million files
 * (the bound is 300 MiB for the whole backup): last run's entries are
 * kept as 16-byte path hashes, bigints and 32-byte ids in flat arrays (about
 * 90 bytes a file instead of 400 as objects), and this run's entries go
 * straight to a temporary file that save() renames over the old one.
 *
 * A path hash is 128 bits of SHA-1: a collision between two paths of one
 * folder tree is not a practical event, and would still need the same size,
 * mtime, ctime and inode to give a wrong answer.
 */
import { createHash, hash as oneShot } from 'node:crypto';
import { closeSync, createReadStream, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { KeyTable, widen } from './key-table.js';

export interface FileStat {
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
}

const KEY_BYTES = 16;
const ID_BYTES = 32;
/** Rows written to the next cache file at once. */
const ROWS_PER_WRITE = 4096;

const pathKey: (path: string) => Buffer =
  typeof oneShot === 'function' ? (path) => oneShot('sha1', path, 'buffer') : (path) => createHash('sha1').update(path).digest();

/** Last run's entries, in flat arrays, numbered by their path hash's KeyTable number. */
class Previous {
  private readonly paths = new KeyTable(KEY_BYTES);
  stats = new BigUint64Array(0); // size, mtime, ctime, ino per entry
  private first = new Uint32Array(0); // first id of the entry in `ids`
  private many = new Uint32Array(0); // how many ids
  private ids = Buffer.alloc(0);
  private idCount = 0;

  /** A path listed twice keeps its last entry. */
  add(path: string, stat: [bigint, bigint, bigint, bigint], content: string[]): void {
    const n = this.paths.add(pathKey(path));
    if (n === this.first.length) {
      const capacity = Math.max(1024, n * 2);
      this.stats = widen(this.stats, capacity * 4);
      this.first = widen(this.first, capacity);
      this.many = widen(this.many, capacity);
    }
    this.stats.set(stat, n * 4);
    if ((this.idCount + content.length) * ID_BYTES > this.ids.length) {
      const wider = Buffer.allocUnsafeSlow(Math.max(this.ids.length * 2, (this.idCount + content.length) * ID_BYTES, 1 << 16));
      this.ids.copy(wider, 0, 0, this.idCount * ID_BYTES);
      this.ids = wider;
    }
    this.first[n] = this.idCount;
    this.many[n] = content.length;
    for (const id of content) this.ids.write(id, this.idCount++ * ID_BYTES, ID_BYTES, 'hex');
  }

  find(path: string): number {
    return this.paths.size === 0 ? -1 : this.paths.find(pathKey(path));
  }

  content(n: number): string[] {
    const out: string[] = [];
    for (let i = this.first[n]!, end = i + this.many[n]!; i < end; i += 1) out.push(this.ids.toString('hex', i * ID_BYTES, (i + 1) * ID_BYTES));
    return out;
  }
}

export class FileCache {
  private previous = new Previous();
  private fd: number | undefined;
  private rows: string[] = [];
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
    let previous = new Previous();
    try {
      const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
      let first = true;
      for await (const line of lines) {
        const row = JSON.parse(line) as unknown;
        if (first) {
          first = false;
          // Blob ids under another id key name other blobs: start over.
          if ((row as { key_id?: unknown }).key_id !== keyId) break;
          continue;
        }
        const [name, size, mtimeNs, ctimeNs, ino, content] = row as [string, number, string, string, string, string[]];
        previous.add(name, [BigInt(size), BigInt(mtimeNs), BigInt(ctimeNs), BigInt(ino)], content);
      }
    } catch {
      previous = new Previous(); // missing or damaged: it only costs reading the files again
    }
    cache.previous = previous;
    return cache;
  }

  /** The blobs of `path` when its size, mtime, ctime and inode are as last time. */
  lookup(path: string, stat: FileStat): string[] | undefined {
    const n = this.previous.find(path);
    if (n < 0) return undefined;
    const s = this.previous.stats;
    if (s[n * 4] !== stat.size || s[n * 4 + 1] !== stat.mtimeNs || s[n * 4 + 2] !== stat.ctimeNs || s[n * 4 + 3] !== stat.ino) return undefined;
    return this.previous.content(n);
  }

  /** Records what this run saw of `path` (written out in batches; kept only if save() is called). */
  record(path: string, stat: FileStat, content: string[]): void {
    if (this.fd === undefined) {
      this.fd = openSync(this.temp, 'w', 0o600);
      this.rows.push(JSON.stringify({ format: 1, key_id: this.keyId }));
    }
    this.rows.push(JSON.stringify([path, Number(stat.size), `${stat.mtimeNs}`, `${stat.ctimeNs}`, `${stat.ino}`, content]));
    if (this.rows.length >= ROWS_PER_WRITE) this.flush();
  }

  private flush(): void {
    if (this.rows.length === 0 || this.fd === undefined) return;
    writeSync(this.fd, `${this.rows.join('\n')}\n`);
    this.rows = [];
  }

  /** Replaces the cache file with what this run saw (atomically). A run that saw no file keeps none. */
  async save(): Promise<void> {
    if (this.fd === undefined) {
      rmSync(this.path, { force: true });
      return;
    }
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.temp, this.path);
  }
}
