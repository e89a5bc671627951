import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  runHook
} from "./chunk-AQN6INZ3.js";
import {
  buildChecked,
  choosePaths,
  prepare,
  runHealthChecks
} from "./chunk-C2XOEHFR.js";
import "./chunk-RQ4OLF6H.js";
import {
  buildSnapshot
} from "./chunk-ZRYGKYSX.js";
import "./chunk-25K5IZNL.js";
import {
  crowdedDisks,
  findRestorePoints
} from "./chunk-YX54VFNA.js";
import {
  withLock
} from "./chunk-GTM6V2KB.js";
import {
  openSnapshot
} from "./chunk-M3HDCPT3.js";
import "./chunk-PDJL5LDK.js";
import "./chunk-SDQC2PXR.js";
import "./chunk-O2QLNILF.js";
import "./chunk-3REWNQ3V.js";
import {
  RestoreJournal,
  allTargets,
  loadRecovered
} from "./chunk-RQSM67IX.js";
import {
  faultPoint,
  makeBackupId
} from "./chunk-2DH6G5LH.js";
import {
  formatBytes
} from "./chunk-LMSXXO5M.js";
import "./chunk-GOBZCQIN.js";
import "./chunk-5QPPHHFV.js";
import "./chunk-CMYD6MRD.js";
import "./chunk-IIVFCJRN.js";
import "./chunk-ZXVIM5QX.js";
import {
  sourceAdapter
} from "./chunk-6OV6EYEP.js";
import "./chunk-XI4MDY3P.js";
import {
  restoreRequest
} from "./chunk-TY4SYINN.js";
import "./chunk-TBQSFWBU.js";
import {
  runCommand
} from "./chunk-K3PTCQNR.js";
import "./chunk-XRTEQXPF.js";
import "./chunk-5F55Z7FC.js";
import "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import "./chunk-QVOAAX5T.js";
import {
  HealthCheckError,
  InterruptedError,
  RunError,
  UsageError,
  reason
} from "./chunk-WHVU3KGO.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";

// src/restore/partial.ts
import { readdir, rmdir } from "node:fs/promises";
import { resolve } from "node:path";
async function restorePaths(loaded, request, io) {
  const into = resolve(request.into);
  const existing = await readdir(into).catch((error) => error.code === "ENOENT" ? void 0 : Promise.reject(error));
  if (existing && existing.length > 0) throw new UsageError(`--into ${into} is not empty.`, { hint: "Give a new or empty folder: a partial restore never writes over files." });
  const opened = await openSnapshot(loaded, { backup: request.backup, ...request.source ? { source: request.source } : {}, ...request.target ? { target: request.target } : {} }, io);
  const { wanted } = await choosePaths(opened.reader, opened.snapshot, request.paths);
  if (wanted.size === 0) throw new UsageError(`No path of backup ${opened.backupId} (source "${opened.source}") matches ${request.paths.join(", ")}.`, { hint: "Run `restorable ls` to see what it holds." });
  if (existing) await rmdir(into);
  const { counts } = await buildSnapshot({ reader: opened.reader, snapshot: opened.snapshot, into, source: opened.source, reporter: io.reporter, signal: io.signal, only: (path) => wanted.has(path) });
  return { backupId: opened.backupId, source: opened.source, target: opened.target.name, into, counts, read: { ...opened.reader.read } };
}

// src/restore/restore.ts
import { rm } from "node:fs/promises";

// src/util/durable.ts
import { existsSync } from "node:fs";
async function flushToDisk(path, signal) {
  if (!existsSync(path)) return;
  const result = await runCommand(["sync", "-f", path], { cwd: "/", timeoutMs: 6e5, ...signal ? { signal } : {} });
  if (result.code !== 0) {
    throw new RunError(`Could not flush the restored copy at ${path} to disk (sync -f): ${result.stderr.trim() || `exit ${result.code}`}; live data was not touched.`, { hint: "The disk reported an error writing it: check the disk (dmesg) and its free space." });
  }
}

