/**
 * The Source contract. A source is one thing an app keeps state in (a SQLite
 * database, a PostgreSQL database, a folder of files). Adapters live one per
 * file in this folder and are found by `type` in ./index.ts.
 *
 * Everything around a source (compression, hashing, writing to targets,
 * manifests, restore points for the whole run, health checks) is done once,
 * above this interface; an adapter only knows its own engine.
 */
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import type { Reporter } from '../report/reporter.js';

/** Names become file names on every target: keep them plain. */
export const sourceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { error: 'expected a name of a-z, 0-9, - and _ (up to 63 characters)' });

/** Fields every source has, whatever its type. */
export const sourceBase = {
  name: sourceName,
  /** Sources this one snapshots after. Files default to after every database. */
  after: z.array(sourceName).optional(),
};

export interface SourceContext {
  /** Relative paths in the plan resolve against the plan file's folder. */
  planDir: string;
  /** A private scratch folder for this run, removed when the run ends. */
  stagingDir: string;
  reporter: Reporter;
  signal: AbortSignal;
  /** The plan's codec, when the adapter can compress by itself (pg_dump) and must not do it twice. */
  compression?: 'zstd' | 'gzip' | 'none';
}

/** What the manifest records about one snapshot besides its bytes. */
export interface SnapshotInfo {
  /** The engine and its version; `client` names the dump tool and its version when that is another program (pg_dump). */
  engine: { name: string; version: string; client?: string } | null;
  /** How the snapshot was taken, e.g. `sqlite online backup (node:sqlite)`. */
  method: string;
  schemaVersion: string | null;
  counts: Record<string, number>;
}

export interface Snapshot {
  /**
   * Opens the consistent snapshot as one byte stream, to be read exactly once.
   * The consistency promise is the adapter's: a database snapshot is one
   * transactionally consistent state; a folder snapshot is a walk of the tree.
   */
  stream(): Readable;
  /**
   * When the snapshot is a whole file in the staging folder, its path: a codec
   * may read it directly (the zstd tool does) instead of calling `stream()`.
   */
  file?: string;
  /**
   * When the snapshot is a tool's output: starts the tool writing straight
   * into `stdin` (another child's pipe, e.g. zstd's), instead of `stream()`.
   * Either `feed` or `stream` is used, once. A tool that fails then shows only
   * in `info`, which must reject.
   */
  feed?(stdin: Writable): void;
  /** Settles after `stream` has ended; rejects if the snapshot turned out bad. */
  info: Promise<SnapshotInfo>;
  /** About how many bytes `stream()` will give, when the adapter can tell (for progress only; never rejects). */
  expectedBytes?: Promise<number | undefined>;
}

/**
 * What an adapter finds in data that `materialize` built, to be compared with
 * what its snapshot recorded (the manifest's schema_version and counts) before
 * the data can go live. The artifact's sha256 only proves that the bytes are
 * the ones stored: anyone who can write to a target can store junk, or another
 * database, with a manifest rewritten to match.
 */
export interface BuiltInfo {
  /** Why the engine cannot use the data (e.g. a failed quick_check), or null when it is sound. */
  unsound: string | null;
  /** The schema version read as the snapshot read it; undefined when there is no way to read it (no schema_version query). */
  schemaVersion?: string | null;
  /** The same keys as SnapshotInfo.counts, counted the same way. */
  counts: Record<string, number>;
}

/**
 * How a restore will replace the live data with what `materialize` built:
 * a list of steps planned before the first one is made. The restore journal
 * (restore/journal.ts) records every source's steps, fsync'd, before any step
 * is made, so that a run killed at any instant can be undone as a whole by
 * the next run. A step is plain JSON, the adapter's own: only it reads them.
 *
 * The previous state is only ever renamed (or linked) into a restore point,
 * never rewritten: an undo gives back the very same bytes. A restore point is
 * only ever removed by the user: restorable prints where it is.
 */
export interface SwapPlan<S = unknown> {
  /** Where the previous state will live (a path, or database names); null when there is none. */
  point: string | null;
  steps: S[];
  /** What is left of the build once every step is made (the shell of a new folder): removed after a restore that stands. */
  leftover?: string;
}

export interface SourceAdapter<C extends { type: string; name: string } = { type: string; name: string }> {
  readonly type: C['type'];
  /** Databases snapshot before files so files never reference rows that are missing. */
  readonly kind: 'database' | 'files';
  readonly schema: z.ZodType<C, unknown>;
  /** Extension of the raw snapshot, before compression: `.sqlite`, `.tar`. */
  readonly extension: string;
  /** When the artifact's shape depends on the config (one dump or a tar of several): its extension. */
  extensionOf?(config: C): string;

