import { prunePlan, repositoryPruneOf, type PruneReport } from '../retention/prune.js';
import { type Command } from './context.js';
import { allTargets, loadRecovered, selectTargets } from './targets.js';
import { withLock } from './locked.js';

/**
 * Applies retention, decided once across all the plan's targets (a backup is
 * kept or removed everywhere); --target limits where it removes. With
 * --dry-run it only says what it would remove, and why it keeps the rest.
 */
export const prune: Command = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const { plan } = loaded;
  const reports: PruneReport[] = [];
  const targets = allTargets(loaded, io.env, io.reporter);
  const selected = new Set(selectTargets(loaded, input.target, io.env, io.reporter).map((t) => t.name));
  let failed: { target: string; error: string }[] = [];
  // A dry run deletes nothing and needs no lock.
  await withLock(loaded, input.dryRun ? [] : targets, 'prune', input, io, async () => {
    const repository = repositoryPruneOf(plan, loaded.dir, io.env, loaded.secrets, io.reporter);
    const result = await prunePlan(targets, plan.name, plan.retention, { apply: !input.dryRun, now: new Date(), applyTo: targets.filter((t) => selected.has(t.name)), ...(repository ? { repository } : {}) });
    reports.push(...result.targets);
    failed = result.failed;
    for (const f of failed) io.reporter.warn(`Target "${f.target}" could not be pruned (${f.error}); nothing was removed there, and its backups were not part of the decision.`);
    for (const report of reports) {
      if (report.missing.length > 0) io.reporter.warn(`Target "${report.target}" lacks kept backup(s) that its manifests list: ${report.missing.join(', ')}. Run \`restorable verify\` to see every copy.`);
    }
    if (input.json) return;
    for (const report of reports) {
      const lines = [`${report.target}: keep ${report.kept.length}, ${input.dryRun ? 'would remove' : 'removed'} ${report.removed.length}`];
      for (const d of report.kept) lines.push(`  keep   ${d.id}  (${d.reasons.join(', ')})`);
      for (const d of report.removed) lines.push(`  ${input.dryRun ? 'would remove' : 'remove'} ${d.id}`);
      for (const id of report.missing) lines.push(`  missing ${id}  (kept, listed in its manifest, not on this target)`);
      for (const id of report.incomplete) lines.push(`  ${input.dryRun ? 'would clear' : 'cleared'} incomplete ${id}`);
      const gc = report.repository;
      if (gc && (!gc.skipped || gc.packs_removed > 0)) lines.push(`  repository: ${input.dryRun ? 'would remove' : 'removed'} ${gc.packs_removed} unused pack(s)${gc.packs_repacked ? ` (${gc.packs_repacked} of them mostly unused, their live blobs repacked)` : ''}, ${gc.bytes_freed} bytes; ${gc.indexes_rewritten} index(es) rewritten`);
      if (gc?.skipped) lines.push(`  repository: ${gc.packs_removed > 0 ? 'some space kept' : 'nothing reclaimed'}: ${gc.skipped}`);
      io.reporter.output(lines.join('\n'));
    }
  });
  return { dryRun: input.dryRun, targets: reports, ...(failed.length > 0 ? { failed } : {}) };
};
