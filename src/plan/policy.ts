/**
 * The copy rule (3-2-1 and friends) as arithmetic, shared by the static check
 * of the declared targets and the run-time check of the verified copies. The
 * live data counts as one copy, on disk, on site: 3-2-1 means the live data
 * plus two backups, on two kinds of media, one of them offsite.
 * 3-2-1-1-0 adds one immutable copy and zero errors: every copy is verified
 * by re-reading its checksum before it counts at all.
 */
import type { Medium } from '../targets/target.js';
import type { PolicyRule } from './schema.js';

export interface Requirement {
  copies: number;
  media: number;
  offsite: number;
  immutable: number;
}

export interface Copy {
  target: string;
  medium: Medium;
  offsite: boolean;
  immutable: boolean;
  /** False for a tier the store drops on its own (the GitHub cache): never counted. */
  counted?: boolean;
  /** When the store deletes this copy by itself (ISO time); an expired copy is not counted. */
  expiresAt?: string | null;
}

export interface PolicyVerdict {
  required: Requirement;
  have: Requirement;
  met: boolean;
  /** One sentence per unmet part, e.g. "2 of 3 copies". */
  missing: string[];
}

export function requirement(rule: PolicyRule): Requirement {
  if (rule === '3-2-1') return { copies: 3, media: 2, offsite: 1, immutable: 0 };
  if (rule === '3-2-1-1-0') return { copies: 3, media: 2, offsite: 1, immutable: 1 };
  return rule;
}

export function ruleName(rule: PolicyRule): string {
  if (typeof rule === 'string') return rule;
  return `${rule.copies} copies, ${rule.media} media, ${rule.offsite} offsite${rule.immutable ? `, ${rule.immutable} immutable` : ''}`;
}

const LIVE: Omit<Copy, 'target'> = { medium: 'disk', offsite: false, immutable: false };

/** Whether a copy counts toward the rule at `now`: not a volatile tier, not expired. */
export function counts(copy: Copy, now: Date = new Date()): boolean {
  if (copy.counted === false) return false;
  return !copy.expiresAt || Date.parse(copy.expiresAt) > now.getTime();
}

export function evaluate(rule: PolicyRule, copies: readonly Copy[], now: Date = new Date()): PolicyVerdict {
  const required = requirement(rule);
  const all = [LIVE, ...copies.filter((copy) => counts(copy, now))];
  const have: Requirement = {
    copies: all.length,
    media: new Set(all.map((c) => c.medium)).size,
    offsite: all.filter((c) => c.offsite).length,
    immutable: all.filter((c) => c.immutable).length,
  };
  const labels: Record<keyof Requirement, string> = {
    copies: 'copies (the live data counts as one)',
    media: 'kinds of media (disk, removable-disk, object, cloud-drive...)',
    offsite: 'offsite copies',
    immutable: 'immutable copies',
  };
  const missing = (Object.keys(required) as (keyof Requirement)[])
    .filter((key) => have[key] < required[key])
    .map((key) => `${have[key]} of ${required[key]} ${labels[key]}`);
  return { required, have, met: missing.length === 0, missing };
}
