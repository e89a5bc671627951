/**
 * Makes what was built on disk durable before it replaces live data. A
 * restore's swap is a rename, and the journal that records it is fsync'd;
 * without this the rename could reach the disk before the bytes it points
 * at, and a power cut just after the swap would leave the live folder with
 * empty or torn files while the journal says the restore is done. One
 * syncfs(2) of the build's file system (`sync -f`, coreutils) covers every
 * file and folder of the build at once, as fsyncing each would, far faster
 * for a library of many small files.
 */
import { existsSync } from 'node:fs';
import { RunError } from '../errors.js';
import { runCommand } from './spawn.js';

export async function flushToDisk(path: string, signal?: AbortSignal): Promise<void> {
  // A staged PostgreSQL database is a name, not a path: the server makes its own writes durable.
  if (!existsSync(path)) return;
  const result = await runCommand(['sync', '-f', path], { cwd: '/', timeoutMs: 600_000, ...(signal ? { signal } : {}) });
  if (result.code !== 0) {
    throw new RunError(`Could not flush the restored copy at ${path} to disk (sync -f): ${result.stderr.trim() || `exit ${result.code}`}; live data was not touched.`, { hint: 'The disk reported an error writing it: check the disk (dmesg) and its free space.' });
  }
}
