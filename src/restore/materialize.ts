/**
 * Builds one source's restored data from a verified artifact: through the
 * adapter for a self-contained artifact (a database file, a dump, a tar), or
 * from the target's repository for a snapshot object (storage: repository).
 */
import type { Plan } from '../plan/schema.js';
import { FallbackReader, RepoReader } from '../repository/reader.js';
import { createTarget } from '../targets/index.js';
import { noteLeftOut } from '../sources/files.js';
import { buildSnapshot } from '../repository/restore.js';
import type { SnapshotObject } from '../repository/format.js';
import { decoded } from './locate.js';
import { snapshotOf } from './snapshot-object.js';
import type { Prepared, Selected } from './prepare.js';


async function openRepository(plan: Plan, { target, keys, manifest }: Prepared, selected: Selected): Promise<{ snapshot: SnapshotObject; reader: RepoReader }> {
  const snapshot = await snapshotOf(plan.name, manifest.backup_id, selected, keys);
  return { snapshot, reader: await RepoReader.open(target, plan.name, snapshot, plan.encryption, keys) };
}

export async function materialize(plan: Plan, prepared: Prepared, selected: Selected, into: string): Promise<void> {
  const { config, adapter, entry, artifact } = selected;
  const { target, keys, ctx } = prepared;
  if (entry.storage !== 'repository') {
    const { bytes } = entry.artifact;
    const stream = decoded(artifact, entry, keys, (done) => ctx.reporter.progress(`build:${config.name}`, done, bytes, `restoring ${config.name}`));
    // A build that fails before reading it all must not leave a decoder (zstd) blocked on a full pipe.
    return adapter.materialize(config, stream, into, ctx).finally(() => stream.destroy());
  }
  const { snapshot, reader: primary } = selected.opened ?? (await openRepository(plan, prepared, selected));
  // The other targets' repositories, opened only if a blob here turns out damaged or missing.
  const others = async () => {
    const readers: RepoReader[] = [];
    for (const config of plan.targets.filter((t) => t.name !== target.name)) {
      const other = createTarget(config, { planDir: ctx.planDir, env: prepared.env, onRetry: (message) => ctx.reporter.warn(message) });
      const reader = await RepoReader.open(other, plan.name, snapshot, plan.encryption, keys).catch(() => undefined);
      if (reader) readers.push(reader);
    }
    return readers;
  };
  const reader = new FallbackReader(primary, others, (message) => ctx.reporter.warn(message));
  const only = selected.choice && ((path: string) => selected.choice!.wanted.has(path));
  const { dropped } = await buildSnapshot({ reader, snapshot, into, source: config.name, reporter: ctx.reporter, signal: ctx.signal, ...(only ? { only } : {}) });
  noteLeftOut(into, dropped);
}
