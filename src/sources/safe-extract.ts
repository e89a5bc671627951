/**
 * Extracting an archive that may not be ours. Anyone with a target's write
 * access (or an age public key) can hand us a well-formed archive, so this
 * checks every entry before it is written:
 * - a path that is absolute or climbs out with `..` refuses the whole archive
 *   (restorable never writes such entries, so the archive was tampered with);
 * - devices, fifos and other special entries refuse the whole archive;
 * - a hard link must point inside the archive;
 * - a symlink whose target resolves outside the folder is not created, and a
 *   warning names it (apps do keep such links; the rest of the data matters more).
 * Extraction goes into a new folder; on any refusal it is removed again.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname, isAbsolute, posix, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { IntegrityError } from '../errors.js';
import type { Reporter } from '../report/reporter.js';

const ALLOWED = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

function escapes(path: string): boolean {
  if (isAbsolute(path) || posix.isAbsolute(path) || /^[a-zA-Z]:/.test(path)) return true;
  return posix.normalize(path.replaceAll('\\', '/')).split('/').includes('..');
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Why an entry must not be extracted at all, or undefined when it may be. */
export function refusal(entry: { path: string; type: string; linkpath?: string }): string | undefined {
  if (escapes(entry.path)) return `entry "${entry.path}" points outside the destination`;
  if (!ALLOWED.has(entry.type)) return `entry "${entry.path}" is a ${entry.type}, which is never restored`;
  if (entry.type === 'Link' && (!entry.linkpath || escapes(entry.linkpath))) return `hard link "${entry.path}" points outside the destination (${entry.linkpath})`;
  return undefined;
}

export async function extractSafely(stream: Readable, into: string, options: { source: string; reporter: Reporter }): Promise<void> {
  await mkdir(into, { recursive: false });
  const dropped: string[] = [];
  const extractor = tar.extract({
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
      if (read.type === 'SymbolicLink') {
        const at = resolve(into, path);
        if (!read.linkpath || isAbsolute(read.linkpath) || !inside(into, resolve(dirname(at), read.linkpath))) {
          dropped.push(`${path} -> ${read.linkpath}`);
          return false;
        }
      }
      return true;
    },
  });
  try {
    await pipeline(stream, extractor as unknown as NodeJS.WritableStream);
  } catch (error) {
    await rm(into, { recursive: true, force: true });
    throw error;
  }
  if (dropped.length > 0) {
    options.reporter.warn(
      `Files source "${options.source}": ${dropped.length} symlink(s) pointing outside the folder were not restored: ${dropped.slice(0, 5).join(', ')}`,
    );
  }
}
