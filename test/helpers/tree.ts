/** A folder's content as data (type, mode, mtime, sha256 or link target per path), for exact comparisons. */
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';

export type Tree = Record<string, string>;

export async function treeOf(root: string, dir = root, out: Tree = {}): Promise<Tree> {
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const rel = relative(root, path);
    const info = await lstat(path);
    const mode = (info.mode & 0o7777).toString(8);
    if (info.isSymbolicLink()) out[rel] = `link -> ${await readlink(path)}`;
    else if (info.isDirectory()) {
      out[rel] = `dir ${mode}`;
      await treeOf(root, path, out);
    } else out[rel] = `file ${mode} ${Math.floor(info.mtimeMs / 1000)} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
  }
  return out;
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}
