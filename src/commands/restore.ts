import { UsageError } from '../errors.js';
import { restorePaths } from '../restore/partial.js';
import { runRestore } from '../restore/restore.js';
import { allTargets, loadRecovered, restoreRequest, type Command } from './context.js';
import { withLock } from './locked.js';

export const restore: Command = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  if (input.paths && input.paths.length > 0) {
    if (!input.into) throw new UsageError('--path restores into another folder only: add --into DIR.', { hint: 'Restoring part of a backup over the live folder is not supported yet; restore the paths into DIR and move what you need.' });
    const result = await restorePaths(loaded, { backup: input.backup, ...(input.sources[0] ? { source: input.sources[0] } : {}), ...(input.target ? { target: input.target } : {}), paths: input.paths, into: input.into }, io);
    if (!input.json) io.reporter.output(`Restored ${result.counts.files} file(s), ${result.counts.bytes} bytes, of backup ${result.backupId} (source "${result.source}", target "${result.target}") into ${result.into}; live data untouched.`);
    return result;
  }
  if (input.into) throw new UsageError('--into goes with --path.', { hint: 'restorable restore --source NAME --path "upload/2024/**" --into /tmp/restored' });
  const result = await withLock(loaded, allTargets(loaded, io.env, io.reporter), 'restore', input, io, () => runRestore(loaded, restoreRequest(input, io)));
  if (!input.json) {
    const lines = [`Restored backup ${result.backupId} from target "${result.target}" in ${(result.durationMs / 1000).toFixed(1)}s`];
    for (const source of result.sources) lines.push(`  ${source.name}: ${source.location}${source.restorePoint ? ` (previous state kept at ${source.restorePoint})` : ''}`);
    for (const check of result.checks) lines.push(`  check ${check.name}: ${check.status} (${check.detail})`);
    io.reporter.output(lines.join('\n'));
  }
  return result;
};
