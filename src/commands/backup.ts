import { runBackup, type BackupResult } from '../pipeline/backup.js';
import { formatBytes } from '../report/terminal.js';
import { allTargets, load, type Command } from './context.js';
import { withLock } from './locked.js';

function summary(result: BackupResult): string {
  const lines = [`Backup ${result.id || '(none)'}: ${result.ok ? 'complete' : 'FAILED'} in ${(result.durationMs / 1000).toFixed(1)}s`];
  for (const source of result.manifest?.sources ?? []) {
    const counts = Object.entries(source.counts).map(([k, v]) => `${v} ${k}`).join(', ');
    lines.push(`  source ${source.name.padEnd(12)} ${formatBytes(source.artifact.bytes).padStart(10)}  ${source.artifact.file}  ${counts}`);
  }
  for (const target of result.targets) {
    lines.push(`  target ${target.name.padEnd(12)} ${target.verified ? 'verified' : `FAILED: ${target.error ?? 'not written'}`}  ${target.where}`);
  }
  if (result.verdict) {
    const { have, required } = result.verdict;
    lines.push(`  policy ${result.verdict.met ? 'met' : 'NOT met'}: ${have.copies}/${required.copies} copies, ${have.media}/${required.media} media, ${have.offsite}/${required.offsite} offsite, ${have.immutable}/${required.immutable} immutable`);
  }
  for (const prune of result.pruned) lines.push(`  prune  ${prune.target.padEnd(12)} kept ${prune.kept.length}, removed ${prune.removed.length}`);
  return lines.join('\n');
}

export const backup: Command = async (input, io) => {
  const loaded = await load(input, io);
  const result = await withLock(loaded, allTargets(loaded), 'backup', input, io, () => runBackup(loaded, {
    reporter: io.reporter,
    signal: io.signal,
    env: io.env,
    ...(input.trigger ? { trigger: input.trigger } : {}),
    ...(input.stagingRoot ? { stagingRoot: input.stagingRoot } : {}),
  }));
  if (!input.json) io.reporter.output(summary(result));
  const { error, ...data } = result;
  if (error !== undefined) {
    io.partial?.(data);
    throw error;
  }
  return data;
};
