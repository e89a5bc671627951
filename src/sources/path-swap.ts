/**
 * Restore points for sources that live in the file system (SQLite, folders),
 * as a list of steps planned before the first one is made, so that the
 * restore journal (restore/journal.ts) can record them and a later run can
 * undo them after a crash.
 *
 * Every step is a rename, a hard link or a mkdir: the previous state is never
 * rewritten or deleted here, so an undo gives back the very same bytes and
 * inodes. Steps are checked against the file system before they are made or
 * undone, so an undo is right after any prefix of the steps (the last one
 * perhaps half made), and running it twice does nothing more.
 *
 * A file is replaced by linking the live file into the restore point and
 * renaming the new file over it (rename(2) replaces atomically): there is a
 * live file at every instant. A folder cannot be renamed over a folder that is
 * not empty, so a folder entry is moved into the restore point and the new
 * one moved in: between those two renames (one rename long) that entry alone
 * is missing, and the journal covers that window.
 */
import { link, lstat, mkdir, readdir, rename, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { z } from 'zod';
import { RunError, ioHint, reason } from '../errors.js';
import type { SwapPlan } from './source.js';

export const pathStep = z.discriminatedUnion('op', [
  /** A folder of the restore point. */
  z.object({ op: z.literal('mkdir'), path: z.string() }),
  /** A rename onto a name that is free. */
  z.object({ op: z.literal('move'), from: z.string(), to: z.string() }),
  /** A hard link of the live file into the restore point (a rename where links are not allowed). */
  z.object({ op: z.literal('link'), live: z.string(), point: z.string() }),
  /** The new file renamed over the live one, whose inode the restore point holds. */
  z.object({ op: z.literal('over'), staged: z.string(), live: z.string(), point: z.string() }),
]);
export type PathStep = z.infer<typeof pathStep>;

/** Names restorable gives what it builds and keeps beside live data: never swapped, never backed up as data. */
export const BESIDE_NAME = /^\..+\.restorable-(new|restore-point|failed)-/;

/** `data/app.sqlite` -> `data/.app.sqlite.restorable-new-<tag>` */
export function besidePath(live: string, what: 'new' | 'restore-point' | 'failed', tag: string): string {
  return join(dirname(live), `.${basename(live)}.restorable-${what}-${tag}`);
}

type Info = Awaited<ReturnType<typeof lstat>>;
const info = (path: string): Promise<Info | undefined> => lstat(path).catch(() => undefined);
const exists = async (path: string) => (await info(path)) !== undefined;

/**
 * One file (a database) and its companions (`-wal`, `-shm`, `-journal`).
 * Companions move out first: the old database without its -wal is an older
 * consistent state, while the new one beside the old -wal would be damaged.
 */
export async function planFileSwap(live: string, staged: string, tag: string, companions: readonly string[] = []): Promise<SwapPlan<PathStep>> {
  const point = besidePath(live, 'restore-point', tag);
  const name = basename(live);
  const steps: PathStep[] = [];
  const present = [];
  for (const suffix of companions) if (await exists(live + suffix)) present.push(suffix);
  const liveThere = await exists(live);
  if (liveThere || present.length > 0) steps.push({ op: 'mkdir', path: point });
  for (const suffix of present) steps.push({ op: 'move', from: live + suffix, to: join(point, name + suffix) });
  if (liveThere) steps.push({ op: 'link', live, point: join(point, name) }, { op: 'over', staged, live, point: join(point, name) });
  else steps.push({ op: 'move', from: staged, to: live });
  return { point: steps[0]!.op === 'mkdir' ? point : null, steps };
}

/**
 * A folder, replacing exactly what its backup covers. `kept(rel, isDir)` says
 * which live paths are not the backup's (excluded, other sources' files,
 * restorable's own): they stay where they are, untouched.
 *
 * Design: the live folder itself is never renamed (it may be a mount point,
 * and an app or a bind mount may hold it); its entries are swapped one by one,
 * and a folder that holds kept paths somewhere below is not swapped but
 * entered, at whatever depth the kept paths are. The other design, moving kept
 * paths into the new tree and then renaming whole folders, would make those
 * kept paths (a nested database) vanish from the live folder for a while and
 * move them twice; this one only ever renames what the backup covers.
 * Folders entered keep their live mode and owner.
 */
export async function planTreeSwap(live: string, staged: string, tag: string, kept: (rel: string, isDir: boolean) => boolean, keptBelow: readonly string[] = []): Promise<SwapPlan<PathStep>> {
  const liveInfo = await info(live);
  if (!liveInfo) return { point: null, steps: [{ op: 'move', from: staged, to: live }] };
  const point = besidePath(live, 'restore-point', tag);
  const mirror = join(point, basename(live));
  if (!liveInfo.isDirectory()) return { point, steps: [{ op: 'mkdir', path: point }, { op: 'move', from: live, to: mirror }, { op: 'move', from: staged, to: live }] };
  // Folders (relative) with a kept path somewhere below: entered, not swapped.
  const mixed = new Set<string>();
  const markParents = (rel: string) => {
    for (let d = dirname(rel); d !== '.' && d !== ''; d = dirname(d)) mixed.add(d);
  };
  for (const rel of keptBelow) markParents(rel);
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(join(live, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (kept(r, entry.isDirectory())) markParents(r);
      else if (entry.isDirectory()) await walk(r);
    }
  };
  await walk('');
  const steps: PathStep[] = [{ op: 'mkdir', path: point }, { op: 'mkdir', path: mirror }];
  const names = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  const swapFolder = async (rel: string): Promise<void> => {
    const all = new Set([...(await names(join(live, rel))), ...(await names(join(staged, rel)))]);
    for (const name of [...all].sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const [old, fresh] = [await info(join(live, r)), await info(join(staged, r))];
      if (kept(r, (old ?? fresh)!.isDirectory())) continue;
      if (old?.isDirectory() && mixed.has(r)) {
        steps.push({ op: 'mkdir', path: join(mirror, r) });
        await swapFolder(r);
        continue;
      }
      if (old?.isFile() && fresh && !fresh.isDirectory()) {
        steps.push({ op: 'link', live: join(live, r), point: join(mirror, r) }, { op: 'over', staged: join(staged, r), live: join(live, r), point: join(mirror, r) });
        continue;
      }
      if (old) steps.push({ op: 'move', from: join(live, r), to: join(mirror, r) });
      if (fresh) steps.push({ op: 'move', from: join(staged, r), to: join(live, r) });
    }
  };
  await swapFolder('');
  return { point, steps, leftover: staged };
}

/**
 * Some paths of a folder (restore --path): `staged` holds only the chosen
 * paths and the folders on their way. Each file and symlink of the build
 * replaces its live counterpart, which the restore point keeps (at the same
 * place below it); folders that exist live are entered, never swapped, so
 * what the backup does not hold stays live as it is: a partial restore puts
 * back what the backup has, and never takes away what was added since.
 * Where the build has a folder and the live data something else (or
 * nothing), the live entry moves into the restore point and the built folder
 * moves in whole. `kept` as for planTreeSwap. The point is made only when
 * something live is replaced; the folders entered keep their live mode,
 * owner and mtime.
 */
export async function planMergeSwap(live: string, staged: string, tag: string, kept: (rel: string, isDir: boolean) => boolean): Promise<SwapPlan<PathStep>> {
  const liveInfo = await info(live);
  if (!liveInfo?.isDirectory()) return planTreeSwap(live, staged, tag, kept);
  const point = besidePath(live, 'restore-point', tag);
  const mirror = join(point, basename(live));
  const steps: PathStep[] = [];
  // Folders of the restore point planned so far, relative ('' is the mirror itself).
  const planned = new Set<string>();
  const keepAt = (rel: string): string => {
    const missing: string[] = [];
    for (let d = dirname(rel); !planned.has(d === '.' ? '' : d); d = dirname(d)) {
      missing.push(d === '.' ? '' : d);
      if (d === '.') break;
    }
    if (!planned.has('') && missing.at(-1) === '') steps.push({ op: 'mkdir', path: point });
    for (const d of missing.reverse()) {
      steps.push({ op: 'mkdir', path: d ? join(mirror, d) : mirror });
      planned.add(d);
    }
    return join(mirror, rel);
  };
  const visit = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(staged, rel))).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const fresh = (await info(join(staged, r)))!;
      const old = await info(join(live, r));
      if (kept(r, fresh.isDirectory())) continue;
      if (fresh.isDirectory() && old?.isDirectory()) {
        await visit(r);
        continue;
      }
      if (old?.isFile() && !fresh.isDirectory()) {
        const at = keepAt(r);
        steps.push({ op: 'link', live: join(live, r), point: at }, { op: 'over', staged: join(staged, r), live: join(live, r), point: at });
        continue;
      }
      if (old) steps.push({ op: 'move', from: join(live, r), to: keepAt(r) });
      steps.push({ op: 'move', from: join(staged, r), to: join(live, r) });
    }
  };
  await visit('');
  return { point: planned.size > 0 ? point : null, steps, leftover: staged };
}

