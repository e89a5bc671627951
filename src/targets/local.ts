/**
 * A folder on a file system the runner can write: a local disk, a NAS mount,
 * a USB drive, a synced cloud-drive folder. Objects are written to a temporary
 * name, fsynced, then renamed into place, and the folder is fsynced, so a
 * crash or a full disk never leaves a partial object under its final name.
 * Temporary files are listed like any object, so that a killed run's
 * leftovers belong to an incomplete backup, which prune clears.
 *
 * Everything is written owner-only (files 0600, folders 0700, as restic
 * does): an unencrypted dump on a shared NAS must not be readable by every
 * account there. The modes are given at creation, so no moment exists where
 * a file is readable by others; umask can only take bits away from them.
 */
import { mkdir, open, readdir, rename, rm, rmdir, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { NotFoundError, RunError, ioHint, reason } from '../errors.js';
import { DIR_MODE, FILE_MODE, TEMP_PREFIX, type StoredObject, type Target, type TargetAdapter } from './target.js';
import { localConfig, localTraits, type LocalConfig } from './local-config.js';
import { traitsOf } from './configs.js';

const TMP = TEMP_PREFIX;
const PROBE = `${TMP}probe-`;
const HOST = hostname().replace(/[^A-Za-z0-9.]/g, '_');

/** Probes this host's dead processes left (their pid is gone); other hosts' and live ones are not touched. */
async function removeDeadProbes(root: string): Promise<void> {
  const mine = new RegExp(`^${PROBE.replace(/[.]/g, '\\.')}${HOST.replace(/[.]/g, '\\.')}-(\\d+)-[0-9a-f]{8}$`);
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const pid = Number(mine.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    await rm(join(root, name), { force: true }).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}


async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates a new file, making its folder first. Another run's remove() takes
 * away a folder it leaves empty (a plan's locks/ between two runs), and it may
 * do so between our mkdir and our open: the open then fails with ENOENT (or
 * the mkdir with ENOENT or ENOTDIR) and the folder is made again.
 */
async function createInFolder(path: string): Promise<FileHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Inside the retry: a recursive mkdir can lose a parent it just made the same way.
      await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
      return await open(path, 'wx', FILE_MODE);
    } catch (error) {
      // Node's recursive mkdir says ENOTDIR when a folder it found existing is gone by the time it looks at it.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || attempt >= 20) throw error;
    }
  }
}

async function walk(dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
}

class LocalTarget implements Target {
  readonly type = 'local';
  readonly where: string;
  constructor(
    readonly name: string,
    private readonly root: string,
    readonly medium: Target['medium'],
    readonly offsite: boolean,
    readonly immutable: boolean,
  ) {
    this.where = root;
  }

  localPath(key: string): string {
    const normal = posix.normalize(key);
    if (normal.startsWith('../') || normal === '..' || posix.isAbsolute(normal)) throw new RunError(`Invalid object key: ${key}`);
    return join(this.root, ...normal.split('/'));
  }

  private fail(doing: string, error: unknown): RunError {
    return new RunError(`Target "${this.name}" (${this.root}): ${doing} failed: ${reason(error)}`, { hint: ioHint(error), cause: error });
  }

