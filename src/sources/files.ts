/**
 * A folder of files (uploads, media, attachments), streamed into a tar archive.
 * Symlinks are stored as links, never followed; modes and mtimes are kept;
 * sockets, devices and fifos are skipped with a warning. Restores extract into
 * a new folder beside the live one and refuse archives that try to write
 * outside it (see safe-extract.ts).
 */
import { lstatSync, type Stats } from 'node:fs';
import { access, constants, lstat, readdir, rm, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { RunError, ioHint, reason } from '../errors.js';
import { BESIDE_NAME, besidePath, inside, pathStep, planMergeSwap, planTreeSwap, runPathStep, undoPathSteps } from './path-swap.js';
import { extractSafely } from './safe-extract.js';
import { TreePack } from './tar-pack.js';
import { walkTree, type TreeEntry } from './tree-walk.js';
import { type SourceAdapter, type SnapshotInfo } from './source.js';
import { filesConfig, selector, type FilesConfig } from './files-config.js';
import { SOURCE_KINDS } from './configs.js';

interface Walk {
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
  skipped: string[];
  unreadable: string[];
}


/** Symlinks that extraction left out, by the folder it built: inspectBuilt counts them as restored. */
const leftOut = new Map<string, number>();

/** A build made outside `materialize` (from a repository) that left out `count` unsafe symlinks. */
export function noteLeftOut(into: string, count: number): void {
  leftOut.set(into, count);
}

/** Counts a restored tree the way the snapshot's walk counted it (the root folder itself is not counted). */
async function countTree(root: string): Promise<{ files: number; dirs: number; symlinks: number; bytes: number }> {
  const counts = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  // A stack, not recursion: a tree may be deeper than the call stack.
  const folders = [root];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        counts.dirs += 1;
        folders.push(path);
      } else if (entry.isSymbolicLink()) counts.symlinks += 1;
      else if (entry.isFile()) {
        counts.files += 1;
        counts.bytes += lstatSync(path).size; // sync: one call, not a thread-pool round trip per file
      }
    }
  }
  return counts;
}

/**
 * What the tar of the folder will weigh (512-byte headers and blocks), from a
 * walk of its own that runs beside the archive's: the total progress counts
 * towards. An estimate: the tree can change while it is read.
 */
async function tarSizeOf(root: string, keep: (path: string, isDir: boolean) => boolean): Promise<number> {
  let bytes = 1024;
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (!keep(rel, entry.isDirectory())) continue;
      bytes += 512;
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) bytes += Math.ceil(((await lstat(path).catch(() => undefined))?.size ?? 0) / 512) * 512;
    }
  };
  await visit(root);
  return bytes + 512;
}

export const files: SourceAdapter<FilesConfig> = {
  type: 'files',
  kind: SOURCE_KINDS.files,
  schema: filesConfig,
  extension: '.tar',

  describe(config, ctx) {
    const filters = [config.include && `include ${config.include.join(', ')}`, config.exclude.length > 0 && `exclude ${config.exclude.join(', ')}`];
    const note = filters.filter(Boolean).join('; ');
    return `tar of ${resolve(ctx.planDir, config.path)}${note ? ` (${note})` : ''}, symlinks as links`;
  },

  liveLocation: (config, ctx) => resolve(ctx.planDir, config.path),

  async probe(config, ctx) {
    const root = files.liveLocation(config, ctx);
    try {
      const info = await stat(root);
      if (!info.isDirectory()) throw new RunError(`Files source "${config.name}": ${root} is not a folder.`, { hint: 'Point `path` at a folder.' });
      await access(root, constants.R_OK | constants.X_OK);
    } catch (error) {
      if (error instanceof RunError) throw error;
      throw new RunError(`Files source "${config.name}": cannot read ${root}: ${reason(error)}`, { hint: ioHint(error), cause: error });
    }
  },

  async snapshot(config, ctx) {
    const root = files.liveLocation(config, ctx);
    const keep = selector(config);
    const walk: Walk = { files: 0, dirs: 0, symlinks: 0, bytes: 0, skipped: [], unreadable: [] };
    const entries = function* (): Generator<TreeEntry> {
      for (const entry of walkTree(root, { keep, unreadable })) {
        const { rel, stats } = entry;
        if (stats.isFile()) {
          walk.files += 1;
          walk.bytes += stats.size;
        } else if (stats.isDirectory()) walk.dirs += rel === '.' ? 0 : 1;
        else if (stats.isSymbolicLink()) walk.symlinks += 1;
        else {
          walk.skipped.push(rel);
          continue;
        }
        yield entry;
      }
    };
    const unreadable = (rel: string, message: string) => void walk.unreadable.push(`${rel}: ${message}`);
    const vanished = (_rel: string, stats: Stats) => {
      if (stats.isSymbolicLink()) walk.symlinks -= 1;
      else {
        walk.files -= 1;
        walk.bytes -= stats.size;
      }
    };
    const stream: Readable = new TreePack(entries(), { unreadable, vanished });
    const info = new Promise<SnapshotInfo>((resolveInfo, reject) => {
      stream.once('end', () => {
        if (walk.skipped.length > 0) ctx.reporter.warn(`Files source "${config.name}": skipped ${walk.skipped.length} special file(s) (sockets, devices, fifos): ${walk.skipped.slice(0, 5).join(', ')}`);
        if (walk.unreadable.length > 0) {
          reject(
            new RunError(`Files source "${config.name}": ${walk.unreadable.length} path(s) could not be read: ${walk.unreadable.slice(0, 5).join('; ')}`, {
              hint: 'Give the user running restorable read access to the whole folder, or exclude those paths in the plan.',
            }),
          );
          return;
        }
        const { files: count, dirs, symlinks, bytes } = walk;
        resolveInfo({ engine: null, method: 'tar stream', schemaVersion: null, counts: { files: count, dirs, symlinks, bytes } });
      });
      stream.once('error', reject);
    });
    info.catch(() => undefined);
    return { stream: () => stream, info, expectedBytes: tarSizeOf(root, keep).catch(() => undefined) };
  },

  currentSchemaVersion: async () => null,

  async materialize(config, stream, into, ctx) {
    leftOut.set(into, (await extractSafely(stream, into, { source: config.name, reporter: ctx.reporter })).length);
  },

  async inspectBuilt(_config, location) {
    const found = await countTree(location);
    // Links that pointed outside the folder were left out on purpose (and named in a warning): they were in the archive.
    found.symlinks += leftOut.get(location) ?? 0;
    return { unsound: null, counts: { ...found } };
  },

  stagingLocation: (config, ctx, tag) => besidePath(files.liveLocation(config, ctx), 'new', tag),

  async planSwap(config, staged, ctx, tag, keep, partial) {
    const root = files.liveLocation(config, ctx);
    const covered = selector(config);
    // Other sources' files below the folder, by path relative to it.
    const others = new Set(keep.flatMap((path) => inside(root, path) ?? []));
    const kept = (rel: string, isDir: boolean) => others.has(rel) || BESIDE_NAME.test(basename(rel)) || !covered(rel, isDir);
    return partial ? planMergeSwap(root, staged, tag, kept) : planTreeSwap(root, staged, tag, kept, [...others]);
  },

  runStep: (_config, step) => runPathStep(pathStep.parse(step)),

  undoSteps: (_config, steps) => undoPathSteps(steps.map((s) => pathStep.parse(s))),

  ownedPaths: (config, ctx) => [files.liveLocation(config, ctx)],

  async discard(staged) {
    leftOut.delete(staged);
    await rm(staged, { recursive: true, force: true });
  },
};
