/**
 * One retention decision for the whole plan, across all its targets: a
 * backup is kept everywhere or removed everywhere, so targets never drift
 * apart (deciding per target, two targets could each drop a different half).
 * Pure: prune.ts gathers the inputs and applies the result.
 *
 * On top of the policy (retention.ts, restic's `forget` rules):
 * - Backups that met the copy rule fill the policy's slots first. Those that
 *   did not are kept only when newer than every one that did (the latest
 *   state, bounded by the same policy); older ones go.
 * - The newest backup whose last drill passed is never removed.
 * - Protected ids (the backup being made now) are never removed.
 * A kept backup that a target should hold (its manifest lists a copy there)
 * but does not is reported as missing there. One exception to "everywhere":
 * a target whose copy of a newer backup is damaged keeps its newest readable
 * backup (`spareOn`), so a damaged manifest is never why a target's last good
 * copy goes.
 */
import type { Retention } from '../plan/schema.js';
import { decideRetention, type RetentionDecision } from './retention.js';
import { compareBackupIds } from '../artifacts/backup-id.js';

export interface PlanBackup {
  id: string;
  time: Date;
  /** Targets holding a complete copy whose manifest reads. */
  holders: string[];
  /** Targets its manifest lists as holding a verified copy. */
  copies: string[];
  /** Whether the copy rule was met when it was made (manifest `policy.met`). */
  met: boolean;
  /** Its newest drill result, from whichever copy has the newest. */
  drill?: { ok: boolean; at: string } | undefined;
  /** Targets where its manifest is damaged (not holders: such a copy is kept for a person and counts for nothing). */
  damaged?: string[];
}

export interface PlanDecision extends RetentionDecision {
  holders: string[];
  /** Kept, but absent from these targets that its manifest lists. */
  missing: string[];
  /** Removed, except on these targets: their copy of a newer backup is damaged, and this is their newest readable one. */
  spareOn: string[];
}

const NEWER_THAN_MET = 'newer than every backup that met the copy rule';

export function decidePlanRetention(backups: readonly PlanBackup[], policy: Retention | undefined, options: { protect?: readonly string[] } = {}): PlanDecision[] {
  const protect = options.protect ?? [];
  // A backup with no readable copy anywhere is no backup to count (prune keeps its damaged copies for a person).
  const all = backups;
  backups = backups.filter((b) => b.holders.length > 0);
  const met = backups.filter((b) => b.met);
  const decisions = new Map<string, RetentionDecision>();
  if (met.length === 0) {
    for (const d of decideRetention(backups, policy, { protect })) decisions.set(d.id, d);
  } else {
    for (const d of decideRetention(met, policy, { protect })) decisions.set(d.id, d);
    const newestMet = Math.max(...met.map((b) => b.time.getTime()));
    const newer = backups.filter((b) => !b.met && b.time.getTime() > newestMet);
    for (const d of decideRetention(newer, policy, { protect })) {
      decisions.set(d.id, { ...d, reasons: d.reasons.map((r) => (r === 'no retention policy' ? r : `${r} (${NEWER_THAN_MET})`)) });
    }
    for (const b of backups) {
      if (decisions.has(b.id)) continue;
      const reasons = protect.includes(b.id) ? ['protected'] : !policy || Object.values(policy).every((v) => v === undefined) ? ['no retention policy'] : [];
      decisions.set(b.id, { id: b.id, time: b.time, keep: reasons.length > 0, reasons });
    }
  }
  const drilled = backups.filter((b) => b.drill?.ok).sort((a, b) => b.time.getTime() - a.time.getTime() || compareBackupIds(b.id, a.id))[0];
  if (drilled) {
    const d = decisions.get(drilled.id)!;
    d.reasons.push('newest backup that passed a drill');
    d.keep = true;
  }
  const sorted = [...all].sort((a, b) => b.time.getTime() - a.time.getTime() || compareBackupIds(b.id, a.id));
  const spare = new Map<string, string[]>();
  for (const target of new Set(sorted.flatMap((b) => b.damaged ?? []))) {
    const newestDamaged = sorted.findIndex((b) => b.damaged?.includes(target));
    // Sorted newest first: a kept readable copy at or before that index is newer than the damaged one.
    if (sorted.slice(0, newestDamaged).some((b) => decisions.get(b.id)?.keep && b.holders.includes(target))) continue;
    const fallback = sorted.slice(newestDamaged + 1).find((b) => b.holders.includes(target));
    if (!fallback || decisions.get(fallback.id)!.keep) continue;
    spare.set(fallback.id, [...(spare.get(fallback.id) ?? []), target]);
  }
  return sorted.filter((b) => decisions.has(b.id)).map((b) => {
    const d = decisions.get(b.id)!;
    const spareOn = spare.get(b.id) ?? [];
    const reasons = spareOn.length > 0 ? [...d.reasons, `kept on ${spareOn.join(', ')} only: the newest readable copy there (a newer copy's manifest is damaged)`] : d.reasons;
    return { ...d, reasons, holders: [...b.holders], missing: d.keep ? b.copies.filter((t) => !b.holders.includes(t)) : [], spareOn };
  });
}
