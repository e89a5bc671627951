/**
 * Applies one plan-wide retention decision (plan-wide.ts) to the plan's
 * targets. It reads every target's backups, manifests and drill records,
 * decides once, then removes each dropped backup from every target holding
 * it, manifest.json first (catalog.removeBackup): a prune cut short leaves an
 * incomplete backup (invisible), never a listed one with artifacts missing.
 * Incomplete backups older than a day (crashed runs) are cleared per target.
 */
import { listBackups, readDrill, readManifest, removeBackup, keyOf, type StoredBackup } from '../artifacts/catalog.js';
import { DRILL, type Manifest } from '../artifacts/manifest.js';
import { IntegrityError, reason } from '../errors.js';
import { faultStep } from '../util/fault.js';
import type { Plan, Retention } from '../plan/schema.js';
import type { Secrets } from '../report/secrets.js';
import { decryptionKeys, type DecryptionKeys, type EncryptionSetting } from '../artifacts/encrypt.js';
import { Cache, cacheDir } from '../repository/cache.js';
import { collectGarbage, type GcReport } from '../repository/gc.js';
import type { Reporter } from '../report/reporter.js';
import type { Target } from '../targets/target.js';
import { decidePlanRetention, type PlanBackup, type PlanDecision } from './plan-wide.js';
import type { RetentionDecision } from './retention.js';

const INCOMPLETE_GRACE_MS = 24 * 3600_000;

/** What became of one target. */
export interface PruneReport {
  target: string;
  kept: RetentionDecision[];
  removed: RetentionDecision[];
  /** Ids of incomplete backups (no manifest) that were cleared. */
  incomplete: string[];
  /** Ids of kept backups whose manifest lists a copy here that this target does not hold. */
  missing: string[];
  /** Repository space reclaimed after the removals (plans with a files repository). */
  repository?: GcReport;
}

/** What reclaiming repository space needs: how the plan encrypts, and the keys this run holds. */
export interface RepositoryPrune {
  encryption: EncryptionSetting | undefined;
  keys: DecryptionKeys;
  /** This host's repository cache, and where repacking reports what it skipped. */
  cache: Cache;
  reporter: Reporter;
}

/** For a plan with a files repository: what its prunes need to reclaim pack space (keys that do not load are left out). */
export function repositoryPruneOf(plan: Plan, planDir: string, env: NodeJS.ProcessEnv, secrets: Secrets, reporter: Reporter): RepositoryPrune | undefined {
  if (!plan.sources.some((s) => s.type === 'files' && s.storage === 'repository')) return undefined;
  let keys: DecryptionKeys = plan.encryption?.passphrase !== undefined ? { passphrase: plan.encryption.passphrase, identities: [] } : { identities: [] };
  try {
    keys = decryptionKeys(env, plan.encryption, secrets);
  } catch {
    // A malformed identity only means pack space waits for a prune that can open the snapshots.
  }
  return { encryption: plan.encryption, keys, cache: new Cache(cacheDir(plan.name, planDir, env)), reporter };
}

export interface PlanPruneReport {
  decisions: PlanDecision[];
  targets: PruneReport[];
  /** Targets that could not be read or pruned: their backups were not part of the decision, and nothing was removed there. */
  failed: { target: string; error: string }[];
}

interface Holding {
  target: Target;
  backups: StoredBackup[];
  /** Complete backups whose manifest does not read here: kept for a person to look at, never counted as a copy. */
  damaged: Map<string, string>;
  manifests: Map<string, Manifest>;
}

async function readHolding(target: Target, plan: string): Promise<{ holding: Holding; manifests: Map<string, Manifest>; drills: Map<string, { ok: boolean; at: string }> }> {
  const backups = await listBackups(target, plan);
  const damaged = new Map<string, string>();
  const manifests = new Map<string, Manifest>();
  const drills = new Map<string, { ok: boolean; at: string }>();
  for (const backup of backups.filter((b) => b.complete)) {
    try {
      manifests.set(backup.id, await readManifest(target, plan, backup.id));
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      damaged.set(backup.id, reason(error));
      continue;
    }
    if (backup.objects.some((o) => o.key === keyOf.file(plan, backup.id, DRILL))) {
      const drill = await readDrill(target, plan, backup.id);
      if (drill) drills.set(backup.id, { ok: drill.ok, at: drill.at });
    }
  }
  return { holding: { target, backups, damaged, manifests }, manifests, drills };
}

/**
 * Decides over every target that can be read and, with `apply`, removes the
 * dropped backups from the targets in `applyTo` (default: all of them).
 */
