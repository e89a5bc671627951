/**
 * restore: verify, build the restored data beside the live data, run the sql
 * health checks against it there, swap it in keeping the old state as a
 * restore point, run the checks that need the running app (http, command),
 * and roll back to the restore point if any of those fails. A failing sql
 * check never reaches the live data: the restored copy is discarded before
 * the swap. The live data is only ever renamed (or linked), never
 * rewritten, so a rollback gives back the very same bytes. Every source's
 * swap is planned first and written to the restore journal (journal.ts)
 * before the first step, so that a run killed mid-swap is undone as a whole
 * by the next command.
 */
import { rm } from 'node:fs/promises';
import { makeBackupId } from '../artifacts/backup-id.js';
import { HealthCheckError, InterruptedError, RunError, reason } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import { runHook } from '../pipeline/hooks.js';
import { sourceAdapter } from '../sources/index.js';
import type { SourceAdapter, SwapPlan } from '../sources/source.js';
import type { SourceConfig } from '../sources/index.js';
import { flushToDisk } from '../util/durable.js';
import { faultPoint } from '../util/fault.js';
import { RestoreJournal } from './journal.js';
import { runHealthChecks, type CheckResult } from './healthchecks.js';
import { buildChecked } from './build.js';
import { prepare, type Prepared, type RestoreRequest } from './prepare.js';

export interface RestoredSource {
  name: string;
  location: string;
  restorePoint: string | null;
  /** restore --path: the patterns, and what of the snapshot was put back (files added since stay live). */
  paths?: string[];
  counts?: { files: number; dirs: number; symlinks: number; bytes: number };
}

export interface RestoreResult {
  backupId: string;
  target: string;
  sources: RestoredSource[];
  checks: CheckResult[];
  durationMs: number;
}

/** One source's swap, as planned and journalled. */
interface Swap {
  config: SourceConfig;
  adapter: SourceAdapter<SourceConfig>;
  plan: SwapPlan;
}

/**
 * Undoes every source's swap, last source first, whatever prefix of its steps
 * was made (the undo looks at the live data). The journal says
 * `rolling-back` meanwhile, and goes once everything is back.
 */
async function rollback(swaps: Swap[], journal: RestoreJournal | undefined, ctx: Prepared['ctx']): Promise<string[]> {
  const failed: string[] = [];
  // A journal that cannot be written (a full disk) still says `swapping`, which also means roll back: go on.
  await journal?.phase('rolling-back').catch(() => undefined);
  for (const { config, adapter, plan } of [...swaps].reverse()) {
    await adapter.undoSteps(config, plan.steps, ctx).catch((error: unknown) => failed.push(`${config.name}: ${reason(error)}${plan.point ? ` (restore point kept at ${plan.point})` : ''}`));
  }
  if (failed.length === 0) await journal?.remove().catch((error: unknown) => ctx.reporter.warn(`Could not remove the restore journal: ${reason(error)}; the next run settles it.`));
  return failed;
}

/** Plans every source's swap (nothing live changes), journals them all, then makes the steps in order. */
async function swapAll(loaded: LoadedPlan, prepared: Prepared, staged: string[], tag: string, swaps: Swap[], journal: RestoreJournal): Promise<void> {
  const { ctx } = prepared;
  for (const [index, { config, adapter, choice }] of prepared.selected.entries()) {
    // Other sources' files (a database inside a folder source) stay where they are, restored or not.
    const keep = loaded.plan.sources.filter((s) => s.name !== config.name).flatMap((s) => sourceAdapter(s).ownedPaths?.(s, ctx) ?? []);
    swaps.push({ config, adapter, plan: await adapter.planSwap(config, staged[index]!, ctx, tag, keep, choice !== undefined) });
  }
  // The builds reach the disk before any rename makes them live (util/durable.ts).
  for (const path of staged) await flushToDisk(path);
  await journal.planned(swaps.map(({ plan }) => plan));
  let n = 0;
  for (const [index, { config, adapter, plan }] of swaps.entries()) {
    for (const [step, body] of plan.steps.entries()) {
      faultPoint(`swap:${++n}`);
      await adapter.runStep(config, body, ctx);
      await journal.progress(index, step + 1);
    }
    ctx.reporter.info(`Restored "${config.name}"; ${plan.point ? `the previous state is kept at ${plan.point}` : 'there was no previous state'}`);
  }
  faultPoint(`swap:${n + 1}`);
  await journal.phase('swapped');
  faultPoint('swapped');
}