  /** One line for the dry run: what will be read and how. */
  describe(config: C, ctx: Pick<SourceContext, 'planDir'>): string;
  /** Preflight: throws a RunError with a hint when the source cannot be snapshot. */
  probe(config: C, ctx: SourceContext): Promise<void>;
  snapshot(config: C, ctx: SourceContext): Promise<Snapshot>;

  /** Where the live data is: a path (files, SQLite) or a connection target. */
  liveLocation(config: C, ctx: Pick<SourceContext, 'planDir'>): string;
  /** The schema version of the live data now, or null when there is none to read. */
  currentSchemaVersion(config: C, ctx: SourceContext): Promise<string | null>;
  /**
   * Builds restored data at `into` (which must not exist yet) from the decoded
   * snapshot stream. Refuses unsafe content (e.g. archive entries that escape
   * `into`) with an IntegrityError, and leaves nothing behind when it fails:
   * the caller destroys `stream` then, which ends the decoder's processes.
   */
  materialize(config: C, stream: Readable, into: string, ctx: SourceContext): Promise<void>;
  /**
   * Restore and drill preflight, before any hook runs or artifact is opened:
   * throws a RunError naming each right the restore would need and lacks
   * (e.g. CREATEDB on a database server), so that it fails fast and says why.
   */
  checkRestore?(config: C, ctx: SourceContext, mode: 'restore' | 'drill'): Promise<void>;
  /** Where `materialize` should build the data so that the swap is renames (same file system). */
  stagingLocation(config: C, ctx: SourceContext, tag: string): string;
  /**
   * Plans the swap of `staged` in, changing nothing live (it may refuse, e.g.
   * a database still open). `keep` holds the live paths of the plan's other
   * sources (see `ownedPaths`): a folder restore leaves them where they are.
   * `partial`: the build holds some paths only (restore --path, files
   * sources): they replace their live counterparts and nothing else changes.
   */
  planSwap(config: C, staged: string, ctx: SourceContext, tag: string, keep: readonly string[], partial?: boolean): Promise<SwapPlan>;
  /** Makes one step of a plan from `planSwap`, in order. */
  runStep(config: C, step: unknown, ctx: SourceContext): Promise<void>;
  /**
   * Puts the previous state back after any prefix of `steps` was made (none,
   * some, all; the last one perhaps half made, as a kill leaves it), looking
   * at the live data to tell which. Running it again does nothing more. It
   * also drops data the steps brought in that is no longer needed (e.g. a
   * half-swapped new database). Used in the run itself and by the next run
   * after a crash, with `config` from the plan.
   */
  undoSteps(config: C, steps: readonly unknown[], ctx: SourceContext): Promise<void>;
  /**
   * The paths in the file system that this source's restore replaces (a
   * database file and its companions, a folder), when it has any: another
   * source's folder that contains them must leave them alone.
   */
  ownedPaths?(config: C, ctx: Pick<SourceContext, 'planDir'>): string[];
  /** Removes data built by `materialize` that will not be used. */
  /**
   * `config` matters when a later run discards what a killed one built
   * (restore/journal.ts): the record of the build kept in memory is gone then.
   */
  discard(staged: string, config: C): Promise<void>;
  /**
   * Where a drill builds its scratch copy when that is not a folder in the run's
   * staging folder (a scratch database on the server); the drill discards it.
   */
  scratchLocation?(config: C, ctx: SourceContext, tag: string): string;
  /**
   * `restore --to URL`: the same source pointed at another place (another
   * server or database). Refuses (RefusedError) a place that holds data.
   */
  retarget?(config: C, url: string): Promise<C>;
  /**
   * Reads data built by `materialize` at `location` (opening it with the
   * engine, never trusting the artifact's own claims) and reports what it
   * finds. Restore and drill call it on every build, before any health check
   * and before any swap; a difference from the manifest refuses the data.
   * Must not change the data. Adapters without it are not checked. A drill
   * has no one waiting on it: `purpose` 'drill' asks for the engine's full
   * check where a restore gets a quicker one (SQLite: integrity_check, not
   * quick_check).
   */
  inspectBuilt?(config: C, location: string, ctx: SourceContext, purpose: 'restore' | 'drill'): Promise<BuiltInfo>;
  /** Runs a health-check query at `location`; returns the first column of the first row. */
  query?(config: C, location: string, sql: string): Promise<unknown>;
}