  /**
   * The folder must exist already: a missing /mnt/nas means an unmounted
   * drive, and creating it would put the "copy" on the system disk.
   */
  async probe(): Promise<void> {
    const existing = await stat(this.root).catch(() => undefined);
    if (!existing) {
      throw new RunError(`Target "${this.name}": the folder ${this.root} does not exist.`, {
        hint: 'Is the drive mounted? If this is the first use of this target, create the folder (mkdir -p).',
      });
    }
    if (!existing.isDirectory()) {
      throw new RunError(`Target "${this.name}" is not a folder: ${this.root}`, { hint: 'Point `path` at a folder (or remove the file that is in the way).' });
    }
    // Named for this host and process: a run killed between the write and the rm leaves its probe
    // at the target's root, where no listing of the plan finds it; the next run here removes it.
    const probe = join(this.root, `${PROBE}${HOST}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await removeDeadProbes(this.root);
      await writeFile(probe, 'restorable write probe\n', { mode: FILE_MODE });
      await rm(probe, { force: true });
    } catch (error) {
      throw new RunError(`Target "${this.name}" is not writable: ${this.root}: ${reason(error)}`, { hint: ioHint(error), cause: error });
    }
  }

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    const final = this.localPath(key);
    const temp = join(dirname(final), `${TMP}${randomBytes(6).toString('hex')}`);
    let bytes = 0;
    try {
      const handle = await createInFolder(temp);
      body.on('data', (chunk: Buffer) => (bytes += chunk.length));
      await pipeline(body, handle.createWriteStream());
      await fsyncPath(temp);
      await rename(temp, final);
      await fsyncPath(dirname(final));
      return { bytes };
    } catch (error) {
      body.destroy();
      await rm(temp, { force: true });
      await rmdir(dirname(final)).catch(() => undefined); // the backup's folder, if this left it empty
      throw this.fail(`writing ${key}`, error);
    }
  }

  async get(key: string): Promise<Readable> {
    const path = this.localPath(key);
    // Opened here, not lazily by the stream: a file removed meanwhile is NotFound now, not an error mid-read.
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
      throw this.fail(`reading ${key}`, error);
    });
    return handle.createReadStream({ highWaterMark: 1 << 20 });
  }

  async getRange(key: string, offset: number, length: number): Promise<Readable> {
    const handle = await open(this.localPath(key), 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
      throw this.fail(`reading ${key}`, error);
    });
    // createReadStream's end is inclusive; a length of 0 reads nothing.
    return length === 0 ? (await handle.close(), Readable.from([])) : handle.createReadStream({ start: offset, end: offset + length - 1, highWaterMark: 1 << 20 });
  }

  async list(prefix: string): Promise<StoredObject[]> {
    // A missing root is an unmounted drive or a wrong path, not a target without backups.
    if (!(await stat(this.root).then((s) => s.isDirectory(), () => false))) {
      throw new RunError(`Target "${this.name}": the folder ${this.root} does not exist.`, { hint: 'Is the drive mounted? Nothing under it can be listed.' });
    }
    const paths: string[] = [];
    const start = this.localPath(prefix.endsWith('/') ? prefix.slice(0, -1) || '.' : dirname(prefix) || '.');
    try {
      await walk(start, paths);
    } catch (error) {
      throw this.fail(`listing ${prefix}`, error);
    }
    const objects: StoredObject[] = [];
    for (const path of paths) {
      const key = relative(this.root, path).split(sep).join('/');
      if (!key.startsWith(prefix)) continue;
      const info = await stat(path).catch(() => undefined);
      if (info) objects.push({ key, size: info.size, modified: info.mtime });
    }
    return objects;
  }

  async removeEmptyFolders(prefix: string, keep: readonly string[]): Promise<string[]> {
    const dir = this.localPath(prefix.replace(/\/+$/, '') || '.');
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const removed: string[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || keep.includes(entry.name)) continue;
      // rmdir refuses a folder that holds anything: only empty ones go.
      if (await rmdir(join(dir, entry.name)).then(() => true, () => false)) removed.push(entry.name);
    }
    return removed;
  }

  async remove(keys: readonly string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const path = this.localPath(key);
      try {
        await rm(path, { force: true });
      } catch (error) {
        throw this.fail(`removing ${key}`, error);
      }
      dirs.add(dirname(path));
    }
    // Empty backup folders go too; a folder that still holds anything stays.
    for (const dir of dirs) {
      for (let at = dir; at.startsWith(this.root + sep); at = dirname(at)) {
        if (!(await rmdir(at).then(() => true, () => false))) break;
      }
    }
  }
}

export const local: TargetAdapter<LocalConfig> = {
  type: 'local',
  schema: localConfig,
  ...localTraits,
  create: (config, ctx) =>
    new LocalTarget(
      config.name,
      resolve(ctx.planDir, config.path),
      traitsOf(config).medium,
      traitsOf(config).offsite,
      traitsOf(config).immutable,
    ),
};