export async function prunePlan(
  targets: readonly Target[],
  plan: string,
  policy: Retention | undefined,
  options: { protect?: readonly string[]; apply: boolean; now: Date; applyTo?: readonly Target[]; repository?: RepositoryPrune },
): Promise<PlanPruneReport> {
  const failed: PlanPruneReport['failed'] = [];
  const holdings: Holding[] = [];
  const byId = new Map<string, PlanBackup>();
  for (const target of targets) {
    let read;
    try {
      read = await readHolding(target, plan);
    } catch (error) {
      failed.push({ target: target.name, error: reason(error) });
      continue;
    }
    holdings.push(read.holding);
    for (const [id, manifest] of read.manifests) {
      const backup = byId.get(id) ?? { id, time: read.holding.backups.find((b) => b.id === id)!.time, holders: [], copies: [], met: manifest.policy.met };
      backup.holders.push(target.name);
      for (const copy of manifest.copies) if (!backup.copies.includes(copy.target)) backup.copies.push(copy.target);
      // Any copy's manifest that met the rule says so: a later rewrite on some targets only ever adds copies.
      backup.met ||= manifest.policy.met;
      const drill = read.drills.get(id);
      if (drill && (!backup.drill || drill.at > backup.drill.at)) backup.drill = drill;
      byId.set(id, backup);
    }
  }
  // Only targets read now can be said to lack a copy.
  const readable = new Set(holdings.map((h) => h.target.name));
  for (const backup of byId.values()) backup.copies = backup.copies.filter((t) => readable.has(t));
  for (const { target, backups, damaged } of holdings) {
    for (const id of damaged.keys()) {
      const backup = byId.get(id) ?? { id, time: backups.find((b) => b.id === id)!.time, holders: [], copies: [], met: false };
      backup.damaged = [...(backup.damaged ?? []), target.name];
      byId.set(id, backup);
    }
  }
  const decisions = decidePlanRetention([...byId.values()], policy, options.protect ? { protect: options.protect } : {});
  const applyTo = new Set((options.applyTo ?? targets).map((t) => t.name));
  const reports: PruneReport[] = [];
  for (const { target, backups, damaged, manifests } of holdings) {
    if (!applyTo.has(target.name)) continue;
    const here = (d: PlanDecision) => d.holders.includes(target.name);
    const keptHere = (d: PlanDecision) => d.keep || d.spareOn.includes(target.name);
    const kept: RetentionDecision[] = decisions.filter((d) => keptHere(d) && here(d)).map((d) => ({ ...strip(d), keep: true }));
    const removed = decisions.filter((d) => !keptHere(d) && here(d)).map(strip);
    for (const [id, problem] of damaged) {
      kept.push({ id, time: backups.find((b) => b.id === id)!.time, keep: true, reasons: [`its manifest is damaged: kept, not counted (${problem})`] });
    }
    const stale = backups.filter((b) => !b.complete && options.now.getTime() - b.time.getTime() > INCOMPLETE_GRACE_MS && !options.protect?.includes(b.id));
    try {
      if (options.apply) {
        for (const id of removed.map((d) => d.id)) await removeBackup(target, plan, id, backups.find((b) => b.id === id)!.objects);
        for (const backup of stale) {
          faultStep('prune');
          await target.remove(backup.objects.map((o) => o.key));
        }
      }
    } catch (error) {
      failed.push({ target: target.name, error: reason(error) });
      continue;
    }
    const missing = decisions.filter((d) => d.missing.includes(target.name)).map((d) => d.id);
    const report: PruneReport = { target: target.name, kept, removed, incomplete: stale.map((b) => b.id), missing };
    if (options.repository) {
      try {
        report.repository = await reclaim(target, plan, manifests, damaged, new Set(removed.map((d) => d.id)), options.repository, options);
      } catch (error) {
        failed.push({ target: target.name, error: `reclaiming repository space: ${reason(error)}` });
      }
    }
    reports.push(report);
  }
  return { decisions, targets: reports, failed };
}

/** Repository space on one target after its removals; nothing while a backup with a damaged manifest (which may use any pack) is there. */
async function reclaim(target: Target, plan: string, manifests: Map<string, Manifest>, damaged: Map<string, string>, gone: Set<string>, repository: RepositoryPrune, options: { apply: boolean; now: Date }): Promise<GcReport> {
  if (damaged.size > 0) return { packs_removed: 0, bytes_freed: 0, indexes_rewritten: 0, skipped: 'a backup with a damaged manifest is kept, and its snapshot may use any pack' };
  const remaining = [...manifests].filter(([id]) => !gone.has(id)).flatMap(([id, m]) => m.sources.filter((e) => e.storage === 'repository').map((entry) => ({ id, entry })));
  return collectGarbage({ target, plan, remaining, ...repository, now: options.now, apply: options.apply });
}

const strip = (d: PlanDecision): RetentionDecision => ({ id: d.id, time: d.time, keep: d.keep, reasons: d.reasons });
