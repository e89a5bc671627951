/**
 * What the targets say about a plan, read from their manifests and drill
 * records alone (no local state: a watchdog on another machine, or after the
 * backup machine died, sees the same). A copy counts when the manifest on
 * the target that holds it records it verified, and it has not expired.
 */
import { listBackups, readDrill, readManifest } from '../artifacts/catalog.js';
import type { DrillRecord, Manifest } from '../artifacts/manifest.js';
import { reason } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import { counts, evaluate, ruleName, type Copy } from '../plan/policy.js';
import type { Reporter } from '../report/reporter.js';
import type { Target } from '../targets/target.js';
import type { ObjectiveResult } from './objectives.js';

export interface BackupState {
  id: string;
  started_at: string;
  finished_at: string;
  duration_seconds: number;
  bytes: number;
  sources: { name: string; bytes: number; duration_seconds: number }[];
  /** Targets whose own manifest records a verified copy that counts now. */
  counted: string[];
  /** Targets that hold the backup (complete) but whose copy does not count (unverified, expired, a cache). */
  uncounted: string[];
  policy_met: boolean;
  drill: { ok: boolean; at: string; duration_seconds: number; target: string } | null;
}

export interface TargetState {
  name: string;
  reachable: boolean;
  error: string | null;
  backups: number;
}

export interface PlanState {
  rule: string;
  targets: TargetState[];
  /** Newest first. */
  backups: BackupState[];
}

function merge(into: Map<string, { manifest: Manifest; copies: Copy[]; holders: string[]; drill: DrillRecord | null }>, id: string, manifest: Manifest, target: Target, drill: DrillRecord | undefined): void {
  const entry = into.get(id) ?? { manifest, copies: [], holders: [], drill: null };
  entry.holders.push(target.name);
  const own = manifest.copies.find((c) => c.target === target.name);
  if (own) entry.copies.push({ target: own.target, medium: own.medium, offsite: own.offsite, immutable: own.immutable, counted: own.counted ?? true, expiresAt: own.expires_at ?? null });
  if (drill && (!entry.drill || drill.at > entry.drill.at)) entry.drill = drill;
  into.set(id, entry);
}

export async function readPlanState(loaded: LoadedPlan, targets: Target[], reporter: Reporter, now: Date): Promise<PlanState> {
  const { plan } = loaded;
  const found = new Map<string, { manifest: Manifest; copies: Copy[]; holders: string[]; drill: DrillRecord | null }>();
  const states: TargetState[] = [];
  for (const target of targets) {
    try {
      const complete = (await listBackups(target, plan.name)).filter((b) => b.complete);
      for (const backup of complete) {
        let manifest: Manifest;
        try {
          manifest = await readManifest(target, plan.name, backup.id, plan.signing);
        } catch (error) {
          reporter.warn(`Backup ${backup.id} on target "${target.name}": ${reason(error)}; its copy there is not counted.`);
          continue;
        }
        merge(found, backup.id, manifest, target, await readDrill(target, plan.name, backup.id));
      }
      states.push({ name: target.name, reachable: true, error: null, backups: complete.length });
    } catch (error) {
      reporter.warn(`Cannot read target "${target.name}": ${reason(error)}; its copies are not counted.`);
      states.push({ name: target.name, reachable: false, error: reason(error), backups: 0 });
    }
  }
  const backups = [...found.entries()]
    .sort(([a], [b]) => (a < b ? 1 : -1))
    .map(([id, { manifest, copies, holders, drill }]): BackupState => {
      const counting = copies.filter((c) => counts(c, now));
      return {
        id,
        started_at: manifest.started_at,
        finished_at: manifest.finished_at,
        duration_seconds: (Date.parse(manifest.finished_at) - Date.parse(manifest.started_at)) / 1000,
        bytes: manifest.sources.reduce((sum, s) => sum + s.artifact.bytes, 0),
        sources: manifest.sources.map((s) => ({ name: s.name, bytes: s.artifact.bytes, duration_seconds: s.duration_ms / 1000 })),
        counted: counting.map((c) => c.target),
        uncounted: holders.filter((h) => !counting.some((c) => c.target === h)),
        policy_met: evaluate(plan.policy.rule, counting, now).met,
        drill: drill ? { ok: drill.ok, at: drill.at, duration_seconds: drill.duration_ms / 1000, target: drill.target } : null,
      };
    });
  return { rule: ruleName(plan.policy.rule), targets: states, backups };
}

/** What `status` answers (its --json), and what the status page and the metrics are drawn from. */
export interface StatusData extends PlanState {
  plan: string;
  checked_at: string;
  /** The newest backup whose verified copies meet the copy rule. */
  newest: { id: string; time: string; age_seconds: number; copies: string[] } | null;
  /** The most recent drill of any backup. */
  drill: { backup_id: string; at: string; ok: boolean; duration_seconds: number; age_seconds: number } | null;
  objectives: ObjectiveResult[];
  /** Each objective missed, in words. */
  problems: string[];
  summary: string;
}
