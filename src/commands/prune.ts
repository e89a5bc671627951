import { pruneTarget, type PruneReport } from '../retention/prune.js';
import { allTargets, loadRecovered, selectTargets, type Command } from './context.js';
import { withLock } from './locked.js';

/** Applies retention on every target; with --dry-run only says what it would remove, and why it keeps the rest. */
export const prune: Command = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const { plan } = loaded;
  const reports: PruneReport[] = [];
  const targets = selectTargets(loaded, input.target, io.env);
  // A dry run deletes nothing and needs no lock.
  await withLock(loaded, input.dryRun ? [] : allTargets(loaded, io.env), 'prune', input, io, async () => {
    for (const target of targets) {
      const report = await pruneTarget(target, plan.name, plan.retention, { apply: !input.dryRun, now: new Date() });
      reports.push(report);
      if (input.json) continue;
      const lines = [`${target.name}: keep ${report.kept.length}, ${input.dryRun ? 'would remove' : 'removed'} ${report.removed.length}`];
      for (const d of report.kept) lines.push(`  keep   ${d.id}  (${d.reasons.join(', ')})`);
      for (const d of report.removed) lines.push(`  ${input.dryRun ? 'would remove' : 'remove'} ${d.id}`);
      for (const id of report.incomplete) lines.push(`  ${input.dryRun ? 'would clear' : 'cleared'} incomplete ${id}`);
      io.reporter.output(lines.join('\n'));
    }
  });
  return { dryRun: input.dryRun, targets: reports };
};