/**
 * The order around the app: pre_restore hooks (stop it), build, sql checks on
 * the built copies, swap, post_restore hooks (start it on the restored data),
 * http and command checks. If one of those fails: pre_restore again, roll
 * back, post_restore again, so the app runs on its old data. post_restore
 * runs whenever pre_restore ran.
 */
export async function runRestore(loaded: LoadedPlan, request: RestoreRequest): Promise<RestoreResult> {
  const started = performance.now();
  const { plan, dir } = loaded;
  const { reporter, signal } = request;
  const prepared = await prepare(loaded, request, 'restore');
  // Unique per run: two restores within a second must never share a restore point.
  const tag = makeBackupId(new Date(), null);
  const staged: { path: string; discard: () => Promise<void> }[] = [];
  const swaps: Swap[] = [];
  let journal: RestoreJournal | undefined;
  const hookEnv = { ...request.env, RESTORABLE_PLAN: plan.name, RESTORABLE_BACKUP_ID: prepared.manifest.backup_id };
  const hooks = (phase: 'pre_restore' | 'post_restore', strict = false) => runHooks(loaded, phase, hookEnv, request, strict);
  let postHookError: unknown;
  let appStopped = false;
  const configs = new Map(prepared.selected.map((s) => [s.config.name, s.config]));
  const checkCtx = { plan, planDir: dir, mode: 'restore' as const, reporter, signal, env: request.env, configs };
  const earlyChecks: CheckResult[] = [];
  try {
    signal.throwIfAborted();
    appStopped = true;
    await hooks('pre_restore', true);
    // Journalled before anything is built: a kill while building leaves builds the next run removes.
    const builds = prepared.selected.map(({ config, adapter }) => ({ name: config.name, type: config.type, staged: adapter.stagingLocation(config, prepared.ctx, tag) }));
    journal = await RestoreJournal.begin(loaded, { backupId: prepared.manifest.backup_id, tag, sources: builds });
    for (const [index, item] of prepared.selected.entries()) {
      const { config, adapter } = item;
      signal.throwIfAborted();
      const into = builds[index]!.staged;
      await buildChecked(loaded.plan, prepared, item, into, 'restore');
      staged.push({ path: into, discard: () => adapter.discard(into, config) });
    }
    signal.throwIfAborted();
    const builtAt = new Map(prepared.selected.map(({ config }, index) => [config.name, staged[index]!.path]));
    earlyChecks.push(...(await runHealthChecks({ ...checkCtx, locations: builtAt, kinds: ['sql'] })));
    const early = earlyChecks.filter((c) => c.status === 'failed');
    if (early.length > 0) {
      request.partial?.({ backupId: prepared.manifest.backup_id, target: prepared.target.name, ok: false, checks: earlyChecks });
      throw new HealthCheckError(`Health check${early.length > 1 ? 's' : ''} failed after restoring ${prepared.manifest.backup_id}: ${early.map((c) => `"${c.name}" (${c.detail})`).join('; ')}. Rolled back: the restored copy was checked beside the live data and discarded; the live data was never touched.`, {
        hint: 'Try an older backup (--backup ID), or run `restorable drill` to test backups without touching live data.',
      });
    }
    signal.throwIfAborted();
    await swapAll(loaded, prepared, staged.map((s) => s.path), tag, swaps, journal);
  } catch (error) {
    const stuck = await rollback(swaps, journal, prepared.ctx);
    for (const s of staged) await s.discard().catch(() => undefined);
    if (appStopped) await hooks('post_restore');
    if (stuck.length > 0) throw new RunError(`The restore failed (${reason(error)}) and could not be fully undone: ${stuck.join('; ')}`, { hint: 'Move the restore point back by hand.' });
    throw signal.aborted ? new InterruptedError('Interrupted: nothing was restored; the live data is as it was.') : error;
  } finally {
    await prepared.cleanup();
  }
  postHookError = await hooks('post_restore');
  const live = (name: string) => {
    const config = configs.get(name) ?? plan.sources.find((s) => s.name === name)!;
    return sourceAdapter(config).liveLocation(config, prepared.ctx);
  };
  // Every source's live place: a command check may look at sources this restore left alone.
  const locations = new Map(plan.sources.map((s) => [s.name, live(s.name)]));
  const checks = [...earlyChecks, ...(await runHealthChecks({ ...checkCtx, locations, kinds: ['http', 'command'] }))];
  const failed = checks.filter((c) => c.status === 'failed');
  if (failed.length > 0 || signal.aborted) {
    request.partial?.({ backupId: prepared.manifest.backup_id, target: prepared.target.name, ok: false, checks });
    await hooks('pre_restore');
    const stuck = await rollback(swaps, journal, prepared.ctx);
    // The undo moved the restored data back where it was built: it goes now.
    for (const s of staged) await s.discard().catch(() => undefined);
    await hooks('post_restore');
    if (stuck.length > 0) throw new RunError(`Health checks failed and the rollback could not be completed: ${stuck.join('; ')}`, { hint: 'Move the restore points back by hand.' });
    if (failed.length === 0) throw new InterruptedError('Interrupted during the health checks: rolled back, the data is as it was before the restore.');
    throw new HealthCheckError(`Health check${failed.length > 1 ? 's' : ''} failed after restoring ${prepared.manifest.backup_id}: ${failed.map((c) => `"${c.name}" (${c.detail})`).join('; ')}. Rolled back: the data is as it was before the restore.`, {
      hint: 'Try an older backup (--backup ID), or run `restorable drill` to test backups without touching live data.',
    });
  }
  // The restore stands: what is left of the builds goes, then the journal.
  for (const { plan: swap } of swaps) if (swap.leftover) await rm(swap.leftover, { recursive: true, force: true });
  await journal?.remove().catch((error: unknown) => reporter.warn(`Could not remove the restore journal: ${reason(error)}; the next run settles it (the restore stands).`));
  const result: RestoreResult = {
    backupId: prepared.manifest.backup_id,
    target: prepared.target.name,
    sources: prepared.selected.map(({ config, choice }) => ({
      name: config.name,
      location: live(config.name),
      restorePoint: swaps.find((p) => p.config.name === config.name)?.plan.point ?? null,
      ...(choice && request.paths ? { paths: request.paths, counts: choice.counts } : {}),
    })),
    checks,
    durationMs: performance.now() - started,
  };
  if (postHookError !== undefined) {
    request.partial?.(result);
    throw new RunError(`Backup ${result.backupId} was restored and its checks passed, but a post_restore hook failed: ${reason(postHookError)}`, {
      hint: 'The data is restored; start the app (or finish what the hook does) by hand.',
    });
  }
  return result;
}

/**
 * Runs a phase's hooks. Strict: the first failure stops the restore before
 * anything is touched. Otherwise a failure is reported and the rest still
 * run: on the way back the app must come up whatever happens.
 */
async function runHooks(loaded: LoadedPlan, phase: 'pre_restore' | 'post_restore', env: NodeJS.ProcessEnv, request: RestoreRequest, strict: boolean): Promise<unknown> {
  let failed: unknown;
  for (const [index, hook] of loaded.plan.hooks[phase].entries()) {
    // Ctrl-C may stop the strict hooks (before anything is touched), never the ones that bring the app back.
    const signal = strict ? request.signal : new AbortController().signal;
    const run = runHook(hook, `${phase} hook ${index + 1}`, { cwd: loaded.dir, signal, env });
    if (strict) await run;
    else
      await run.catch((error: unknown) => {
        failed ??= error;
        request.reporter.warn(reason(error));
      });
  }
  return failed;
}
