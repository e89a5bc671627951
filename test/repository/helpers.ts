/** A photo-library-like folder for repository tests, and what a repository on a local target holds. */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, readlink, symlink, utimes, writeFile, chmod } from 'node:fs/promises';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Workspace } from '../helpers/workspace.js';

/** `count` files of 20-400 KiB of random bytes (photos compress no further), a video of several chunks, a text file, a link. */
export async function makeLibrary(root: string, count = 100, videoBytes = 12 * 1024 * 1024): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const dir = join(root, 'upload', `user${i % 3}`, `2024-${String((i % 12) + 1).padStart(2, '0')}`);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `IMG_${i}.jpg`);
    await writeFile(path, randomBytes(20_000 + ((i * 7919) % 400_000)));
    files.push(path);
  }
  await mkdir(join(root, 'video'), { recursive: true });
  await writeFile(join(root, 'video', 'clip.mp4'), randomBytes(videoBytes));
  await writeFile(join(root, 'notes.txt'), 'a text file that compresses well\n'.repeat(2000));
  await symlink('notes.txt', join(root, 'notes-link'));
  await chmod(join(root, 'notes.txt'), 0o640);
  await utimes(join(root, 'notes.txt'), 1_700_000_000.123456, 1_700_000_000.123456);
  return files;
}

/** Content, mode, mtime to the microsecond, and link targets of every path under `root`. */
export async function exactTree(root: string, dir = root, out: Record<string, string> = {}): Promise<Record<string, string>> {
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const rel = relative(root, path);
    const info = await lstat(path, { bigint: true });
    const mode = (Number(info.mode) & 0o7777).toString(8);
    const mtime = info.mtimeNs / 1000n;
    if (info.isSymbolicLink()) out[rel] = `link -> ${await readlink(path)}`;
    else if (info.isDirectory()) {
      out[rel] = `dir ${mode} ${mtime}`;
      await exactTree(root, path, out);
    } else out[rel] = `file ${mode} ${mtime} ${createHash('sha256').update(await readFile(path)).digest('hex')}`;
  }
  return out;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Pack files and their total size in a local target's repository. */
export function packsOf(targetDir: string, plan: string): { files: string[]; bytes: number } {
  const files = walk(join(targetDir, plan, 'repo', 'data'));
  return { files, bytes: files.reduce((sum, f) => sum + statSync(f).size, 0) };
}

export function objectsOf(targetDir: string, plan: string, folder: 'index' | 'keys'): string[] {
  return walk(join(targetDir, plan, 'repo', folder));
}

/** Changes `share` of the files: a few bytes in place, so the file's other chunks stay as they were. */
export async function touchShare(files: string[], share: number): Promise<string[]> {
  const changed = files.filter((_, i) => i % Math.round(1 / share) === 0);
  for (const path of changed) {
    const bytes = await readFile(path);
    bytes.write('changed!', 100);
    await writeFile(path, bytes);
  }
  return changed;
}

/** A plan of one files source `library` (the default storage: a repository) on one local target `nas`; `extra` adds keys (retention, encryption). */
export function libraryPlan(ws: Workspace, extra: Record<string, unknown> = {}): void {
  ws.writePlan({
    version: 1,
    name: 'testapp',
    sources: [{ name: 'library', type: 'files', path: 'library' }],
    targets: [{ name: 'nas', type: 'local', path: ws.target('nas') }],
    policy: { rule: { copies: 2, media: 1, offsite: 0 } },
    ...extra,
  });
}