/** Where links are not allowed (some FUSE and network file systems), the live file is renamed instead. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EXDEV', 'ENOSYS']);

function fail(step: PathStep, what: string, error?: unknown): never {
  throw new RunError(`Could not ${what} (${JSON.stringify(step)})${error ? `: ${reason(error)}` : ''}.`, { hint: error ? ioHint(error) : 'Something else changed the live data during the restore; nothing of the previous state was deleted.', cause: error });
}

/** Makes one step; a step found already made is not made again. */
export async function runPathStep(step: PathStep): Promise<void> {
  try {
    if (step.op === 'mkdir') {
      if (!(await exists(step.path))) await mkdir(step.path, { mode: 0o700 });
    } else if (step.op === 'move') {
      if (!(await exists(step.from)) && (await exists(step.to))) return;
      // rename(2) would silently replace a file that appeared at `to`: that file is nobody's restore point.
      if (await exists(step.to)) fail(step, `move ${step.from}: ${step.to} is in the way`);
      await rename(step.from, step.to);
    } else if (step.op === 'link') {
      if (await exists(step.point)) return;
      await link(step.live, step.point).catch(async (error: NodeJS.ErrnoException) => {
        if (!NO_LINKS.has(error.code ?? '')) throw error;
        await rename(step.live, step.point);
      });
    } else {
      if (!(await exists(step.staged))) return;
      if (!(await exists(step.point))) fail(step, `replace ${step.live}: its restore point ${step.point} is missing`);
      await rename(step.staged, step.live);
    }
  } catch (error) {
    if (error instanceof RunError) throw error;
    fail(step, `swap ${step.op === 'move' ? step.to : step.op === 'mkdir' ? step.path : step.live}`, error);
  }
}

