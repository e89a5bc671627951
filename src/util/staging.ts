/**
 * Private scratch folders for runs, named so that a later run can tell a dead
 * run's folder from a live one's. A SQLite snapshot is staged here in plain
 * (encryption comes after compression, on the way out), so the folder is
 * 0700 from its creation (mkdtemp), and a run killed with -9 cannot remove
 * it: the next run does (clearDeadStaging).
 *
 * Name: `restorable-<kind>-<machine>-<pid>-<start>-XXXXXX`, where machine is
 * the tag of this machine, boot and pid namespace, and start the kernel's
 * start time of the pid (util/process-identity.ts). Being in the name, the
 * owner is known from the instant the folder exists: no window where a folder
 * has no marker yet.
 */
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunError, ioHint, reason } from '../errors.js';
import { provablyDead, selfIdentity } from './process-identity.js';

export type StagingKind = 'backup' | 'restore' | 'drill';

const NAME = /^restorable-(backup|restore|drill)-([0-9a-f]{12})-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;

export function stagingRootOf(root: string | undefined): string {
  return root ?? tmpdir();
}

export async function makeStaging(root: string | undefined, kind: StagingKind): Promise<string> {
  const at = stagingRootOf(root);
  const self = selfIdentity();
  // Without /proc the owner cannot be named; `x` never matches NAME, so such a folder is never cleared by another run.
  const owner = self.machine && self.start ? `${self.machine}-${self.pid}-${self.start}` : `x-${self.pid}`;
  try {
    await mkdir(at, { recursive: true });
    const dir = await mkdtemp(join(at, `restorable-${kind}-${owner}-`));
    await chmod(dir, 0o700); // mkdtemp makes it 0700 already; said again so no platform default can widen it
    return dir;
  } catch (error) {
    throw new RunError(`Cannot make a staging folder in ${at}: ${reason(error)}`, { hint: ioHint(error) ?? 'Point --staging at a writable folder.', cause: error });
  }
}

/**
 * Removes the staging folders in `root` whose run is provably dead (this
 * machine, its process gone or its pid reused); returns their paths. Live
 * runs' folders, other machines' (a shared --staging folder) and anything
 * not named as above are left alone.
 */
export async function clearDeadStaging(root: string | undefined): Promise<string[]> {
  const at = stagingRootOf(root);
  const entries = await readdir(at).catch(() => [] as string[]);
  const cleared: string[] = [];
  for (const name of entries) {
    const match = NAME.exec(name);
    if (!match) continue;
    const [, , machine, pid, start] = match;
    if (!provablyDead({ pid: Number(pid), start, machine })) continue;
    const path = join(at, name);
    if (await rm(path, { recursive: true, force: true }).then(() => true, () => false)) cleared.push(path);
  }
  return cleared;
}
