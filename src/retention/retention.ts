/**
 * Decides which backups a retention policy keeps, following restic's `forget`
 * semantics. It only decides and never deletes (prune.ts does that). Every
 * bucket (hour, day, ISO week, month, year) is computed in UTC, so a decision
 * does not depend on the machine's time zone.
 */
import { parseCalendarSpan, subtractSpan } from '../util/duration.js';
import type { Retention } from '../plan/schema.js';
import { compareBackupIds } from '../artifacts/backup-id.js';

export interface BackupRef {
  id: string;
  time: Date;
}

export interface RetentionDecision {
  id: string;
  time: Date;
  keep: boolean;
  /** Why it is kept, e.g. "last 3", "daily 2024-05-01", "within 14d"; empty when removed. */
  reasons: string[];
}

type BucketRule = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function isoWeek(t: Date): string {
  // The ISO week belongs to the year of its Thursday, so 2021-01-01 is 2020-W53.
  const thursday = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 3 - ((t.getUTCDay() + 6) % 7)));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${pad(week)}`;
}

const bucketOf: Record<BucketRule, (t: Date) => string> = {
  hourly: (t) => `${t.toISOString().slice(0, 13)}:00Z`,
  daily: (t) => t.toISOString().slice(0, 10),
  weekly: isoWeek,
  monthly: (t) => t.toISOString().slice(0, 7),
  yearly: (t) => String(t.getUTCFullYear()),
};

const bucketRules = Object.keys(bucketOf) as BucketRule[];

export function decideRetention(
  backups: readonly BackupRef[],
  policy: Retention | undefined,
  options: { protect?: readonly string[] } = {},
): RetentionDecision[] {
  for (const b of backups) {
    if (Number.isNaN(b.time.getTime())) throw new Error(`backup ${b.id} has an invalid time`);
  }
  // Times carry whole seconds, so two quick runs can tie. A protected backup is
  // the one being made now: it ranks newest, or "keep_last: 1" would keep an
  // older one beside it. Other ties go by the id's milliseconds (compareBackupIds).
  const protect = new Set(options.protect ?? []);
  const byId = (a: BackupRef, b: BackupRef) => compareBackupIds(b.id, a.id);
  const sorted = [...backups].sort(
    (a, b) => b.time.getTime() - a.time.getTime() || Number(protect.has(b.id)) - Number(protect.has(a.id)) || byId(a, b),
  );
  const decisions = sorted.map((b): RetentionDecision => ({ id: b.id, time: b.time, keep: false, reasons: [] }));
  const newest = decisions[0];
  if (!newest) return [];

  const empty = !policy || Object.values(policy).every((value) => value === undefined);
  if (empty) return decisions.map((d) => ({ ...d, keep: true, reasons: ['no retention policy'] }));

  if (policy.keep_last !== undefined) {
    for (const d of decisions.slice(0, policy.keep_last)) d.reasons.push(`last ${policy.keep_last}`);
  }

  for (const rule of bucketRules) {
    const limit = policy[`keep_${rule}`];
    if (!limit) continue;
    const seen = new Set<string>();
    for (const d of decisions) {
      if (seen.size >= limit) break;
      const bucket = bucketOf[rule](d.time);
      // Newest first, so the first backup met in a bucket is that bucket's newest.
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      d.reasons.push(`${rule} ${bucket}`);
    }
    // As restic does: while a rule has slots to spare, the oldest backup is kept too (a new series is not pruned down to days).
    if (seen.size < limit) decisions.at(-1)!.reasons.push(`oldest (${rule}: ${seen.size} of ${limit})`);
  }

  if (policy.keep_within !== undefined) {
    const span = parseCalendarSpan(policy.keep_within);
    // The schema has validated it; refusing here beats silently dropping the rule and removing more.
    if (!span) throw new Error(`invalid retention.keep_within: ${JSON.stringify(policy.keep_within)}`);
    const cutoff = subtractSpan(newest.time, span).getTime();
    for (const d of decisions) if (d.time.getTime() >= cutoff) d.reasons.push(`within ${policy.keep_within}`);
  }

  // Never remove the last good copy, whatever the policy says (e.g. all zeros).
  newest.reasons.push('newest backup');
  for (const d of decisions) {
    if (protect.has(d.id)) d.reasons.push('protected');
    d.keep = d.reasons.length > 0;
  }
  return decisions;
}
