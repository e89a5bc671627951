/**
 * drill: a restore into a scratch place, with the health checks, that never
 * touches live data. The result is recorded next to the backup (drill.json)
 * on every target that holds it, not only the one the drill read, so `list`
 * and retention (which never removes the newest backup that passed a drill)
 * still know it when that copy is gone.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { makeBackupId } from '../artifacts/backup-id.js';
import { keyOf } from '../artifacts/catalog.js';
import { DRILL, type DrillRecord } from '../artifacts/manifest.js';
import { HealthCheckError, InterruptedError, reason } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import { runHealthChecks, type CheckResult } from './healthchecks.js';
import { buildChecked } from './build.js';
import { createTarget } from '../targets/index.js';
import { findBackup } from './locate.js';
import { prepare, type RestoreRequest } from './prepare.js';

export interface DrillResult {
  backupId: string;
  target: string;
  ok: boolean;
  checks: CheckResult[];
  counts: Record<string, Record<string, number>>;
  durationMs: number;
}

export async function runDrill(loaded: LoadedPlan, request: Omit<RestoreRequest, 'allowVersionMismatch'>): Promise<DrillResult> {
  const started = performance.now();
  const prepared = await prepare(loaded, { ...request, allowVersionMismatch: true }, 'drill');
  const { reporter } = request;
  const checks: CheckResult[] = [];
  let failure: unknown;
  const tag = makeBackupId(new Date(), null);
  // Scratch places outside the staging folder (a scratch database) are removed here; the folder goes with cleanup().
  const scratch: (() => Promise<void>)[] = [];
  try {
    const locations = new Map<string, string>();
    for (const item of prepared.selected) {
      const { config, adapter } = item;
      const into = adapter.scratchLocation?.(config, prepared.ctx, tag) ?? join(prepared.stagingDir, `restored-${config.name}`);
      if (adapter.scratchLocation) scratch.push(() => adapter.discard(into, config));
      const began = performance.now();
      try {
        await buildChecked(loaded.plan, prepared, item, into, 'drill');
      } catch (error) {
        // A backup that cannot even be restored is the drill's finding: record it.
        checks.push({ name: `restore ${config.name}`, status: 'failed', ms: Math.round(performance.now() - began), detail: reason(error) });
        throw error;
      }
      locations.set(config.name, into);
      reporter.info(`Restored "${config.name}" into the scratch place ${into}`);
    }
    const configs = new Map(prepared.selected.map((s) => [s.config.name, s.config]));
    checks.push(...(await runHealthChecks({ plan: loaded.plan, planDir: loaded.dir, locations, mode: 'drill', reporter, signal: request.signal, env: request.env, configs })));
  } catch (error) {
    failure = error;
  } finally {
    for (const remove of scratch) await remove().catch((error: unknown) => reporter.warn(`Could not remove a drill's scratch copy: ${reason(error)}`));
    await prepared.cleanup();
  }
  // An interrupted drill found nothing about the backup: nothing is recorded.
  if (request.signal.aborted) throw new InterruptedError('Interrupted: the drill was stopped and cleaned up; nothing was recorded.');
  const ok = failure === undefined && checks.every((c) => c.status !== 'failed');
  const durationMs = performance.now() - started;
  const record: DrillRecord = {
    backup_id: prepared.manifest.backup_id,
    at: new Date().toISOString(),
    ok,
    target: prepared.target.name,
    duration_ms: Math.round(durationMs),
    // Written to the targets: check output may echo a secret.
    checks: checks.map((c) => ({ name: c.name, ok: c.status !== 'failed', ms: c.ms, detail: loaded.secrets.redact(c.detail) })),
  };
  const key = keyOf.file(loaded.plan.name, record.backup_id, DRILL);
  const body = Buffer.from(`${JSON.stringify(record, null, 2)}\n`);
  // Every holder of a complete copy; the target the drill read first, and always, even when listing the others fails.
  const targets = request.targets ?? loaded.plan.targets.map((config) => createTarget(config, { planDir: loaded.dir, env: request.env, onRetry: (message) => reporter.warn(message) }));
  const holders = await findBackup(targets, loaded.plan.name, record.backup_id, reporter).then(
    ({ holders }) => holders.filter((t) => t.name !== prepared.target.name),
    () => [],
  );
  for (const target of [prepared.target, ...holders]) {
    await target
      .put(key, Readable.from([body]))
      .catch((error: unknown) => reporter.warn(`Could not record the drill result (${DRILL}) on target "${target.name}": ${reason(error)}`));
  }
  const result: DrillResult = {
    backupId: record.backup_id,
    target: record.target,
    ok,
    checks,
    counts: Object.fromEntries(prepared.selected.map((s) => [s.config.name, s.entry.counts])),
    durationMs,
  };
  if (!ok) request.partial?.(result);
  if (failure !== undefined) throw failure;
  if (!ok) {
    const failed = checks.filter((c) => c.status === 'failed');
    throw new HealthCheckError(`Drill of backup ${record.backup_id} failed: ${failed.map((c) => `"${c.name}" (${c.detail})`).join('; ')}. Live data was not touched.`, {
      hint: 'This backup may not restore cleanly: check the app and the health checks, and drill an older backup (--backup ID).',
    });
  }
  return result;
}
