/**
 * Backup ids are the "version tag" of a backup: sortable UTC time, the app's
 * version, and a short random tag so two runs in one second never collide,
 * e.g. `20261121T020000Z-v1.118.2-3f9a1c`. Sorting ids as strings sorts them
 * by time.
 */
import { randomBytes } from 'node:crypto';

const ID = /^(\d{8}T\d{6}Z)(?:-v(.+))?-([0-9a-f]{6})$/;

export function sanitizeVersion(version: string): string {
  return version.replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 40);
}

export function makeBackupId(at: Date, appVersion: string | null, tag = randomBytes(3).toString('hex')): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return [stamp, appVersion ? `v${sanitizeVersion(appVersion)}` : undefined, tag].filter(Boolean).join('-');
}

export interface ParsedBackupId {
  id: string;
  time: Date;
  appVersion: string | null;
}

export function parseBackupId(id: string): ParsedBackupId | undefined {
  const match = ID.exec(id);
  if (!match) return undefined;
  const s = match[1]!;
  const time = new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
  // Date() quietly moves Feb 30 to March: an id whose stamp does not round-trip is not an id.
  if (Number.isNaN(time.getTime()) || !makeBackupId(time, null, 'x').startsWith(s)) return undefined;
  return { id, time, appVersion: match[2] ?? null };
}
