/**
 * Applies a retention decision to one target. The decision itself is pure
 * (retention.ts); this only deletes, and deletes manifest.json first, so a
 * prune cut short leaves an incomplete backup (invisible), never a listed one
 * with missing artifacts. Incomplete backups older than a day (crashed runs)
 * are cleared as well.
 */
import { listBackups, readManifest, removeBackup } from '../artifacts/catalog.js';
import { IntegrityError, reason } from '../errors.js';
import type { Retention } from '../plan/schema.js';
import type { Target } from '../targets/target.js';
import { decideRetention, type RetentionDecision } from './retention.js';

const INCOMPLETE_GRACE_MS = 24 * 3600_000;

export interface PruneReport {
  target: string;
  kept: RetentionDecision[];
  removed: RetentionDecision[];
  /** Ids of incomplete backups (no manifest) that were cleared. */
  incomplete: string[];
}

export async function pruneTarget(
  target: Target,
  plan: string,
  policy: Retention | undefined,
  options: { protect?: readonly string[]; apply: boolean; now: Date },
): Promise<PruneReport> {
  const backups = await listBackups(target, plan);
  const complete = backups.filter((b) => b.complete);
  // A backup whose manifest does not read is kept for a person to look at, and never counts as one of the
  // backups kept: a damaged newest one must not be why the last good one goes.
  const readable: typeof complete = [];
  const damaged: RetentionDecision[] = [];
  for (const backup of complete) {
    const problem = await readManifest(target, plan, backup.id).then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof IntegrityError) return reason(error);
        throw error;
      },
    );
    if (problem) damaged.push({ id: backup.id, time: backup.time, keep: true, reasons: [`its manifest is damaged: kept, not counted (${problem})`] });
    else readable.push(backup);
  }
  const decisions = [...decideRetention(readable, policy, { protect: options.protect ?? [] }), ...damaged];
  const removed = decisions.filter((d) => !d.keep);
  const stale = backups.filter((b) => !b.complete && options.now.getTime() - b.time.getTime() > INCOMPLETE_GRACE_MS && !options.protect?.includes(b.id));
  if (options.apply) {
    for (const decision of removed) await removeBackup(target, plan, decision.id, complete.find((b) => b.id === decision.id)!.objects);
    for (const backup of stale) await target.remove(backup.objects.map((o) => o.key));
  }
  return { target: target.name, kept: decisions.filter((d) => d.keep), removed, incomplete: stale.map((b) => b.id) };
}
