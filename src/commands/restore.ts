import { runRestore } from '../restore/restore.js';
import { allTargets, loadRecovered, restoreRequest, type Command } from './context.js';
import { withLock } from './locked.js';

export const restore: Command = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const result = await withLock(loaded, allTargets(loaded, io.env), 'restore', input, io, () => runRestore(loaded, restoreRequest(input, io)));
  if (!input.json) {
    const lines = [`Restored backup ${result.backupId} from target "${result.target}" in ${(result.durationMs / 1000).toFixed(1)}s`];
    for (const source of result.sources) lines.push(`  ${source.name}: ${source.location}${source.restorePoint ? ` (previous state kept at ${source.restorePoint})` : ''}`);
    for (const check of result.checks) lines.push(`  check ${check.name}: ${check.status} (${check.detail})`);
    io.reporter.output(lines.join('\n'));
  }
  return result;
};
