/**
 * What backups a target holds, read from its keys and manifests. A folder
 * without a manifest is an incomplete backup (a run that crashed or is still
 * writing): it is never listed as a backup, and prune may clear it once old.
 */
import { IntegrityError, NotFoundError, reason } from '../errors.js';
import type { StoredObject, Target } from '../targets/target.js';
import { parseBackupId } from './backup-id.js';
import { DRILL, MANIFEST, drillSchema, manifestSchema, type DrillRecord, type Manifest } from './manifest.js';

export const keyOf = {
  dir: (plan: string, id: string) => `${plan}/${id}/`,
  file: (plan: string, id: string, file: string) => `${plan}/${id}/${file}`,
};

export interface StoredBackup {
  id: string;
  time: Date;
  /** Whether manifest.json exists: only complete backups are backups. */
  complete: boolean;
  objects: StoredObject[];
  bytes: number;
}

export async function listBackups(target: Target, plan: string): Promise<StoredBackup[]> {
  const byId = new Map<string, StoredObject[]>();
  for (const object of await target.list(`${plan}/`)) {
    const id = object.key.slice(plan.length + 1).split('/')[0]!;
    if (!parseBackupId(id)) continue;
    byId.set(id, [...(byId.get(id) ?? []), object]);
  }
  return [...byId.entries()]
    .map(([id, objects]) => ({
      id,
      time: parseBackupId(id)!.time,
      complete: objects.some((o) => o.key === keyOf.file(plan, id, MANIFEST)),
      objects,
      bytes: objects.reduce((sum, o) => sum + o.size, 0),
    }))
    .sort((a, b) => (a.id < b.id ? 1 : -1));
}

/**
 * Removes one backup from a target, manifest.json first: a removal cut short
 * leaves an incomplete backup (never listed), not a listed one with files
 * missing. `objects` saves a listing when the caller has one.
 */
export async function removeBackup(target: Target, plan: string, id: string, objects?: readonly StoredObject[]): Promise<void> {
  const manifestKey = keyOf.file(plan, id, MANIFEST);
  await target.remove([manifestKey]);
  const rest = objects ?? (await target.list(keyOf.dir(plan, id)));
  await target.remove(rest.map((o) => o.key).filter((key) => key !== manifestKey));
}

export async function readText(target: Target, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await target.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readManifest(target: Target, plan: string, id: string): Promise<Manifest> {
  const key = keyOf.file(plan, id, MANIFEST);
  const text = await readText(target, key);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IntegrityError(`The manifest of backup ${id} on target "${target.name}" is not valid JSON (${reason(error)}); it may be truncated.`, {
      hint: 'Use a copy of this backup from another target (--target), or another backup (--backup).',
    });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success || parsed.data.backup_id !== id) {
    throw new IntegrityError(`The manifest of backup ${id} on target "${target.name}" is damaged: ${parsed.success ? 'it names another backup' : parsed.error.issues[0]?.message}.`, {
      hint: 'Use a copy of this backup from another target (--target), or another backup (--backup).',
    });
  }
  return parsed.data;
}

export async function readDrill(target: Target, plan: string, id: string): Promise<DrillRecord | undefined> {
  try {
    const parsed = drillSchema.safeParse(JSON.parse(await readText(target, keyOf.file(plan, id, DRILL))));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
