/** A private scratch folder for one run, with a clear error when the place cannot hold one. */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunError, ioHint, reason } from '../errors.js';

export async function makeStaging(root: string | undefined, prefix: string): Promise<string> {
  const at = root ?? tmpdir();
  try {
    await mkdir(at, { recursive: true });
    return await mkdtemp(join(at, prefix));
  } catch (error) {
    throw new RunError(`Cannot make a staging folder in ${at}: ${reason(error)}`, { hint: ioHint(error) ?? 'Point --staging at a writable folder.', cause: error });
  }
}
