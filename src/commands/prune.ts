import { pruneTarget, repositoryPruneOf, type PruneReport } from '../retention/prune.js';
import { allTargets, load, selectTargets, type Command } from './context.js';
import { withLock } from './locked.js';

/** Applies retention on every target; with --dry-run only says what it would remove, and why it keeps the rest. */
export const prune: Command = async (input, io) => {
  const loaded = await load(input, io);
  const { plan } = loaded;
  const reports: PruneReport[] = [];
  const targets = selectTargets(loaded, input.target, io.env);
  // A dry run deletes nothing and needs no lock.
  await withLock(loaded, input.dryRun ? [] : allTargets(loaded, io.env), 'prune', input, io, async () => {
    for (const target of targets) {
      const repository = repositoryPruneOf(plan, io.env, loaded.secrets);
      const report = await pruneTarget(target, plan.name, plan.retention, { apply: !input.dryRun, now: new Date(), ...(repository ? { repository } : {}) });
      reports.push(report);
      if (input.json) continue;
      const lines = [`${target.name}: keep ${report.kept.length}, ${input.dryRun ? 'would remove' : 'removed'} ${report.removed.length}`];
      for (const d of report.kept) lines.push(`  keep   ${d.id}  (${d.reasons.join(', ')})`);
      for (const d of report.removed) lines.push(`  ${input.dryRun ? 'would remove' : 'remove'} ${d.id}`);
      for (const id of report.incomplete) lines.push(`  ${input.dryRun ? 'would clear' : 'cleared'} incomplete ${id}`);
      const gc = report.repository;
      if (gc) lines.push(gc.skipped ? `  repository: nothing reclaimed: ${gc.skipped}` : `  repository: ${input.dryRun ? 'would remove' : 'removed'} ${gc.packs_removed} unused pack(s), ${gc.bytes_freed} bytes; ${gc.indexes_rewritten} index(es) rewritten`);
      io.reporter.output(lines.join('\n'));
    }
  });
  return { dryRun: input.dryRun, targets: reports };
};
