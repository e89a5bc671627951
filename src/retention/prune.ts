/**
 * Applies a retention decision to one target. The decision itself is pure
 * (retention.ts); this only deletes, and deletes manifest.json first, so a
 * prune cut short leaves an incomplete backup (invisible), never a listed one
 * with missing artifacts. Incomplete backups older than a day (crashed runs)
 * are cleared as well.
 */
import { listBackups, readManifest, removeBackup } from '../artifacts/catalog.js';
import { IntegrityError, reason } from '../errors.js';
import type { Plan, Retention } from '../plan/schema.js';
import type { Secrets } from '../report/secrets.js';
import type { Target } from '../targets/target.js';
import type { Manifest } from '../artifacts/manifest.js';
import { decryptionKeys, type DecryptionKeys, type EncryptionSetting } from '../artifacts/encrypt.js';
import { collectGarbage, type GcReport } from '../repository/gc.js';
import { decideRetention, type RetentionDecision } from './retention.js';

const INCOMPLETE_GRACE_MS = 24 * 3600_000;

export interface PruneReport {
  target: string;
  kept: RetentionDecision[];
  removed: RetentionDecision[];
  /** Ids of incomplete backups (no manifest) that were cleared. */
  incomplete: string[];
  /** Repository space reclaimed after the removals (plans with a files repository). */
  repository?: GcReport;
}

/** What reclaiming repository space needs: how the plan encrypts, and the keys this run holds. */
export interface RepositoryPrune {
  encryption: EncryptionSetting | undefined;
  keys: DecryptionKeys;
}

/** For a plan with a files repository: what its prunes need to reclaim pack space (keys that do not load are left out). */
export function repositoryPruneOf(plan: Plan, env: NodeJS.ProcessEnv, secrets: Secrets): RepositoryPrune | undefined {
  if (!plan.sources.some((s) => s.type === 'files' && s.storage === 'repository')) return undefined;
  let keys: DecryptionKeys = plan.encryption?.passphrase !== undefined ? { passphrase: plan.encryption.passphrase, identities: [] } : { identities: [] };
  try {
    keys = decryptionKeys(env, plan.encryption, secrets);
  } catch {
    // A malformed identity only means pack space waits for a prune that can open the snapshots.
  }
  return { encryption: plan.encryption, keys };
}

export async function pruneTarget(
  target: Target,
  plan: string,
  policy: Retention | undefined,
  options: { protect?: readonly string[]; apply: boolean; now: Date; repository?: RepositoryPrune },
): Promise<PruneReport> {
  const backups = await listBackups(target, plan);
  const complete = backups.filter((b) => b.complete);
  // A backup whose manifest does not read is kept for a person to look at, and never counts as one of the
  // backups kept: a damaged newest one must not be why the last good one goes.
  const readable: typeof complete = [];
  const damaged: RetentionDecision[] = [];
  const manifests = new Map<string, Manifest>();
  for (const backup of complete) {
    const problem = await readManifest(target, plan, backup.id).then(
      (manifest) => void manifests.set(backup.id, manifest),
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
  const report: PruneReport = { target: target.name, kept: decisions.filter((d) => d.keep), removed, incomplete: stale.map((b) => b.id) };
  if (options.repository) {
    // A backup whose manifest does not read may use any blob: reclaim nothing while one is there.
    if (damaged.length > 0) report.repository = { packs_removed: 0, bytes_freed: 0, indexes_rewritten: 0, skipped: 'a backup with a damaged manifest is kept, and its snapshot may use any pack' };
    else {
      const gone = new Set(removed.map((d) => d.id));
      const remaining = [...manifests].filter(([id]) => !gone.has(id)).flatMap(([id, m]) => m.sources.filter((e) => e.storage === 'repository').map((entry) => ({ id, entry })));
      report.repository = await collectGarbage({ target, plan, remaining, ...options.repository, now: options.now, apply: options.apply });
    }
  }
  return report;
}
