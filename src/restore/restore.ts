/**
 * restore: verify, build the restored data beside the live data, swap it in
 * keeping the old state as a restore point, run the health checks, and roll
 * back to the restore point if any check fails. The live data is only ever
 * renamed, never rewritten, so a rollback gives back the very same bytes.
 */
import { HealthCheckError, RunError, reason } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import { runHook } from '../pipeline/hooks.js';
import type { RestorePoint } from '../sources/source.js';
import { runHealthChecks, type CheckResult } from './healthchecks.js';
import { decoded } from './locate.js';
import { prepare, type RestoreRequest } from './prepare.js';

export interface RestoredSource {
  name: string;
  location: string;
  restorePoint: string | null;
}

export interface RestoreResult {
  backupId: string;
  target: string;
  sources: RestoredSource[];
  checks: CheckResult[];
  rolledBack: boolean;
  durationMs: number;
}

function tagOf(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

async function rollback(points: { name: string; point: RestorePoint }[]): Promise<string[]> {
  const failed: string[] = [];
  for (const { name, point } of [...points].reverse()) {
    await point.rollback().catch((error: unknown) => failed.push(`${name}: ${reason(error)}${point.location ? ` (restore point kept at ${point.location})` : ''}`));
  }
  return failed;
}

export async function runRestore(loaded: LoadedPlan, request: RestoreRequest): Promise<RestoreResult> {
  const started = performance.now();
  const { plan, dir } = loaded;
  const prepared = await prepare(loaded, request, 'restore');
  const { reporter, signal } = request;
  const tag = tagOf();
  const staged: { name: string; path: string; discard: () => Promise<void> }[] = [];
  const points: { name: string; point: RestorePoint }[] = [];
  const hookEnv = { ...request.env, RESTORABLE_PLAN: plan.name, RESTORABLE_BACKUP_ID: prepared.manifest.backup_id };
  try {
    for (const [index, hook] of plan.hooks.pre_restore.entries()) await runHook(hook, `pre_restore hook ${index + 1}`, { cwd: dir, signal, env: hookEnv });
    for (const { config, adapter, entry, artifact } of prepared.selected) {
      const into = adapter.stagingLocation(config, prepared.ctx, tag);
      await adapter.materialize(config, decoded(artifact, entry), into, prepared.ctx);
      staged.push({ name: config.name, path: into, discard: () => adapter.discard(into) });
    }
    for (const { config, adapter } of prepared.selected) {
      const path = staged.find((s) => s.name === config.name)!.path;
      points.push({ name: config.name, point: await adapter.swapIn(config, path, prepared.ctx, tag) });
      const kept = points.at(-1)!.point.location;
      reporter.info(`Restored "${config.name}"; ${kept ? `the previous state is kept at ${kept}` : 'there was no previous state'}`);
    }
  } catch (error) {
    const stuck = await rollback(points);
    for (const s of staged) await s.discard().catch(() => undefined);
    if (stuck.length > 0) throw new RunError(`The restore failed (${reason(error)}) and could not be fully undone: ${stuck.join('; ')}`, { hint: 'Move the restore point back by hand.' });
    throw error;
  } finally {
    await prepared.cleanup();
  }
  const locations = new Map(prepared.selected.map(({ config, adapter }) => [config.name, adapter.liveLocation(config, prepared.ctx)]));
  const checks = await runHealthChecks({ plan, planDir: dir, locations, mode: 'restore', reporter, signal, env: request.env });
  const failed = checks.filter((c) => c.status === 'failed');
  let rolledBack = false;
  if (failed.length > 0) {
    const stuck = await rollback(points);
    rolledBack = stuck.length === 0;
    await runPostHooks(loaded, hookEnv, request);
    if (stuck.length > 0) throw new RunError(`Health checks failed and the rollback could not be completed: ${stuck.join('; ')}`, { hint: 'Move the restore points back by hand.' });
    throw new HealthCheckError(`Health check${failed.length > 1 ? 's' : ''} failed after restoring ${prepared.manifest.backup_id}: ${failed.map((c) => `"${c.name}" (${c.detail})`).join('; ')}. Rolled back: the data is as it was before the restore.`, {
      hint: 'Try an older backup (--backup ID), or run `restorable drill` to test backups without touching live data.',
    });
  }
  await runPostHooks(loaded, hookEnv, request);
  return {
    backupId: prepared.manifest.backup_id,
    target: prepared.target.name,
    sources: prepared.selected.map(({ config }) => ({
      name: config.name,
      location: locations.get(config.name)!,
      restorePoint: points.find((p) => p.name === config.name)?.point.location ?? null,
    })),
    checks,
    rolledBack,
    durationMs: performance.now() - started,
  };
}

async function runPostHooks(loaded: LoadedPlan, env: NodeJS.ProcessEnv, request: RestoreRequest): Promise<void> {
  for (const [index, hook] of loaded.plan.hooks.post_restore.entries()) {
    await runHook(hook, `post_restore hook ${index + 1}`, { cwd: loaded.dir, signal: request.signal, env }).catch((error: unknown) =>
      request.reporter.warn(reason(error)),
    );
  }
}