/** Undoes whatever of `steps` was made, last first; steps not made are left alone. */
export async function undoPathSteps(steps: readonly PathStep[]): Promise<void> {
  const stuck: string[] = [];
  for (const step of [...steps].reverse()) {
    try {
      await undoOne(step);
    } catch (error) {
      stuck.push(reason(error));
    }
  }
  if (stuck.length > 0) throw new RunError(`Could not put back all of the previous state: ${stuck.slice(0, 3).join('; ')}`, { hint: 'The previous state is whole in the restore point named: move it back by hand.' });
}

async function undoOne(step: PathStep): Promise<void> {
  if (step.op === 'mkdir') {
    await rmdir(step.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw new RunError(`${step.path} is not empty after the undo: ${reason(error)}`);
    });
  } else if (step.op === 'move') {
    // Made when only `to` exists. With both there, it was not made (the move before it was not either): renaming back would replace `from`.
    // With `from`'s folder gone, the build it came from was already discarded after an undo: nothing to move back.
    if (!(await exists(step.from)) && (await exists(step.to)) && (await exists(dirname(step.from)))) await rename(step.to, step.from);
  } else if (step.op === 'link') {
    // Reached after `over` was undone (or never made): the point is the live file's second name, or (renamed) its only one.
    const [point, live] = [await info(step.point), await info(step.live)];
    if (!point) return;
    if (!live) await rename(step.point, step.live);
    else if (live.ino === point.ino && live.dev === point.dev) await unlink(step.point);
    else throw new RunError(`${step.live} is not the file kept at ${step.point}`);
  } else {
    if (await exists(step.staged)) return; // not made
    // The old inode goes back over the restored one, atomically: the live path is never empty.
    // Neither there: undone already (the rename back consumed the point).
    if (await exists(step.point)) await rename(step.point, step.live);
  }
}

/** Whether `child` is `parent` or inside it; the relative path when it is. */
export function inside(parent: string, child: string): string | undefined {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith('/') ? rel.split('\\').join('/') : undefined;
}
