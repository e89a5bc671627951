/**
 * `restorable restore-points`: the restore points beside the live data
 * (source, when, size, the restore that made them); `--remove ID` (a
 * restore's tag or a unique end of it) or `--older-than 7d` removes them,
 * holding the plan's lock so no restore that might still need one is running.
 */
import { NotFoundError, UsageError } from '../errors.js';
import { findRestorePoints, removeRestorePoint, type RestorePoint } from '../restore/points.js';
import { formatBytes } from '../report/terminal.js';
import { type Command } from './context.js';
import { allTargets, loadRecovered } from './targets.js';
import { withLock } from './locked.js';

const AGE = /^(\d+)(h|d|w)$/;
const HOURS = { h: 1, d: 24, w: 168 } as const;

function olderThanMs(text: string): number {
  const m = AGE.exec(text.trim());
  if (!m) throw new UsageError(`--older-than ${text}: expected an age such as 12h, 7d or 2w.`);
  return Number(m[1]) * HOURS[m[2] as keyof typeof HOURS] * 3_600_000;
}

function chosen(points: RestorePoint[], id: string): RestorePoint[] {
  const tags = [...new Set(points.map((p) => p.restore))];
  const matches = tags.filter((t) => t === id || t.endsWith(id) || t.startsWith(id));
  if (matches.length === 0) throw new NotFoundError(`No restore point "${id}".`, { hint: 'Run `restorable restore-points` to see them.' });
  if (matches.length > 1) throw new UsageError(`"${id}" matches ${matches.length} restores: ${matches.join(', ')}.`, { hint: 'Give more of the id.' });
  return points.filter((p) => p.restore === matches[0]);
}

function table(points: RestorePoint[]): string {
  if (points.length === 0) return 'No restore points.';
  const rows = points.map((p) => [p.restore, p.source, p.made_at.replace('T', ' ').replace(/:\d\dZ$/, ' UTC'), formatBytes(p.bytes), p.path]);
  const head = ['RESTORE', 'SOURCE', 'MADE', 'SIZE', 'PATH'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const total = points.reduce((sum, p) => sum + p.bytes, 0);
  return [head, ...rows].map((r) => r.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).concat(`${points.length} restore point${points.length === 1 ? '' : 's'}, ${formatBytes(total)}`).join('\n');
}

export const restorePoints: Command = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  if (input.remove === undefined && input.olderThan === undefined) {
    const points = await findRestorePoints(loaded);
    if (!input.json) io.reporter.output(table(points));
    return { restore_points: points };
  }
  return withLock(loaded, allTargets(loaded, io.env, io.reporter), 'restore-points', input, io, async () => {
    const points = await findRestorePoints(loaded);
    const cutoff = input.olderThan === undefined ? undefined : Date.now() - olderThanMs(input.olderThan);
    const doomed = input.remove !== undefined ? chosen(points, input.remove) : points.filter((p) => Date.parse(p.made_at) < cutoff!);
    for (const point of doomed) {
      await removeRestorePoint(loaded, point);
      if (!input.json) io.reporter.info(`Removed the restore point of "${point.source}" made by restore ${point.restore}: ${point.path} (${formatBytes(point.bytes)})`);
    }
    if (!input.json) io.reporter.output(`Removed ${doomed.length} restore point${doomed.length === 1 ? '' : 's'}, ${formatBytes(doomed.reduce((s, p) => s + p.bytes, 0))} freed.`);
    return { removed: doomed };
  });
};
