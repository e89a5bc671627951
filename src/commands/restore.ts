import { UsageError } from '../errors.js';
import { restorePaths } from '../restore/partial.js';
import { runRestore } from '../restore/restore.js';
import { crowdedDisks, findRestorePoints } from '../restore/points.js';
import type { LoadedPlan } from '../plan/load.js';
import type { Reporter } from '../report/reporter.js';
import { formatBytes } from '../report/terminal.js';
import { restoreRequest, type Command } from './context.js';
import { allTargets, loadRecovered } from './targets.js';
import { withLock } from './locked.js';

export const restore: Command = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const partial = input.paths && input.paths.length > 0 ? input.paths : undefined;
  if (partial && input.into) {
    const result = await restorePaths(loaded, { backup: input.backup, ...(input.sources[0] ? { source: input.sources[0] } : {}), ...(input.target ? { target: input.target } : {}), paths: partial, into: input.into }, io);
    if (!input.json) io.reporter.output(`Restored ${result.counts.files} file(s), ${result.counts.bytes} bytes, of backup ${result.backupId} (source "${result.source}", target "${result.target}") into ${result.into}; live data untouched (${result.read.packs} whole pack(s) and ${result.read.ranges} range(s), ${formatBytes(result.read.bytes)} read).`);
    return result;
  }
  if (input.into) throw new UsageError('--into goes with --path.', { hint: 'restorable restore --source NAME --path "upload/2024/**" --into /tmp/restored' });
  const targets = allTargets(loaded, io.env, io.reporter);
  const result = await withLock(loaded, targets, 'restore', input, io, () => runRestore(loaded, { ...restoreRequest(input, io), targets, ...(partial ? { paths: partial } : {}) }));
  if (!input.json) {
    const lines = [`Restored ${partial ? `paths ${partial.join(', ')} of ` : ''}backup ${result.backupId} from target "${result.target}" in ${(result.durationMs / 1000).toFixed(1)}s`];
    for (const source of result.sources) {
      const what = source.counts ? ` (${source.counts.files} file(s), ${formatBytes(source.counts.bytes)} put back; files added since stay)` : '';
      const kept = source.restorePoint ? ` (previous state kept at ${source.restorePoint})` : source.counts ? ' (nothing live was replaced)' : '';
      lines.push(`  ${source.name}: ${source.location}${what}${kept}`);
    }
    for (const check of result.checks) lines.push(`  check ${check.name}: ${check.status} (${check.detail})`);
    io.reporter.output(lines.join('\n'));
  }
  await warnCrowded(loaded, io.env, io.reporter);
  return result;
};

/** Share of a disk that restore points may take before restore says so: the plan's restore.restore_points_share (default 10%); RESTORABLE_RESTORE_POINT_SHARE overrides it for one run. */
function shareOf(loaded: LoadedPlan, env: NodeJS.ProcessEnv): number {
  const raw = Number(env.RESTORABLE_RESTORE_POINT_SHARE?.replace(/%$/, ''));
  return Number.isFinite(raw) && raw > 0 ? raw / 100 : Number(loaded.plan.restore.restore_points_share.slice(0, -1)) / 100;
}

async function warnCrowded(loaded: LoadedPlan, env: NodeJS.ProcessEnv, reporter: Reporter): Promise<void> {
  const points = await findRestorePoints(loaded, { databases: false }).catch(() => []);
  const share = shareOf(loaded, env);
  for (const disk of await crowdedDisks(points, share).catch(() => [])) {
    reporter.warn(
      `Restore points take ${formatBytes(disk.bytes)} of the ${formatBytes(disk.diskBytes)} disk holding ${disk.path} (more than ${Math.round(share * 1000) / 10}%); every restore keeps a whole copy of what it replaced. See them with \`restorable restore-points\`, clear old ones with \`restorable restore-points --older-than 7d\`.`,
    );
  }
}
