import { runDrill } from '../restore/drill.js';
import { load, type Command } from './context.js';

export const drill: Command = async (input, io) => {
  const loaded = await load(input, io);
  const result = await runDrill(loaded, {
    backup: input.backup,
    sources: input.sources,
    ...(input.target ? { target: input.target } : {}),
    reporter: io.reporter,
    signal: io.signal,
    env: io.env,
    ...(input.stagingRoot ? { stagingRoot: input.stagingRoot } : {}),
  });
  if (!input.json) {
    const lines = [`Drill of backup ${result.backupId} from target "${result.target}": passed in ${(result.durationMs / 1000).toFixed(1)}s (live data untouched)`];
    for (const check of result.checks) lines.push(`  check ${check.name}: ${check.status} (${check.detail})`);
    io.reporter.output(lines.join('\n'));
  }
  return result;
};
