import { runDrill } from '../restore/drill.js';
import { restoreRequest, type Command } from './context.js';
import { allTargets, loadRecovered } from './targets.js';
import { withLock } from './locked.js';

export const drill: Command = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const targets = allTargets(loaded, io.env, io.reporter);
  const result = await withLock(loaded, targets, 'drill', input, io, () => runDrill(loaded, { ...restoreRequest(input, io), targets }));
  if (!input.json) {
    const lines = [`Drill of backup ${result.backupId} from target "${result.target}": passed in ${(result.durationMs / 1000).toFixed(1)}s (live data untouched)`];
    for (const check of result.checks) lines.push(`  check ${check.name}: ${check.status} (${check.detail})`);
    io.reporter.output(lines.join('\n'));
  }
  // Checksums and a clean decode prove the bytes, not that the app can run on them.
  if (loaded.plan.restore.healthchecks.length === 0) {
    io.reporter.warn('The plan has no health checks (restore.healthchecks): this drill proved only that the backup decodes and restores, not that the app works on it. Add an sql check (e.g. select count(*) from a table, expect {min: 1}) or an http or command check.');
  }
  return result;
};
