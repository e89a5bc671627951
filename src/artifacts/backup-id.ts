/**
 * Backup ids are the "version tag" of a backup: sortable UTC time, the app's
 * version, and a short tag so two runs in one second never collide, e.g.
 * `20261121T020000Z-v1.118.2-3e71c4`. The tag's first three hex digits are
 * the milliseconds (000-3e7), the other three random: compareBackupIds
 * orders by time to the millisecond, whatever the versions. Ids made before
 * the tag held milliseconds (all random) tie within their second, and are
 * then ordered by tag, as before.
 */
import { randomBytes } from 'node:crypto';

const ID = /^(\d{8}T\d{6}Z)(?:-v(.+))?-([0-9a-f]{6})$/;

export function sanitizeVersion(version: string): string {
  return version.replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 40);
}

export function makeBackupId(at: Date, appVersion: string | null, tag = at.getUTCMilliseconds().toString(16).padStart(3, '0') + randomBytes(2).toString('hex').slice(0, 3)): string {
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

/**
 * Oldest first: by the time stamp, then the tag (milliseconds first), then
 * the whole id. A plain string sort would put the app's version before the
 * tag, and two backups in one second in the order of their random tags
 * (keep_last: 1 could then keep the older one).
 */
export function compareBackupIds(a: string, b: string): number {
  const x = ID.exec(a);
  const y = ID.exec(b);
  const keyA = x ? `${x[1]}-${x[3]}` : a;
  const keyB = y ? `${y[1]}-${y[3]}` : b;
  return keyA < keyB ? -1 : keyA > keyB ? 1 : a < b ? -1 : a > b ? 1 : 0;
}
