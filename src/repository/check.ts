/**
 * Keyless checks of a repository on one target: every index and pack read
 * back whole, its sha256 compared with its name and its size with what the
 * indexes say (the indexes' sizes only when this run can read them). With a
 * sample, a rotating subset of packs (by id), so a large repository can be
 * checked a slice at a time, as restic's `check --read-data-subset`.
 */
import { reason } from '../errors.js';
import type { Target } from '../targets/target.js';
import { repoKeys } from './format.js';
import { listRepo, readAll, sha256 } from './store.js';

/** Slice `part` (1-based) of `of` equal slices of the packs, by the first 8 hex digits of their ids. */
export interface Sample {
  part: number;
  of: number;
}

/** `10%` (today's slice of ten, rotating by day) or `3/7`. */
export function parseSample(text: string, now = new Date()): Sample | undefined {
  const share = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (share) {
    const percent = Number(share[1]);
    if (!(percent > 0 && percent <= 100)) return undefined;
    const of = Math.max(1, Math.round(100 / percent));
    const day = Math.floor(now.getTime() / 86_400_000);
    return { part: (day % of) + 1, of };
  }
  const slice = /^(\d+)\/(\d+)$/.exec(text);
  if (!slice) return undefined;
  const [part, of] = [Number(slice[1]), Number(slice[2])];
  return part >= 1 && part <= of ? { part, of } : undefined;
}

export const inSample = (id: string, sample: Sample | undefined) => !sample || (parseInt(id.slice(0, 8), 16) % sample.of) + 1 === sample.part;

export interface ObjectReport {
  indexes: number;
  packs: number;
  /** Packs left out by the sample. */
  skipped: number;
  bytes: number;
  problems: string[];
}

export async function checkObjects(target: Target, plan: string, sample?: Sample): Promise<ObjectReport> {
  const report: ObjectReport = { indexes: 0, packs: 0, skipped: 0, bytes: 0, problems: [] };
  const listing = await listRepo(target, plan);
  const check = async (key: string, id: string, size: number, what: string) => {
    try {
      const bytes = await readAll(target, key);
      report.bytes += bytes.length;
      if (bytes.length !== size) report.problems.push(`${what} ${id.slice(0, 12)} read ${bytes.length} bytes, listed as ${size}`);
      else if (sha256(bytes) !== id) report.problems.push(`${what} ${id.slice(0, 12)} is damaged: its sha256 differs from its name`);
    } catch (error) {
      report.problems.push(`${what} ${id.slice(0, 12)} cannot be read: ${reason(error)}`);
    }
  };
  for (const [id, size] of listing.indexes) {
    report.indexes += 1;
    await check(repoKeys.index(plan, id), id, size, 'index');
  }
  for (const [id, size] of listing.packs) {
    if (!inSample(id, sample)) {
      report.skipped += 1;
      continue;
    }
    report.packs += 1;
    await check(repoKeys.pack(plan, id), id, size, 'pack');
  }
  return report;
}