// src/restore/restore.ts
async function rollback(swaps, journal, ctx) {
  const failed = [];
  await journal?.phase("rolling-back").catch(() => void 0);
  for (const { config, adapter, plan } of [...swaps].reverse()) {
    await adapter.undoSteps(config, plan.steps, ctx).catch((error) => failed.push(`${config.name}: ${reason(error)}${plan.point ? ` (restore point kept at ${plan.point})` : ""}`));
  }
  if (failed.length === 0) await journal?.remove().catch((error) => ctx.reporter.warn(`Could not remove the restore journal: ${reason(error)}; the next run settles it.`));
  return failed;
}
async function swapAll(loaded, prepared, staged, tag, swaps, journal) {
  const { ctx } = prepared;
  for (const [index, { config, adapter, choice }] of prepared.selected.entries()) {
    const keep = loaded.plan.sources.filter((s) => s.name !== config.name).flatMap((s) => sourceAdapter(s).ownedPaths?.(s, ctx) ?? []);
    swaps.push({ config, adapter, plan: await adapter.planSwap(config, staged[index], ctx, tag, keep, choice !== void 0) });
  }
  for (const path of staged) await flushToDisk(path);
  await journal.planned(swaps.map(({ plan }) => plan));
  let n = 0;
  for (const [index, { config, adapter, plan }] of swaps.entries()) {
    for (const [step, body] of plan.steps.entries()) {
      faultPoint(`swap:${++n}`);
      await adapter.runStep(config, body, ctx);
      await journal.progress(index, step + 1);
    }
    ctx.reporter.info(`Restored "${config.name}"; ${plan.point ? `the previous state is kept at ${plan.point}` : "there was no previous state"}`);
  }
  faultPoint(`swap:${n + 1}`);
  await journal.phase("swapped");
  faultPoint("swapped");
}
async function runRestore(loaded, request) {
  const started = performance.now();
  const { plan, dir } = loaded;
  const { reporter, signal } = request;
  const prepared = await prepare(loaded, request, "restore");
  const tag = makeBackupId(/* @__PURE__ */ new Date(), null);
  const staged = [];
  const swaps = [];
  let journal;
  const hookEnv = { ...request.env, RESTORABLE_PLAN: plan.name, RESTORABLE_BACKUP_ID: prepared.manifest.backup_id };
  const hooks = (phase, strict = false) => runHooks(loaded, phase, hookEnv, request, strict);
  let postHookError;
  let appStopped = false;
  const configs = new Map(prepared.selected.map((s) => [s.config.name, s.config]));
  const checkCtx = { plan, planDir: dir, mode: "restore", reporter, signal, env: request.env, configs };
  const earlyChecks = [];
  try {
    signal.throwIfAborted();
    appStopped = true;
    await hooks("pre_restore", true);
    const builds = prepared.selected.map(({ config, adapter }) => ({ name: config.name, type: config.type, staged: adapter.stagingLocation(config, prepared.ctx, tag) }));
    journal = await RestoreJournal.begin(loaded, { backupId: prepared.manifest.backup_id, tag, sources: builds });
    for (const [index, item] of prepared.selected.entries()) {
      const { config, adapter } = item;
      signal.throwIfAborted();
      const into = builds[index].staged;
      await buildChecked(loaded.plan, prepared, item, into, "restore");
      staged.push({ path: into, discard: () => adapter.discard(into, config) });
    }
    signal.throwIfAborted();
    const builtAt = new Map(prepared.selected.map(({ config }, index) => [config.name, staged[index].path]));
    earlyChecks.push(...await runHealthChecks({ ...checkCtx, locations: builtAt, kinds: ["sql"] }));
    const early = earlyChecks.filter((c) => c.status === "failed");
    if (early.length > 0) {
      request.partial?.({ backupId: prepared.manifest.backup_id, target: prepared.target.name, ok: false, checks: earlyChecks });
      throw new HealthCheckError(`Health check${early.length > 1 ? "s" : ""} failed after restoring ${prepared.manifest.backup_id}: ${early.map((c) => `"${c.name}" (${c.detail})`).join("; ")}. Rolled back: the restored copy was checked beside the live data and discarded; the live data was never touched.`, {
        hint: "Try an older backup (--backup ID), or run `restorable drill` to test backups without touching live data."
      });
    }
    signal.throwIfAborted();
    await swapAll(loaded, prepared, staged.map((s) => s.path), tag, swaps, journal);
  } catch (error) {
    const stuck = await rollback(swaps, journal, prepared.ctx);
    for (const s of staged) await s.discard().catch(() => void 0);
    if (appStopped) await hooks("post_restore");
    if (stuck.length > 0) throw new RunError(`The restore failed (${reason(error)}) and could not be fully undone: ${stuck.join("; ")}`, { hint: "Move the restore point back by hand." });
    throw signal.aborted ? new InterruptedError("Interrupted: nothing was restored; the live data is as it was.") : error;
  } finally {
    await prepared.cleanup();
  }
  postHookError = await hooks("post_restore");
  const live = (name) => {
    const config = configs.get(name) ?? plan.sources.find((s) => s.name === name);
    return sourceAdapter(config).liveLocation(config, prepared.ctx);
  };
  const locations = new Map(plan.sources.map((s) => [s.name, live(s.name)]));
  const checks = [...earlyChecks, ...await runHealthChecks({ ...checkCtx, locations, kinds: ["http", "command"] })];
  const failed = checks.filter((c) => c.status === "failed");
  if (failed.length > 0 || signal.aborted) {
    request.partial?.({ backupId: prepared.manifest.backup_id, target: prepared.target.name, ok: false, checks });
    await hooks("pre_restore");
    const stuck = await rollback(swaps, journal, prepared.ctx);
    for (const s of staged) await s.discard().catch(() => void 0);
    await hooks("post_restore");
    if (stuck.length > 0) throw new RunError(`Health checks failed and the rollback could not be completed: ${stuck.join("; ")}`, { hint: "Move the restore points back by hand." });
    if (failed.length === 0) throw new InterruptedError("Interrupted during the health checks: rolled back, the data is as it was before the restore.");
    throw new HealthCheckError(`Health check${failed.length > 1 ? "s" : ""} failed after restoring ${prepared.manifest.backup_id}: ${failed.map((c) => `"${c.name}" (${c.detail})`).join("; ")}. Rolled back: the data is as it was before the restore.`, {
      hint: "Try an older backup (--backup ID), or run `restorable drill` to test backups without touching live data."
    });
  }
  for (const { plan: swap } of swaps) if (swap.leftover) await rm(swap.leftover, { recursive: true, force: true });
  await journal?.remove().catch((error) => reporter.warn(`Could not remove the restore journal: ${reason(error)}; the next run settles it (the restore stands).`));
  const result = {
    backupId: prepared.manifest.backup_id,
    target: prepared.target.name,
    sources: prepared.selected.map(({ config, choice }) => ({
      name: config.name,
      location: live(config.name),
      restorePoint: swaps.find((p) => p.config.name === config.name)?.plan.point ?? null,
      ...choice && request.paths ? { paths: request.paths, counts: choice.counts } : {}
    })),
    checks,
    durationMs: performance.now() - started
  };
  if (postHookError !== void 0) {
    request.partial?.(result);
    throw new RunError(`Backup ${result.backupId} was restored and its checks passed, but a post_restore hook failed: ${reason(postHookError)}`, {
      hint: "The data is restored; start the app (or finish what the hook does) by hand."
    });
  }
  return result;
}
async function runHooks(loaded, phase, env, request, strict) {
  let failed;
  for (const [index, hook] of loaded.plan.hooks[phase].entries()) {
    const signal = strict ? request.signal : new AbortController().signal;
    const run = runHook(hook, `${phase} hook ${index + 1}`, { cwd: loaded.dir, signal, env });
    if (strict) await run;
    else
      await run.catch((error) => {
        failed ??= error;
        request.reporter.warn(reason(error));
      });
  }
  return failed;
}

