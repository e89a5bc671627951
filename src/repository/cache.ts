/**
 * The local cache of one plan on this host: the id key, the plaintext of
 * index objects already read or written, and per files source the file
 * cache (file-cache.ts) that lets a backup skip unchanged files without
 * reading them. Everything here can be lost: a
 * missing or stale entry costs reading and hashing again, never correctness,
 * because what the cache claims is checked against the targets' indexes.
 *
 * Where: RESTORABLE_CACHE_DIR, else $XDG_CACHE_HOME/restorable, else
 * ~/.cache/restorable; one folder per plan name and plan folder. Owner-only.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

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
