/**
 * Opens one source's snapshot in a repository backup for reading (ls, dump,
 * export): the backup is found as restore finds it, its manifest read, the
 * snapshot object checked against the manifest's sha256 and opened.
 */
import { keyOf, readManifest } from '../artifacts/catalog.js';
import { decryptionKeys } from '../artifacts/encrypt.js';
import { IntegrityError, NotFoundError, UsageError } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import type { Reporter } from '../report/reporter.js';
import type { Secrets } from '../report/secrets.js';
import type { SnapshotObject } from '../repository/format.js';
import { RepoReader, parseSnapshot } from '../repository/reader.js';
import { open } from '../repository/seal.js';
import { readAll, sha256 } from '../repository/store.js';
import { createTarget } from '../targets/index.js';
import type { Target } from '../targets/target.js';
import { findBackup } from './locate.js';

export interface OpenedSnapshot {
  backupId: string;
  source: string;
  target: Target;
  reader: RepoReader;
  snapshot: SnapshotObject;
}

export async function openSnapshot(loaded: LoadedPlan, want: { backup: string; source?: string; target?: string }, io: { reporter: Reporter; env: NodeJS.ProcessEnv; secrets: Secrets }): Promise<OpenedSnapshot> {
  const { plan, dir } = loaded;
  const repos = plan.sources.filter((s) => s.type === 'files' && s.storage === 'repository').map((s) => s.name);
  const source = want.source ?? (repos.length === 1 ? repos[0] : undefined);
  if (!source || !repos.includes(source)) {
    throw new UsageError(repos.length === 0 ? 'The plan keeps no source in a repository (storage: repository).' : `Name the repository source with --source (${repos.join(', ')}).`, {
      hint: 'A tar backup is a plain archive already: `zstd -dc <source>.tar.zst | tar -t`.',
    });
  }
  const targets = plan.targets.map((config) => createTarget(config, { planDir: dir, env: io.env, onRetry: (message) => io.reporter.warn(message) }));
  const { id, holders } = await findBackup(targets, plan.name, want.backup, io.reporter, want.target);
  let firstProblem: unknown;
  for (const target of holders) {
    try {
      const manifest = await readManifest(target, plan.name, id);
      const entry = manifest.sources.find((s) => s.name === source);
      if (!entry) throw new NotFoundError(`Backup ${id} holds no source named "${source}".`);
      if (entry.storage !== 'repository') throw new UsageError(`Source "${source}" of backup ${id} is a tar archive, not a repository snapshot.`, { hint: `Read it as a plain archive: zstd -dc ${entry.artifact.file} | tar -t` });
      const stored = await readAll(target, keyOf.file(plan.name, id, entry.artifact.file));
      if (stored.length !== entry.artifact.bytes || sha256(stored) !== entry.artifact.sha256) throw new IntegrityError(`The snapshot object of backup ${id} on target "${target.name}" is damaged.`);
      const keys = entry.artifact.encryption ? decryptionKeys(io.env, plan.encryption, io.secrets) : { identities: [] };
      const snapshot = parseSnapshot(await open(stored, entry.artifact.encryption, keys, `The snapshot of backup ${id}`), `The snapshot of backup ${id}`);
      const reader = await RepoReader.open(target, plan.name, snapshot, plan.encryption, keys);
      return { backupId: id, source, target, reader, snapshot };
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      io.reporter.warn(error.message);
      firstProblem ??= error;
    }
  }
  throw firstProblem;
}
