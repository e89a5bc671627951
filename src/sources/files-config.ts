/** A `type: files` source's plan entry, and which paths of its folder a backup takes. */
import { basename } from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { BESIDE_NAME } from './path-swap.js';
import { sourceBase } from './source.js';

export const filesConfig = z.strictObject({
  ...sourceBase,
  type: z.literal('files'),
  path: z.string().min(1),
  /** Globs relative to `path`; a file is kept when it matches one (default: all). */
  include: z.array(z.string().min(1)).optional(),
  /** Globs relative to `path`; matching files and folders are left out. */
  exclude: z.array(z.string().min(1)).default([]),
  /**
   * repository (default): a deduplicated, content-addressed repository per
   * target (only what changed is stored; see docs/repository.md). tar: one
   * plain archive per backup, the default in a plan with a write-once target
   * (GitHub artifact, cache), which cannot hold a repository.
   */
  storage: z.enum(['tar', 'repository']).default('repository'),
});
export type FilesConfig = z.infer<typeof filesConfig>;

/** Whether a path (relative to the folder, `/`-separated) goes into the archive: the rules the walk applies. */
export function selector(config: Pick<FilesConfig, 'exclude' | 'include'>): (path: string, isDir: boolean) => boolean {
  const excluded = picomatch(config.exclude, { dot: true });
  const included = config.include ? picomatch(config.include, { dot: true }) : () => true;
  return (path, isDir) => {
    if (path === '.' || path === '') return true;
    // restorable's own builds and restore points (a nested database's) are never the folder's data.
    if (BESIDE_NAME.test(basename(path))) return false;
    if (excluded(path) || (isDir && excluded(`${path}/`))) return false;
    return isDir || included(path);
  };
}
