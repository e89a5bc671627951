/**
 * The snapshot of a files source stored as a repository: walk the folder into
 * every target's repository (only blobs a target lacks are written there),
 * then hand back the snapshot object, which the backup stores and verifies
 * like any artifact, before the manifest. One writer serves every such
 * source of a run, so sources deduplicate against each other too.
 */
import { relative } from 'node:path';
import { Readable } from 'node:stream';
import type { DecryptionKeys } from '../artifacts/encrypt.js';
import type { Plan } from '../plan/schema.js';
import type { Reporter } from '../report/reporter.js';
import { Cache, cacheDir } from '../repository/cache.js';
import { FileCache } from '../repository/file-cache.js';
import { REPO_FORMAT, type SnapshotObject } from '../repository/format.js';
import { walkIntoRepository } from '../repository/snapshot.js';
import { RepoWriter } from '../repository/writer.js';
import { files } from '../sources/files.js';
import { selector, type FilesConfig } from '../sources/files-config.js';
import type { Snapshot } from '../sources/source.js';
import type { Target } from '../targets/target.js';

export interface RepositoryRun {
  plan: Plan;
  planDir: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
  signal: AbortSignal;
  alive(): Target[];
  drop(target: Target, error: unknown): void;
}

export class RepositorySession {
  private writer: RepoWriter | undefined;
  private readonly caches: FileCache[] = [];
  constructor(private readonly run: RepositoryRun) {}

  private async open(): Promise<RepoWriter> {
    const { plan, planDir, env } = this.run;
    const keys: DecryptionKeys | null = plan.encryption?.passphrase !== undefined ? { passphrase: plan.encryption.passphrase, identities: [] } : null;
    this.writer ??= await RepoWriter.open({
      plan: plan.name,
      targets: this.run.alive(),
      encryption: plan.encryption,
      keys,
      cache: new Cache(cacheDir(plan.name, planDir, env)),
      reporter: this.run.reporter,
      drop: this.run.drop,
      alive: this.run.alive,
    });
    return this.writer;
  }

  /** Walks the source into the repositories; the returned snapshot streams the snapshot object. */
  async snapshot(source: FilesConfig, backupId: string, progress: (bytes: number) => void): Promise<Snapshot & { summary: string }> {
    const writer = await this.open();
    const cache = new Cache(cacheDir(this.run.plan.name, this.run.planDir, this.run.env));
    const fileCache = await FileCache.load(cache.filesPath(source.name), writer.idKey?.id ?? null);
    const root = files.liveLocation(source, { planDir: this.run.planDir });
    await files.probe(source, { planDir: this.run.planDir, stagingDir: '', reporter: this.run.reporter, signal: this.run.signal });
    const before = { ...writer.stats };
    const walked = await walkIntoRepository({ root, source: source.name, keep: selector(source), writer, files: fileCache, reporter: this.run.reporter, signal: this.run.signal, progress });
    await writer.finish();
    this.caches.push(fileCache);
    const object: SnapshotObject = {
      format: REPO_FORMAT,
      kind: 'restorable-snapshot',
      plan: this.run.plan.name,
      source: source.name,
      backup_id: backupId,
      time: new Date().toISOString(),
      root: walked.root,
      root_meta: walked.root_meta,
      key_id: writer.idKey?.id ?? null,
      counts: walked.counts,
    };
    const body = Buffer.from(`${JSON.stringify(object, null, 2)}\n`);
    const stats = writer.stats;
    const summary = `${walked.read.files} of ${walked.counts.files} files read (${walked.read.bytes} bytes), ${stats.blobs_new - before.blobs_new} new blobs, ${stats.packs - before.packs} packs (${stats.stored_bytes - before.stored_bytes} bytes) written per target; ${relative(this.run.planDir, root) || '.'}`;
    return {
      stream: () => Readable.from([body]),
      info: Promise.resolve({ engine: null, method: 'repository (content-defined chunks, deduplicated)', schemaVersion: null, counts: { ...walked.counts } }),
      summary,
    };
  }

  /** After the manifests are committed: the file caches now describe what the targets hold. */
  async commit(): Promise<void> {
    for (const cache of this.caches) await cache.save().catch((error: unknown) => this.run.reporter.warn(`Could not save the file cache: ${(error as Error).message}`));
  }
}
