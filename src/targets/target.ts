/**
 * The Target contract: a place that stores bytes by key. Targets know nothing
 * of manifests, checksums, retention or 3-2-1; all of that lives above them,
 * written once. Adapters live one per file in this folder, found by `type` in
 * ./index.ts, and one contract suite (test/targets/contract.test.ts) runs
 * against every one of them.
 *
 * Keys are `/`-separated relative paths: `<plan>/<backup id>/<file>`.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { clockDuration } from '../util/duration.js';

/**
 * Kinds of storage, for the "2 kinds of media" part of 3-2-1. The reading
 * taken is "two storage types or devices that do not fail together":
 * `removable-disk` (a USB disk plugged in for the backup, then away from
 * the machine) is its own kind, apart from `disk` (the live data's disk, a
 * NAS or server disk that is always attached), so nobody has to call a USB
 * disk `optical` to pass the check.
 */
export const medium = z.enum(['disk', 'removable-disk', 'object', 'artifact', 'tape', 'optical', 'cloud-drive']);
export type Medium = z.infer<typeof medium>;

export const targetName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { error: 'expected a name of a-z, 0-9, - and _ (up to 63 characters)' });

/** Fields every target has; medium/offsite/immutable default by type. */
export const targetBase = {
  name: targetName,
  medium: medium.optional(),
  offsite: z.boolean().optional(),
  immutable: z.boolean().optional(),
};

/**
 * Modes for targets whose store has them (local folders, SFTP): owner-only,
 * as restic does, so an unencrypted dump on a shared NAS is not readable by
 * every account there. Set when a file or folder is created, never after.
 */
/**
 * Target types that take each key once per run (a GitHub artifact, a cache
 * entry): they hold single artifacts, never a repository, which is rewritten
 * every run. A files source defaults to storage: tar in a plan with one.
 */
export const WRITE_ONCE_TYPES: ReadonlySet<string> = new Set(['github-artifact', 'github-cache']);

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/**
 * How targets that write through a temporary name (local, sftp) name it: a
 * file whose name starts with this is never a finished object, and one left
 * by a killed run is cleared by a later run (pipeline/leftovers.ts).
 */
export const TEMP_PREFIX = '.restorable-tmp-';

export interface StoredObject {
  key: string;
  size: number;
  modified: Date;
}

export interface Target {
  readonly name: string;
  readonly type: string;
  readonly medium: Medium;
  readonly offsite: boolean;
  readonly immutable: boolean;
  /** Human-readable place, for messages: a path or a URL without credentials. */
  readonly where: string;
  /**
   * False for a tier the store may drop on its own at any time (the GitHub
   * cache): its copies are written and verified, but never counted by the copy rule.
   */
  readonly counted?: boolean;
  /**
   * Days after which the store deletes a copy by itself (GitHub artifacts):
   * the manifest records `expires_at` and the copy counts only until then.
   */
  readonly expiresAfterDays?: number;
  /**
   * False when the store cannot hold a lock object: GitHub artifacts and
   * caches are written once per key and run (a cache entry cannot even be
   * removed), so a lock there would outlive its run. Runs that write there
   * are serialised by the workflow's `concurrency:` group instead.
   */
  readonly lockable?: boolean;
  /**
   * True when a key can be written only once per run (a GitHub artifact name
   * or cache key): the backup writes its manifest there once, last, after the
   * other targets' manifests have settled, and never again.
   */
  readonly writeOnce?: boolean;

  /** Throws a RunError with a hint when the target cannot take writes now. */
  probe(): Promise<void>;
  /**
   * Stores `body` under `key`. Resolves only when the whole object is durable
   * under its final key: a reader never sees a partial object under `key`, and
   * on failure nothing is left under `key` (an old object there stays as it was).
   */
  put(key: string, body: Readable): Promise<{ bytes: number }>;
  /** Opens an object for reading; throws NotFoundError when it does not exist. */
  get(key: string): Promise<Readable>;
  /**
   * Stores that read part of an object (local, S3, SFTP): the bytes from
   * `offset`, at most `length` of them (fewer only where the object ends
   * sooner: the caller checks the count). NotFoundError as get(). A partial
   * restore reads single chunks of a pack with it, not the whole 16 MiB.
   */
  getRange?(key: string, offset: number, length: number): Promise<Readable>;
  /** Every object whose key starts with `prefix`, in no particular order. */
  list(prefix: string): Promise<StoredObject[]>;
  /** Removes objects; keys that do not exist are ignored. */
  remove(keys: readonly string[]): Promise<void>;
  /**
   * Stores with real folders (local, sftp): removes the empty folders directly
   * under `prefix` (a `/`-ended key prefix), except `keep`, and returns their
   * names. A run killed between making a backup's folder and its first write
   * leaves one, which no listing of keys can show.
   */
  removeEmptyFolders?(prefix: string, keep: readonly string[]): Promise<string[]>;
  /** A local file path for `key` when the target is a local file system, to read without copying. */
  localPath?(key: string): string;
}

export interface TargetContext {
  planDir: string;
  /** Where credentials in standard variables (AWS_ACCESS_KEY_ID, GITHUB_TOKEN...) are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Told each retry as it happens ("target "box": ... ; retry 3 in 8.0s"), so a store that is down is said at once. */
  onRetry?: (message: string) => void;
}

/**
 * A network store's retry budget (sftp, s3): `retry_for: 30s` in the plan;
 * `0s` fails at the first refusal. Default: 60 s (RESTORABLE_RETRY_SECONDS).
 */
export const retryFor = clockDuration.optional();

/** The retry line a target's `onRetry` gets. */
export function retryMessage(target: string, error: unknown, attempt: number, delayMs: number, budgetMs: number): string {
  const why = error instanceof Error ? error.message : String(error);
  return `target "${target}": ${why}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)}s (gives up after ${Math.round(budgetMs / 1000)}s; retry_for sets it)`;
}

/**
 * What a copy on a target of this type counts as for the copy rule, unless
 * the plan says otherwise. Kept apart from the adapter's code (in
 * `<type>-config.ts`) so that checking a plan loads no client library.
 */
export interface TargetTraits<C> {
  readonly defaults: { medium: Medium; offsite: boolean; immutable: boolean; counted?: boolean };
  /** Traits a target's own settings imply (an S3 object lock makes copies immutable): the plan check and the run both use them. */
  readonly implied?: (config: C) => { immutable?: boolean };
}

export interface TargetAdapter<C extends { type: string; name: string } = { type: string; name: string }> extends TargetTraits<C> {
  readonly type: C['type'];
  readonly schema: z.ZodType<C, unknown>;
  create(config: C, ctx: TargetContext): Target;
}
