/**
 * The GitHub Actions cache as a fast-restore tier: each object is one cache
 * entry keyed `restorable-<plan>-<backup id>-<file>`, saved and restored by
 * @actions/cache. GitHub evicts entries after 7 days without use (and beyond
 * the repository's size limit), and a cache is visible only to its branch and
 * the default branch: it is never counted toward 3-2-1. The client archives
 * files at a path that is part of the entry's version, so each object is
 * staged at a path derived from its key, and restored to the same path.
 * Listing and deleting use the REST API with a token. Outside a job the
 * client does not throw: a failed save returns -1 and a miss looks the same
 * as an unreachable service; both are reported, never taken for a copy.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError, RunError } from '../errors.js';
import { chatterToStderr } from './actions-output.js';
import { GithubApi } from './github-api.js';
import { type StoredObject, type Target, type TargetAdapter } from './target.js';
import { githubCacheConfig, githubCacheTraits, type GithubCacheConfig } from './github-cache-config.js';
import { traitsOf } from './configs.js';

const PREFIX = 'restorable-';
export const cacheKey = (key: string) => PREFIX + key;
const keyOfCache = (name: string) => (name.startsWith(PREFIX) ? name.slice(PREFIX.length) : undefined);

interface RestCache {
  id: number;
  key: string;
  size_in_bytes: number;
  created_at: string;
}

class GithubCacheTarget implements Target {
  readonly type = 'github-cache';
  readonly where: string;
  readonly counted = false;
  readonly lockable = false;
  readonly writeOnce = true;
  private readonly api: GithubApi;

  constructor(
    readonly name: string,
    private readonly config: GithubCacheConfig,
    readonly medium: Target['medium'],
    readonly offsite: boolean,
    readonly immutable: boolean,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.api = new GithubApi(name, config, env);
    this.where = `GitHub Actions cache of ${this.api.repository ?? '(GITHUB_REPOSITORY unset)'}`;
  }

  /** Where an object is staged to be saved, and restored: the same path for the same key, on every runner. */
  private stagePath(key: string): string {
    return join(this.env.RUNNER_TEMP ?? tmpdir(), 'restorable-cache', createHash('sha256').update(key).digest('hex').slice(0, 24), 'object');
  }

  private fail(doing: string, error: unknown): RunError {
    return this.api.fail(this.where, doing, error);
  }

  private async caches(prefix: string): Promise<RestCache[]> {
    const all: RestCache[] = [];
    for (let page = 1; ; page++) {
      const response = (await this.api.request('GET', `/actions/caches?per_page=100&page=${page}&key=${encodeURIComponent(cacheKey(prefix))}`))!;
      const { actions_caches: caches } = (await response.json()) as { actions_caches: RestCache[] };
      all.push(...caches);
      if (caches.length < 100) return all;
    }
  }

  async probe(): Promise<void> {
    if (!this.env.ACTIONS_RUNTIME_TOKEN || !this.env.ACTIONS_RESULTS_URL) {
      throw new RunError(`Target "${this.name}": the GitHub Actions cache exists only inside a GitHub Actions job (ACTIONS_RUNTIME_TOKEN is not set); no copy was written there.`, {
        hint: 'It is a fast-restore tier for workflows and never counts toward 3-2-1; leave it out of local runs.',
      });
    }
  }

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    const path = this.stagePath(key);
    try {
      await rm(dirname(path), { recursive: true, force: true });
      await mkdir(dirname(path), { recursive: true });
      await pipeline(body, createWriteStream(path, { flags: 'wx' }));
      const { size } = await stat(path);
      const cache = await import('@actions/cache');
      const id = await chatterToStderr(() => cache.saveCache([path], cacheKey(key)));
      // The client reports every failure as -1 (and logs a warning): a failed copy, whatever the cause.
      if (id === -1) throw new RunError(`Target "${this.name}": saving ${key} to the cache failed (the cache client returned -1; see its warning above).`);
      return { bytes: size };
    } catch (error) {
      body.destroy();
      throw this.fail(`saving ${key}`, error);
    } finally {
      await rm(dirname(path), { recursive: true, force: true });
    }
  }

  async get(key: string): Promise<Readable> {
    if (!this.env.ACTIONS_RUNTIME_TOKEN || !this.env.ACTIONS_RESULTS_URL) {
      throw new RunError(`Target "${this.name}": the GitHub Actions cache can be read only inside a GitHub Actions job.`, { hint: 'Restore from another target (--target), or run the restore in a workflow.' });
    }
    const path = this.stagePath(key);
    try {
      await rm(dirname(path), { recursive: true, force: true });
      const cache = await import('@actions/cache');
      const hit = await chatterToStderr(() => cache.restoreCache([path], cacheKey(key), [], { lookupOnly: false }));
      if (hit !== cacheKey(key)) throw new NotFoundError(`Target "${this.name}" has no ${key} (a cache miss: evicted, another branch's, or the cache is unreachable from here).`);
      const stream = createReadStream(path, { highWaterMark: 1 << 20 });
      stream.once('close', () => void rm(dirname(path), { recursive: true, force: true }));
      return stream;
    } catch (error) {
      await rm(dirname(path), { recursive: true, force: true });
      if (error instanceof NotFoundError) throw error;
      throw this.fail(`restoring ${key}`, error);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    try {
      // Sizes are the cache entries' (the archived object), not the objects' own.
      return (await this.caches(prefix))
        .map((c) => ({ key: keyOfCache(c.key), size: c.size_in_bytes, modified: new Date(c.created_at) }))
        .filter((o): o is StoredObject => o.key !== undefined && o.key.startsWith(prefix));
    } catch (error) {
      throw this.fail(`listing ${prefix}`, error);
    }
  }

  async remove(keys: readonly string[]): Promise<void> {
    try {
      for (const key of keys) {
        await this.api.request('DELETE', `/actions/caches?key=${encodeURIComponent(cacheKey(key))}`);
      }
    } catch (error) {
      throw this.fail('removing cache entries', error);
    }
  }
}

export const githubCache: TargetAdapter<GithubCacheConfig> = {
  type: 'github-cache',
  schema: githubCacheConfig,
  ...githubCacheTraits,
  create: (config, ctx) =>
    new GithubCacheTarget(
      config.name,
      config,
      traitsOf(config).medium,
      traitsOf(config).offsite,
      traitsOf(config).immutable,
      ctx.env ?? process.env,
    ),
};
