/**
 * Room for a restore, checked before it starts: every place a restore writes
 * to (beside the live data, the staging folder) must hold what the manifest
 * says will land there. Places on one file system share its free space. A
 * full disk met later anyway (another process filled it) is told the same
 * way: `noRoom` names the place and the room needed, exit 1.
 */
import { stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SourceEntry } from '../artifacts/manifest.js';
import { RunError } from '../errors.js';
import type { PathChoice } from './path-choice.js';

export interface Need {
  /** A folder the restore writes in (it may not exist yet: its nearest existing parent is measured). */
  place: string;
  bytes: number;
  /** What lands there, for the message: `source "db"`, `the download of db.sqlite.zst`. */
  what: string;
}

export function mib(bytes: number): string {
  return bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * What building `entry` writes, by the manifest: its decoded size (a
 * repository snapshot: the bytes of its files), plus a
 * block per file and folder of a files source (a tar packs small files
 * tighter than a disk stores them). Null when an old manifest does not say.
 */
export function buildBytes(entry: SourceEntry, blockSize = 4096): number | null {
  // A repository source's artifact is its snapshot object (a few KiB): what it builds is its files.
  const decoded = entry.storage === 'repository' ? entry.counts.bytes : entry.artifact.decoded_bytes;
  if (decoded === undefined) return null;
  return entry.kind === 'files' ? withBlocks(decoded, entry.counts, blockSize) : decoded;
}

/** What a partial restore (restore --path) builds: the chosen files' bytes and a block per entry, as buildBytes counts. */
export function choiceBytes({ counts }: PathChoice, blockSize = 4096): number {
  return withBlocks(counts.bytes, counts, blockSize);
}

function withBlocks(bytes: number, counts: { files?: number; dirs?: number; symlinks?: number }, blockSize: number): number {
  return bytes + ((counts.files ?? 0) + (counts.dirs ?? 0) + (counts.symlinks ?? 0)) * blockSize;
}

/** At least what the manifest says will be written, for a message when an old manifest lacks the decoded size. */
export function roomNeeded(entry: SourceEntry): string {
  const bytes = buildBytes(entry);
  if (bytes !== null) return `about ${mib(bytes)}`;
  return `more than ${mib(entry.counts.bytes ?? entry.artifact.bytes)}`;
}

async function existing(path: string): Promise<string> {
  for (let at = path; ; at = dirname(at)) {
    if (await stat(at).then(() => true, () => false)) return at;
    if (dirname(at) === at) return at;
  }
}

/** Refuses (RunError, exit 1) when the places on one file system need more than it has free, before anything is written. */
export async function checkRoom(needs: Need[]): Promise<void> {
  const byDevice = new Map<number, { free: number; needs: Need[]; place: string }>();
  for (const need of needs) {
    const at = await existing(need.place);
    const { dev } = await stat(at);
    if (!byDevice.has(dev)) {
      const fs = await statfs(at);
      byDevice.set(dev, { free: fs.bavail * fs.bsize, needs: [], place: need.place });
    }
    byDevice.get(dev)!.needs.push(need);
  }
  for (const { free, needs: here, place } of byDevice.values()) {
    const total = here.reduce((sum, n) => sum + n.bytes, 0);
    // 2% and 1 MiB to spare: a file system never hands out its last blocks to data alone.
    if (free >= total * 1.02 + 2 ** 20) continue;
    throw new RunError(
      `Not enough room to restore: ${here.map((n) => `${n.what} needs about ${mib(n.bytes)} in ${n.place}`).join('; ')}; that file system has ${mib(free)} free. Nothing was changed.`,
      { hint: `Free about ${mib(total * 1.02 + 2 ** 20 - free)} on the file system of ${place}${here.some((n) => n.what.startsWith('the download')) ? ', or point --staging at a folder with more room' : ''}, then run again.` },
    );
  }
}

/** A full disk met while restoring, as a sentence naming the place and the room needed. */
export function noRoom(what: string, place: string, needed: string, cause: unknown, options: { staging?: boolean } = {}): RunError {
  return new RunError(`The disk is full: ${what} needs ${needed} in ${place}, and the disk filled while restoring it. The partial copy was removed; the live data was not touched.`, {
    hint: `Free that much on the file system of ${place}${options.staging ? ' (or point --staging at a folder with more room)' : ''}, then run again.`,
    cause,
  });
}

/** Whether `error` (or what it wraps) is the system's "no space left on device". */
export function isNoSpace(error: unknown): boolean {
  for (let at: unknown = error; at; at = (at as { cause?: unknown }).cause) {
    const code = (at as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'SQLITE_FULL' || /ENOSPC|no space left on device|database or disk is full/i.test(String((at as Error).message ?? ''))) return true;
  }
  return false;
}
