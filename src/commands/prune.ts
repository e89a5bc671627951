import { pruneTarget, type PruneReport } from '../retention/prune.js';
import { createTarget } from '../targets/index.js';
import { load, type Command } from './context.js';

/** Applies retention on every target; with --dry-run only says what it would remove, and why it keeps the rest. */
export const prune: Command = async (input, io) => {
  const { plan, dir } = await load(input, io);
  const reports: PruneReport[] = [];
  for (const config of plan.targets.filter((t) => !input.target || t.name === input.target)) {
    const report = await pruneTarget(createTarget(config, { planDir: dir }), plan.name, plan.retention, { apply: !input.dryRun, now: new Date() });
    reports.push(report);
    if (input.json) continue;
    const lines = [`${config.name}: keep ${report.kept.length}, ${input.dryRun ? 'would remove' : 'removed'} ${report.removed.length}`];
    for (const d of report.kept) lines.push(`  keep   ${d.id}  (${d.reasons.join(', ')})`);
    for (const d of report.removed) lines.push(`  ${input.dryRun ? 'would remove' : 'remove'} ${d.id}`);
    for (const id of report.incomplete) lines.push(`  ${input.dryRun ? 'would clear' : 'cleared'} incomplete ${id}`);
    io.reporter.output(lines.join('\n'));
  }
  return { dryRun: input.dryRun, targets: reports };
};
