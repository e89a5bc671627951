/**
 * A repository source's snapshot object, read from its verified artifact (the
 * backup's own file on the target) and proven to belong to this plan, backup
 * and source. Used to choose what a partial restore builds (prepare.ts) and to
 * build it (materialize.ts).
 */
import { text } from 'node:stream/consumers';
import type { DecryptionKeys } from '../artifacts/encrypt.js';
import type { SourceEntry } from '../artifacts/manifest.js';
import { IntegrityError } from '../errors.js';
import type { SnapshotObject } from '../repository/format.js';
import { parseSnapshot } from '../repository/reader.js';
import { decoded } from './locate.js';

/** The snapshot object of a repository source, from its verified artifact, proven to be this backup's and this source's. */
export async function snapshotOf(plan: string, backupId: string, selected: { entry: SourceEntry; artifact: string; config: { name: string } }, keys: DecryptionKeys): Promise<SnapshotObject> {
  const { entry, artifact, config } = selected;
  const what = `The snapshot object ${entry.artifact.file} of backup ${backupId}`;
  const snapshot = parseSnapshot(Buffer.from(await text(decoded(artifact, entry, keys))), what);
  if (snapshot.backup_id !== backupId || snapshot.source !== config.name || snapshot.plan !== plan) {
    throw new IntegrityError(`${what} belongs to ${snapshot.plan}/${snapshot.backup_id}/${snapshot.source}.`, { hint: 'The backup folder holds another backup\'s snapshot; use another backup (--backup ID).' });
  }
  return snapshot;
}
