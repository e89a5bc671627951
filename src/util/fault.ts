/**
 * Test-only fault points. `RESTORABLE_FAULT=swap:3` makes the process kill
 * itself with SIGKILL (no cleanup, no finally: as a crash or kill -9 would)
 * when it reaches that point; `fail:swap:3` makes it fail there instead, as
 * a disk or server error would. Several may be given, comma-separated.
 * Points:
 * - `swap:<n>` just before the n-th step of a restore's swap (counted over
 *   all of its sources, in order; n = steps + 1 is after the last step,
 *   before the journal says so), `swapped` once the journal records every
 *   step made.
 * - `prune:<n>` just before the n-th change a prune makes on any target
 *   (a manifest removed, a backup's other objects removed, an incomplete
 *   backup cleared, a repository index written or removed, packs removed).
 * - `index:<n>` just before the n-th repository index a backup writes (a
 *   run writes one every INDEX_BLOBS blobs, repository/writer.ts, and one
 *   at the end).
 */
import { RunError } from '../errors.js';

export function faultPoint(name: string): void {
  const wanted = process.env.RESTORABLE_FAULT;
  if (wanted === undefined) return;
  const points = wanted.split(',');
  if (points.includes(name)) process.kill(process.pid, 'SIGKILL');
  if (points.includes(`fail:${name}`)) throw new RunError(`Fault point ${name} (RESTORABLE_FAULT).`);
}

const counts = new Map<string, number>();

/** The next point of a numbered series: `faultStep('prune')` is `prune:1`, then `prune:2`, ... */
export function faultStep(series: string): void {
  if (process.env.RESTORABLE_FAULT === undefined) return;
  const n = (counts.get(series) ?? 0) + 1;
  counts.set(series, n);
  faultPoint(`${series}:${n}`);
}
