import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  buildChecked,
  prepare,
  runHealthChecks
} from "./chunk-C2XOEHFR.js";
import "./chunk-RQ4OLF6H.js";
import "./chunk-ZRYGKYSX.js";
import "./chunk-25K5IZNL.js";
import {
  withLock
} from "./chunk-GTM6V2KB.js";
import "./chunk-PDJL5LDK.js";
import {
  findBackup
} from "./chunk-SDQC2PXR.js";
import "./chunk-O2QLNILF.js";
import "./chunk-3REWNQ3V.js";
import {
  allTargets,
  loadRecovered
} from "./chunk-RQSM67IX.js";
import {
  DRILL,
  keyOf,
  makeBackupId
} from "./chunk-2DH6G5LH.js";
import {
  createTarget
} from "./chunk-GOBZCQIN.js";
import "./chunk-5QPPHHFV.js";
import "./chunk-CMYD6MRD.js";
import "./chunk-IIVFCJRN.js";
import "./chunk-ZXVIM5QX.js";
import "./chunk-6OV6EYEP.js";
import "./chunk-XI4MDY3P.js";
import {
  restoreRequest
} from "./chunk-TY4SYINN.js";
import "./chunk-TBQSFWBU.js";
import "./chunk-K3PTCQNR.js";
import "./chunk-XRTEQXPF.js";
import "./chunk-5F55Z7FC.js";
import "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import "./chunk-QVOAAX5T.js";
import {
  HealthCheckError,
  InterruptedError,
  reason
} from "./chunk-WHVU3KGO.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";

// src/restore/drill.ts
import { join } from "node:path";
import { Readable } from "node:stream";
async function runDrill(loaded, request) {
  const started = performance.now();
  const prepared = await prepare(loaded, { ...request, allowVersionMismatch: true }, "drill");
  const { reporter } = request;
  const checks = [];
  let failure;
  const tag = makeBackupId(/* @__PURE__ */ new Date(), null);
  const scratch = [];
  try {
    const locations = /* @__PURE__ */ new Map();
    for (const item of prepared.selected) {
      const { config, adapter } = item;
      const into = adapter.scratchLocation?.(config, prepared.ctx, tag) ?? join(prepared.stagingDir, `restored-${config.name}`);
      if (adapter.scratchLocation) scratch.push(() => adapter.discard(into, config));
      const began = performance.now();
      try {
        await buildChecked(loaded.plan, prepared, item, into, "drill");
      } catch (error) {
        checks.push({ name: `restore ${config.name}`, status: "failed", ms: Math.round(performance.now() - began), detail: reason(error) });
        throw error;
      }
      locations.set(config.name, into);
      reporter.info(`Restored "${config.name}" into the scratch place ${into}`);
    }
    const configs = new Map(prepared.selected.map((s) => [s.config.name, s.config]));
    checks.push(...await runHealthChecks({ plan: loaded.plan, planDir: loaded.dir, locations, mode: "drill", reporter, signal: request.signal, env: request.env, configs }));
  } catch (error) {
    failure = error;
  } finally {
    for (const remove of scratch) await remove().catch((error) => reporter.warn(`Could not remove a drill's scratch copy: ${reason(error)}`));
    await prepared.cleanup();
  }
  if (request.signal.aborted) throw new InterruptedError("Interrupted: the drill was stopped and cleaned up; nothing was recorded.");
  const ok = failure === void 0 && checks.every((c) => c.status !== "failed");
  const durationMs = performance.now() - started;
  const record = {
    backup_id: prepared.manifest.backup_id,
    at: (/* @__PURE__ */ new Date()).toISOString(),
    ok,
    target: prepared.target.name,
    duration_ms: Math.round(durationMs),
    // Written to the targets: check output may echo a secret.
    checks: checks.map((c) => ({ name: c.name, ok: c.status !== "failed", ms: c.ms, detail: loaded.secrets.redact(c.detail) }))
  };
  const key = keyOf.file(loaded.plan.name, record.backup_id, DRILL);
  const body = Buffer.from(`${JSON.stringify(record, null, 2)}
`);
  const targets = request.targets ?? loaded.plan.targets.map((config) => createTarget(config, { planDir: loaded.dir, env: request.env, onRetry: (message) => reporter.warn(message) }));
  const holders = await findBackup(targets, loaded.plan.name, record.backup_id, reporter).then(
    ({ holders: holders2 }) => holders2.filter((t) => t.name !== prepared.target.name),
    () => []
  );
  for (const target of [prepared.target, ...holders]) {
    await target.put(key, Readable.from([body])).catch((error) => reporter.warn(`Could not record the drill result (${DRILL}) on target "${target.name}": ${reason(error)}`));
  }
  const result = {
    backupId: record.backup_id,
    target: record.target,
    ok,
    checks,
    counts: Object.fromEntries(prepared.selected.map((s) => [s.config.name, s.entry.counts])),
    durationMs
  };
  if (!ok) request.partial?.(result);
  if (failure !== void 0) throw failure;
  if (!ok) {
    const failed = checks.filter((c) => c.status === "failed");
    throw new HealthCheckError(`Drill of backup ${record.backup_id} failed: ${failed.map((c) => `"${c.name}" (${c.detail})`).join("; ")}. Live data was not touched.`, {
      hint: "This backup may not restore cleanly: check the app and the health checks, and drill an older backup (--backup ID)."
    });
  }
  return result;
}

// src/commands/drill.ts
var drill = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const targets = allTargets(loaded, io.env, io.reporter);
  const result = await withLock(loaded, targets, "drill", input, io, () => runDrill(loaded, { ...restoreRequest(input, io), targets }));
  if (!input.json) {
    const lines = [`Drill of backup ${result.backupId} from target "${result.target}": passed in ${(result.durationMs / 1e3).toFixed(1)}s (live data untouched)`];
    for (const check of result.checks) lines.push(`  check ${check.name}: ${check.status} (${check.detail})`);
    io.reporter.output(lines.join("\n"));
  }
  if (loaded.plan.restore.healthchecks.length === 0) {
    io.reporter.warn("The plan has no health checks (restore.healthchecks): this drill proved only that the backup decodes and restores, not that the app works on it. Add an sql check (e.g. select count(*) from a table, expect {min: 1}) or an http or command check.");
  }
  return result;
};
export {
  drill
};
