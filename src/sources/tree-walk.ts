/**
 * The walk of a live folder: every entry once, a folder before what it holds,
 * names in a fixed order, symlinks never followed. Synchronous on purpose: a
 * folder of 200,000 thumbnails is 200,000 lstat calls, and each awaited one
 * is a round trip through libuv's thread pool that costs more than the call.
 * Memory is the depth of the tree plus one folder's names, never the number
 * of files.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { reason } from '../errors.js';

export interface TreeEntry {
  /** `/`-separated, relative to the root; the root itself is `.`. */
  rel: string;
  abs: string;
  stats: Stats;
}

export interface TreeWalkOptions {
  /** Whether to take a path (folders: and what is below it); the root is always taken. */
  keep(rel: string, isDir: boolean): boolean;
  /** A path that could not be looked at (not one gone since its folder was listed). */
  unreadable(rel: string, message: string): void;
}

/** Code-unit order, the same on every machine and locale. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Walks `root` depth first. The root's lstat or a folder's listing failing throws (the error as the system gave it). */
export function* walkTree(root: string, options: TreeWalkOptions): Generator<TreeEntry> {
  yield { rel: '.', abs: root, stats: lstatSync(root) };
  // A stack, not recursion: a tree may be deeper than the call stack.
  const stack: { abs: string; rel: string; names: string[]; next: number }[] = [];
  // A folder that cannot be listed throws: the walk would silently miss all below it.
  const enter = (abs: string, rel: string) => void stack.push({ abs, rel, names: readdirSync(abs).sort(byName), next: 0 });
  enter(root, '');
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next === top.names.length) {
      stack.pop();
      continue;
    }
    const name = top.names[top.next++]!;
    const rel = top.rel ? `${top.rel}/${name}` : name;
    const abs = join(top.abs, name);
    let stats: Stats;
    try {
      stats = lstatSync(abs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') options.unreadable(rel, reason(error)); // else: gone since the listing
      continue;
    }
    const isDir = stats.isDirectory();
    if (!options.keep(rel, isDir)) continue;
    yield { rel, abs, stats };
    if (isDir) enter(abs, rel);
  }
}
