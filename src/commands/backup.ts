import { runBackup, type BackupResult, type TargetOutcome } from '../pipeline/backup.js';
import { formatBytes } from '../report/terminal.js';
import { countsText } from '../report/counts.js';
import { type Command } from './context.js';
import { allTargets, loadRecovered } from './targets.js';
import { withLock } from './locked.js';

const yes = (value: boolean) => (value ? 'yes' : 'no');

/** What was written where: one row per target, the copy rule's inputs beside the outcome. */
export function targetTable(targets: TargetOutcome[]): string[] {
  const rows = [
    ['TARGET', 'TYPE', 'MEDIUM', 'OFFSITE', 'IMMUTABLE', 'WRITTEN', 'VERIFIED', 'ERROR'],
    ...targets.map((t) => [
      t.name,
      t.type,
      t.medium,
      yes(t.offsite),
      yes(t.immutable),
      yes(t.written),
      t.verified ? (t.counted ? 'yes' : 'yes (not counted)') : 'no',
      t.error ?? (t.expires_at ? `expires ${t.expires_at.slice(0, 10)}` : ''),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd());
}

function summary(result: BackupResult): string {
  const failed = result.targets.filter((t) => t.error !== undefined).map((t) => t.name);
  // Committed (a manifest exists) is not failed, even when the run then fails on the policy or a post hook.
  const state = !result.manifest ? 'FAILED' : result.ok ? 'complete' : 'committed, with problems (below)';
  const lost = failed.length > 0 ? `; target${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed` : '';
  const lines = [`Backup ${result.id || '(none)'}: ${state} in ${(result.durationMs / 1000).toFixed(1)}s${lost}`];
  for (const source of result.manifest?.sources ?? []) {
    const counts = countsText(source.counts);
    lines.push(`  source ${source.name.padEnd(12)} ${formatBytes(source.artifact.bytes).padStart(10)}  ${source.artifact.file}  ${counts}`);
  }
  lines.push(...targetTable(result.targets).map((line) => `  ${line}`));
  const uncounted = result.targets.filter((t) => !t.counted).map((t) => t.name);
  if (uncounted.length > 0) lines.push(`  note   ${uncounted.join(', ')}: a fast-restore tier, never counted toward the copy rule (the GitHub cache is evicted after 7 days without use and is scoped to a branch)`);
  if (result.verdict) {
    const { have, required } = result.verdict;
    lines.push(`  policy ${result.verdict.met ? 'met' : 'NOT met'}: ${have.copies}/${required.copies} copies, ${have.media}/${required.media} media, ${have.offsite}/${required.offsite} offsite, ${have.immutable}/${required.immutable} immutable`);
  }
  for (const prune of result.pruned) lines.push(`  prune  ${prune.target.padEnd(12)} kept ${prune.kept.length}, removed ${prune.removed.length}`);
  return lines.join('\n');
}

export const backup: Command = async (input, io) => {
  const began = performance.now();
  const loaded = await loadRecovered(input, io);
  const targets = allTargets(loaded, io.env, io.reporter);
  const result = await withLock(loaded, targets, 'backup', input, io, () => runBackup(loaded, {
    targets,
    reporter: io.reporter,
    signal: io.signal,
    env: io.env,
    ...(input.trigger ? { trigger: input.trigger } : {}),
    ...(input.stagingRoot ? { stagingRoot: input.stagingRoot } : {}),
  }));
  // The time printed is the wall time of the whole command: waiting for locks and releasing them included.
  result.durationMs = performance.now() - began;
  if (!input.json) io.reporter.output(summary(result));
  const { error, ...data } = result;
  if (error !== undefined) {
    io.partial?.(data);
    throw error;
  }
  return data;
};
