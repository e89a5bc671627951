/**
 * Extracting an archive that may not be ours. Anyone with a target's write
 * access (or an age public key) can hand us a well-formed archive, so this
 * checks every entry before it is written:
 * - a path that is absolute or climbs out with `..` refuses the whole archive
 *   (restorable never writes such entries, so the archive was tampered with);
 * - devices, fifos and other special entries refuse the whole archive;
 * - a hard link must point inside the archive;
 * - a symlink whose target resolves outside the folder, or passes through
 *   another symlink of the archive (wherever that one stands in it), is not
 *   created or is removed again, and a warning names it (apps do keep such
 *   links; the rest of the data matters more).
 * - permissions are never widened: setuid, setgid and world-write bits are
 *   cleared (NEUTRAL_MASK); run as root, owners are restored as recorded
 *   (an app's files belong to its user), otherwise files belong to the user
 *   running restorable.
 * Extraction goes into a new folder; on any refusal it is removed again.
 */
import { mkdir, rm, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { IntegrityError } from '../errors.js';
import type { Reporter } from '../report/reporter.js';

/** Bits an extracted entry never gets: setuid, setgid, and write for others. */
export const NEUTRAL_MASK = 0o6002;

const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

function escapes(path: string): boolean {
  if (escapesAbsolutely(path)) return true;
  return posix.normalize(path.replaceAll('\\', '/')).split('/').includes('..');
}

/**
 * Whether a symlink at `path` pointing at `target` stays inside the folder,
 * walking the target one segment at a time. A target that passes through a
 * symlink extracted earlier is refused too: `d -> ../../..` may point at the
 * folder itself, but `x -> d/..` then climbs out of it, and text alone cannot
 * tell (links are resolved on disk, not lexically).
 */
export function linkStaysInside(path: string, target: string | undefined, links: ReadonlySet<string>): boolean {
  if (!target || escapesAbsolutely(target)) return false;
  const at = posix.normalize(path.replaceAll('\\', '/')).split('/').filter(Boolean).slice(0, -1);
  for (const part of target.replaceAll('\\', '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (at.length === 0) return false;
      at.pop();
      continue;
    }
    at.push(part);
    if (links.has(at.join('/'))) return false;
  }
  return true;
}

function escapesAbsolutely(path: string): boolean {
  return isAbsolute(path) || posix.isAbsolute(path) || /^[a-zA-Z]:/.test(path);
}

/**
 * Folders an entry may be nested in. node-tar refuses deeper ones too, but as
 * a crash-like warning; Linux's PATH_MAX (4096 bytes) allows about 2,000.
 */
export const MAX_DEPTH = 1024;

/** An entry's path for a message: a hostile one may be thousands of characters long. */
function shown(path: string): string {
  return path.length > 120 ? `${path.slice(0, 60)}...${path.slice(-40)}` : path;
}

/** Why an entry must not be extracted at all, or undefined when it may be. */
export function refusal(entry: { path: string; type: string; linkpath?: string }): string | undefined {
  const depth = entry.path.split(/[\\/]+/).filter(Boolean).length;
  if (depth > MAX_DEPTH) return `entry "${shown(entry.path)}" is ${depth} levels deep, deeper than ${MAX_DEPTH} folders`;
  if (escapes(entry.path)) return `entry "${entry.path}" points outside the destination`;
  if (!ALLOWED.has(entry.type)) return `entry "${entry.path}" is a ${entry.type}, which is never restored`;
  if (entry.type === 'Link' && (!entry.linkpath || escapes(entry.linkpath))) return `hard link "${entry.path}" points outside the destination (${entry.linkpath})`;
  return undefined;
}

/** Extracts `stream` into the new folder `into`; resolves with the symlinks left out (`path -> target`), already warned about. */
/**
 * node-tar's own refusals (codes TAR_*: writing through a symlink, a bad
 * header, a path it will not take) are the archive's fault: an IntegrityError.
 * System errors (ENOSPC, EACCES) are left as they are for the caller to word.
 */
function refused(error: unknown, into: string, source: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (error instanceof IntegrityError || typeof code !== 'string' || !code.startsWith('TAR_')) return error;
  const link = (error as { symlink?: unknown }).symlink;
  const why =
    code === 'TAR_SYMLINK_ERROR' && typeof link === 'string'
      ? `an entry would be written through the symlink "${relative(into, link)}" (a chain of links made inside the archive)`
      : `${(error as Error).message.replace(/^TAR_[A-Z_]+: /, '')} (${code})`;
  return new IntegrityError(`The archive for files source "${source}" is unsafe: ${why}.`, {
    hint: 'restorable never writes such archives: this artifact was altered or is not a restorable backup. Nothing was restored.',
    cause: error,
  });
}

export async function extractSafely(stream: Readable, into: string, options: { source: string; reporter: Reporter }): Promise<string[]> {
  await mkdir(dirname(into), { recursive: true });
  await mkdir(into, { recursive: false });
  const dropped: string[] = [];
  const links = new Set<string>();
  const created = new Map<string, string>();
  // The synchronous unpacker: the same checks, each file written with plain
  // sync calls instead of a round trip to libuv's thread pool per call. Half
  // the CPU per archive (profile: futex and epoll waits dominated), and the
  // decoder keeps running in its own process meanwhile.
  const extractor = new tar.UnpackSync({
    cwd: into,
    strict: true,
    preservePaths: false,
    chmod: true,
    processUmask: 0,
    filter(path, entry) {
      const read = entry as tar.ReadEntry;
      const why = refusal({ path, type: read.type, linkpath: read.linkpath });
      if (why) {
        extractor.abort(new IntegrityError(`The archive for files source "${options.source}" is unsafe: ${why}.`, {
          hint: 'restorable never writes such entries: this artifact was altered or is not a restorable backup. Nothing was restored.',
        }));
        return false;
      }
      if (typeof read.mode === 'number') read.mode &= ~NEUTRAL_MASK;
      if (read.type === 'SymbolicLink') {
        if (!linkStaysInside(path, read.linkpath, links)) {
          dropped.push(`${path} -> ${read.linkpath}`);
          return false;
        }
        const at = posix.normalize(path.replaceAll('\\', '/')).replace(/\/$/, '');
        links.add(at);
        created.set(at, read.linkpath!);
      }
      return true;
    },
  });
  try {
    await pipeline(stream, extractor as unknown as NodeJS.WritableStream);
    // Checked again once every link exists: `e -> a/a/../..` passes on its own,
    // and becomes `/..` of the folder when a later entry makes `a -> .`.
    for (const [at, target] of created) {
      if (linkStaysInside(at, target, links)) continue;
      await unlink(join(into, at));
      dropped.push(`${at} -> ${target}`);
    }
  } catch (error) {
    await rm(into, { recursive: true, force: true });
    throw refused(error, into, options.source);
  }
  if (dropped.length > 0) {
    options.reporter.warn(
      `Files source "${options.source}": ${dropped.length} symlink(s) pointing outside the folder were not restored: ${dropped.slice(0, 5).join(', ')}`,
    );
  }
  return dropped;
}