// src/commands/restore.ts
var restore = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const partial = input.paths && input.paths.length > 0 ? input.paths : void 0;
  if (partial && input.into) {
    const result2 = await restorePaths(loaded, { backup: input.backup, ...input.sources[0] ? { source: input.sources[0] } : {}, ...input.target ? { target: input.target } : {}, paths: partial, into: input.into }, io);
    if (!input.json) io.reporter.output(`Restored ${result2.counts.files} file(s), ${result2.counts.bytes} bytes, of backup ${result2.backupId} (source "${result2.source}", target "${result2.target}") into ${result2.into}; live data untouched (${result2.read.packs} whole pack(s) and ${result2.read.ranges} range(s), ${formatBytes(result2.read.bytes)} read).`);
    return result2;
  }
  if (input.into) throw new UsageError("--into goes with --path.", { hint: 'restorable restore --source NAME --path "upload/2024/**" --into /tmp/restored' });
  const targets = allTargets(loaded, io.env, io.reporter);
  const result = await withLock(loaded, targets, "restore", input, io, () => runRestore(loaded, { ...restoreRequest(input, io), targets, ...partial ? { paths: partial } : {} }));
  if (!input.json) {
    const lines = [`Restored ${partial ? `paths ${partial.join(", ")} of ` : ""}backup ${result.backupId} from target "${result.target}" in ${(result.durationMs / 1e3).toFixed(1)}s`];
    for (const source of result.sources) {
      const what = source.counts ? ` (${source.counts.files} file(s), ${formatBytes(source.counts.bytes)} put back; files added since stay)` : "";
      const kept = source.restorePoint ? ` (previous state kept at ${source.restorePoint})` : source.counts ? " (nothing live was replaced)" : "";
      lines.push(`  ${source.name}: ${source.location}${what}${kept}`);
    }
    for (const check of result.checks) lines.push(`  check ${check.name}: ${check.status} (${check.detail})`);
    io.reporter.output(lines.join("\n"));
  }
  await warnCrowded(loaded, io.env, io.reporter);
  return result;
};
function shareOf(loaded, env) {
  const raw = Number(env.RESTORABLE_RESTORE_POINT_SHARE?.replace(/%$/, ""));
  return Number.isFinite(raw) && raw > 0 ? raw / 100 : Number(loaded.plan.restore.restore_points_share.slice(0, -1)) / 100;
}
async function warnCrowded(loaded, env, reporter) {
  const points = await findRestorePoints(loaded, { databases: false }).catch(() => []);
  const share = shareOf(loaded, env);
  for (const disk of await crowdedDisks(points, share).catch(() => [])) {
    reporter.warn(
      `Restore points take ${formatBytes(disk.bytes)} of the ${formatBytes(disk.diskBytes)} disk holding ${disk.path} (more than ${Math.round(share * 1e3) / 10}%); every restore keeps a whole copy of what it replaced. See them with \`restorable restore-points\`, clear old ones with \`restorable restore-points --older-than 7d\`.`
    );
  }
}
export {
  restore
};
