/**
 * The local cache of one plan on this host: the id key, the plaintext of
 * index objects already read or written, and per files source the file
 * cache (path, size, mtime, ctime, inode -> blob ids) that lets a backup skip
 * unchanged files without reading them. Everything here can be lost: a
 * missing or stale entry costs reading and hashing again, never correctness,
 * because what the cache claims is checked against the targets' indexes.
 *
 * Where: RESTORABLE_CACHE_DIR, else $XDG_CACHE_HOME/restorable, else
 * ~/.cache/restorable; one folder per plan name and plan folder. Owner-only.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export function cacheDir(plan: string, planDir: string, env: NodeJS.ProcessEnv): string {
  const base = env.RESTORABLE_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'restorable');
  const where = createHash('sha256').update(planDir).digest('hex').slice(0, 12);
  return join(base, `${plan}-${where}`);
}

/** Writes a file so that a reader sees the old or the new content, never a part. */
export async function writeAtomically(path: string, data: string | Buffer): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data, { mode: 0o600 });
  await rename(temp, path);
}

export class Cache {
  constructor(readonly dir: string) {}

  async ensure(): Promise<void> {
    for (const sub of ['', 'keys', 'index', 'files']) await mkdir(join(this.dir, sub), { recursive: true, mode: 0o700 });
  }

  /** The repository secret `id` in this cache's plain text form (see repo-secret.ts), if kept here. */
  key(id: string): Promise<string | undefined> {
    return readFile(join(this.dir, 'keys', id), 'utf8').catch(() => undefined);
  }

  async keyIds(): Promise<string[]> {
    const { readdir } = await import('node:fs/promises');
    return (await readdir(join(this.dir, 'keys')).catch(() => [] as string[])).filter((n) => /^[0-9a-f]{32}$/.test(n));
  }

  saveKey(id: string, plain: string): Promise<void> {
    return writeAtomically(join(this.dir, 'keys', id), plain);
  }

  index(id: string): Promise<Buffer | undefined> {
    return readFile(join(this.dir, 'index', id)).catch(() => undefined);
  }

  saveIndex(id: string, plain: Buffer): Promise<void> {
    return writeAtomically(join(this.dir, 'index', id), plain);
  }

  async forgetIndex(id: string): Promise<void> {
    await rm(join(this.dir, 'index', id), { force: true });
  }

  filesPath(source: string): string {
    return join(this.dir, 'files', `${source}.ndjson`);
  }
}

export interface CachedFile {
  size: number;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
  content: string[];
}

/** The file cache of one source, as read at the start of a run; `next` is what this run saw. */
export class FileCache {
  private readonly previous = new Map<string, CachedFile>();
  private readonly next: [string, CachedFile][] = [];

  private constructor(
    private readonly path: string,
    private readonly keyId: string | null,
  ) {}

  static async load(path: string, keyId: string | null): Promise<FileCache> {
    const cache = new FileCache(path, keyId);
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
        cache.previous.set(name, { size, mtimeNs, ctimeNs, ino, content });
      }
    } catch {
      cache.previous.clear(); // missing or damaged: it only costs reading the files again
    }
    return cache;
  }

  /** The blobs of `path` when its size, mtime, ctime and inode are as last time. */
  lookup(path: string, stat: { size: bigint; mtimeNs: bigint; ctimeNs: bigint; ino: bigint }): string[] | undefined {
    const hit = this.previous.get(path);
    if (!hit || BigInt(hit.size) !== stat.size || hit.mtimeNs !== `${stat.mtimeNs}` || hit.ctimeNs !== `${stat.ctimeNs}` || hit.ino !== `${stat.ino}`) return undefined;
    return hit.content;
  }

  record(path: string, stat: { size: bigint; mtimeNs: bigint; ctimeNs: bigint; ino: bigint }, content: string[]): void {
    this.next.push([path, { size: Number(stat.size), mtimeNs: `${stat.mtimeNs}`, ctimeNs: `${stat.ctimeNs}`, ino: `${stat.ino}`, content }]);
  }

  /** Replaces the cache file with what this run saw (atomically). */
  async save(): Promise<void> {
    const temp = `${this.path}.tmp-${process.pid}`;
    const handle = await open(temp, 'w', 0o600);
    try {
      const rows = [JSON.stringify({ format: 1, key_id: this.keyId })];
      for (const [name, f] of this.next) {
        rows.push(JSON.stringify([name, f.size, f.mtimeNs, f.ctimeNs, f.ino, f.content]));
        if (rows.length >= 4096) await handle.write(`${rows.splice(0).join('\n')}\n`);
      }
      if (rows.length > 0) await handle.write(`${rows.join('\n')}\n`);
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
  }
}
