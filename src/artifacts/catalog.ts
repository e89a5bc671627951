/**
 * What backups a target holds, read from its keys and manifests. A folder
 * without a manifest is an incomplete backup (a run that crashed or is still
 * writing): it is never listed as a backup, and prune may clear it once old.
 */
import { Readable } from 'node:stream';
import { IntegrityError, NotFoundError, reason } from '../errors.js';
import { faultStep } from '../util/fault.js';
import type { Signing } from '../plan/schema.js';
import type { StoredObject, Target } from '../targets/target.js';
import { compareBackupIds, parseBackupId } from './backup-id.js';
import { DRILL, MANIFEST, drillSchema, manifestSchema, type DrillRecord, type Manifest } from './manifest.js';
import { SIGNATURE, checkManifestSignature } from './signature.js';

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
    .sort((a, b) => compareBackupIds(b.id, a.id));
}

/**
 * Removes one backup from a target, manifest.json first: a removal cut short
 * leaves an incomplete backup (never listed), not a listed one with files
 * missing. `objects` saves a listing when the caller has one.
 */
export async function removeBackup(target: Target, plan: string, id: string, objects?: readonly StoredObject[]): Promise<void> {
  const manifestKey = keyOf.file(plan, id, MANIFEST);
  faultStep('prune');
  await target.remove([manifestKey]);
  const rest = objects ?? (await target.list(keyOf.dir(plan, id)));
  faultStep('prune');
  await target.remove(rest.map((o) => o.key).filter((key) => key !== manifestKey));
}

export async function readBytes(target: Target, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await target.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function readText(target: Target, key: string): Promise<string> {
  return (await readBytes(target, key)).toString('utf8');
}

/**
 * Commits a backup on one target by writing its manifest. For a signing plan
 * the signature goes first, and a manifest being replaced is removed before
 * (so a run cut short leaves an incomplete backup, never a listed manifest
 * whose signature is of another version of it).
 */
export async function putManifest(target: Target, plan: string, id: string, body: Buffer, signature?: string): Promise<void> {
  const manifestKey = keyOf.file(plan, id, MANIFEST);
  if (signature !== undefined) {
    if (!target.writeOnce) await target.remove([manifestKey]);
    await target.put(keyOf.file(plan, id, SIGNATURE), Readable.from([Buffer.from(signature)]));
  }
  await target.put(manifestKey, Readable.from([body]));
}

/** The stored manifest.json.sig, or undefined when there is none. */
async function readSignature(target: Target, plan: string, id: string): Promise<string | undefined> {
  return readText(target, keyOf.file(plan, id, SIGNATURE)).catch((error: unknown) => {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  });
}

/** A backup's manifest; with the plan's `signing`, only when its signature is good (else a SignatureError). */
export async function readManifest(target: Target, plan: string, id: string, signing?: Signing): Promise<Manifest> {
  const key = keyOf.file(plan, id, MANIFEST);
  const bytes = await readBytes(target, key);
  if (signing) checkManifestSignature(bytes, await readSignature(target, plan, id), signing, { id, target: target.name });
  const text = bytes.toString('utf8');
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
