import { runDrill } from '../restore/drill.js';
import { allTargets, loadRecovered, restoreRequest, type Command } from './context.js';
import { withLock } from './locked.js';

export const drill: Command = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const result = await withLock(loaded, allTargets(loaded, io.env, io.reporter), 'drill', input, io, () => runDrill(loaded, restoreRequest(input, io)));
  if (!input.json) {
    const lines = [`Drill of backup ${result.backupId} from target "${result.target}": passed in ${(result.durationMs / 1000).toFixed(1)}s (live data untouched)`];
    for (const check of result.checks) lines.push(`  check ${check.name}: ${check.status} (${check.detail})`);
    io.reporter.output(lines.join('\n'));
  }
  return result;
};
