/**
 * Builds one source's restored data from a verified artifact: through the
 * adapter for a self-contained artifact (a database file, a dump, a tar), or
 * from the target's repository for a snapshot object (storage: repository).
 */
import { text } from 'node:stream/consumers';
import { IntegrityError } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import { RepoReader, parseSnapshot } from '../repository/reader.js';
import { buildSnapshot } from '../repository/restore.js';
import type { Target } from '../targets/target.js';
import type { DecryptionKeys } from '../artifacts/encrypt.js';
import type { SourceContext } from '../sources/source.js';
import { decoded } from './locate.js';
import type { Selected } from './prepare.js';

export async function materialize(loaded: LoadedPlan, target: Target, backupId: string, selected: Selected, keys: DecryptionKeys, into: string, ctx: SourceContext): Promise<void> {
  const { config, adapter, entry, artifact } = selected;
  if (entry.storage !== 'repository') return adapter.materialize(config, decoded(artifact, entry, keys), into, ctx);
  const what = `The snapshot object ${entry.artifact.file} of backup ${backupId}`;
  const snapshot = parseSnapshot(Buffer.from(await text(decoded(artifact, entry, keys))), what);
  if (snapshot.backup_id !== backupId || snapshot.source !== config.name || snapshot.plan !== loaded.plan.name) {
    throw new IntegrityError(`${what} belongs to ${snapshot.plan}/${snapshot.backup_id}/${snapshot.source}.`, { hint: 'The backup folder holds another backup\'s snapshot; use another backup (--backup ID).' });
  }
  const reader = await RepoReader.open(target, loaded.plan.name, snapshot, loaded.plan.encryption, keys);
  await buildSnapshot({ reader, snapshot, into, source: config.name, reporter: ctx.reporter, signal: ctx.signal });
}
