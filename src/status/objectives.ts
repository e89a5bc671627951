/**
 * `objectives:` in the plan, and whether they hold. RPO: the newest backup
 * whose verified copies meet the copy rule is at most this old (by the time
 * its snapshot started: what a restore would lose). RTO: the last drill's
 * recovery time (restore and health checks) is at most this. drill_max_age:
 * the last drill is at most this old. Besides these, the last drill must
 * have passed, and there must be a backup at all.
 */
import { z } from 'zod';

const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const span = z
  .string()
  .regex(/^\d+(s|m|h|d|w)$/, { error: 'expected a duration such as 90s, 30m, 26h, 8d or 2w' })
  .transform((text) => Number(text.slice(0, -1)) * unitMs[text.slice(-1) as keyof typeof unitMs]);

export const objectivesConfig = z.strictObject({ rpo: span.optional(), rto: span.optional(), drill_max_age: span.optional() });
export type Objectives = z.infer<typeof objectivesConfig>;

export interface ObjectiveResult {
  name: 'backup' | 'rpo' | 'rto' | 'drill' | 'drill_max_age';
  met: boolean;
  /** The objective, in seconds (null for the ones without a number: a backup exists, the last drill passed). */
  limit_seconds: number | null;
  /** What was measured, in seconds, when there was something to measure. */
  actual_seconds: number | null;
  detail: string;
}

export interface Measured {
  /** Age of the newest backup that meets the copy rule, in seconds; null when there is none. */
  newestAgeSeconds: number | null;
  /** Whether any complete backup exists (one short of the copy rule counts here). */
  anyBackup: boolean;
  drill: { ok: boolean; ageSeconds: number; durationSeconds: number } | null;
}

/** A duration for people: 45s, 12m, 3.5h, 2.1d. */
export function humanSeconds(seconds: number): string {
  if (seconds < 10 && !Number.isInteger(seconds)) return `${seconds.toFixed(1)}s`;
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

export function evaluateObjectives(objectives: Objectives | undefined, measured: Measured): ObjectiveResult[] {
  const results: ObjectiveResult[] = [];
  const { newestAgeSeconds: age, drill } = measured;
  if (age === null) {
    results.push({ name: 'backup', met: false, limit_seconds: null, actual_seconds: null, detail: measured.anyBackup ? 'no backup has verified copies that meet the copy rule' : 'no complete backup on any reachable target' });
  }
  const limit = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
  const rpo = limit(objectives?.rpo);
  if (rpo !== undefined && age !== null) {
    results.push({ name: 'rpo', met: age <= rpo, limit_seconds: rpo, actual_seconds: age, detail: `newest good backup is ${humanSeconds(age)} old (RPO ${humanSeconds(rpo)})` });
  }
  if (drill) {
    results.push({ name: 'drill', met: drill.ok, limit_seconds: null, actual_seconds: null, detail: drill.ok ? `last drill passed ${humanSeconds(drill.ageSeconds)} ago` : `last drill FAILED ${humanSeconds(drill.ageSeconds)} ago` });
  }
  const maxAge = limit(objectives?.drill_max_age);
  if (maxAge !== undefined) {
    results.push(
      drill
        ? { name: 'drill_max_age', met: drill.ageSeconds <= maxAge, limit_seconds: maxAge, actual_seconds: drill.ageSeconds, detail: `last drill was ${humanSeconds(drill.ageSeconds)} ago (at most ${humanSeconds(maxAge)})` }
        : { name: 'drill_max_age', met: false, limit_seconds: maxAge, actual_seconds: null, detail: 'no drill has been recorded' },
    );
  }
  const rto = limit(objectives?.rto);
  if (rto !== undefined) {
    results.push(
      drill
        ? { name: 'rto', met: drill.durationSeconds <= rto, limit_seconds: rto, actual_seconds: drill.durationSeconds, detail: `last drill recovered in ${humanSeconds(drill.durationSeconds)} (RTO ${humanSeconds(rto)})` }
        : { name: 'rto', met: false, limit_seconds: rto, actual_seconds: null, detail: 'no drill has measured the recovery time' },
    );
  }
  return results;
}
