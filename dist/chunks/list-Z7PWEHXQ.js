import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  loadRecovered,
  selectTargets
} from "./chunk-RQSM67IX.js";
import {
  SignatureError,
  compareBackupIds,
  listBackups,
  readDrill,
  readManifest
} from "./chunk-2DH6G5LH.js";
import {
  formatBytes
} from "./chunk-LMSXXO5M.js";
import "./chunk-GOBZCQIN.js";
import "./chunk-5QPPHHFV.js";
import "./chunk-CMYD6MRD.js";
import "./chunk-IIVFCJRN.js";
import "./chunk-6OV6EYEP.js";
import "./chunk-XI4MDY3P.js";
import {
  counts
} from "./chunk-TY4SYINN.js";
import "./chunk-TBQSFWBU.js";
import "./chunk-K3PTCQNR.js";
import "./chunk-XRTEQXPF.js";
import "./chunk-5F55Z7FC.js";
import "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import "./chunk-QVOAAX5T.js";
import {
  reason
} from "./chunk-WHVU3KGO.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";

// src/commands/list.ts
function age(from, now) {
  const hours = (now.getTime() - from.getTime()) / 36e5;
  if (hours < 1) return `${Math.max(0, Math.round(hours * 60))}m`;
  if (hours < 48) return `${Math.round(hours)}h`;
  return `${Math.round(hours / 24)}d`;
}
async function copyState(target, plan, id, now, signing, seen) {
  let entry;
  let note = "";
  try {
    const manifest = await readManifest(target, plan, id, signing);
    seen?.(manifest);
    entry = manifest.copies.find((c) => c.target === target.name);
  } catch (error) {
    note = error instanceof SignatureError ? error.state : `manifest unreadable: ${reason(error)}`;
  }
  const copy = entry && { target: entry.target, medium: entry.medium, offsite: entry.offsite, immutable: entry.immutable, counted: entry.counted ?? true, expiresAt: entry.expires_at ?? null };
  const expired = !!entry?.expires_at && Date.parse(entry.expires_at) <= now.getTime();
  if (!note) note = !entry ? "unverified" : expired ? "expired" : entry.counted === false ? "not counted" : "";
  return {
    target: target.name,
    verified: !!entry,
    verified_at: entry?.verified_at ?? null,
    expires_at: entry?.expires_at ?? null,
    counted: !!copy && counts(copy, now),
    note
  };
}
var list = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const { plan } = loaded;
  const rows = /* @__PURE__ */ new Map();
  const now = /* @__PURE__ */ new Date();
  const unreachable = [];
  for (const target of selectTargets(loaded, input.target, io.env, io.reporter)) {
    try {
      for (const backup of await listBackups(target, plan.name)) {
        const row = rows.get(backup.id) ?? { id: backup.id, time: backup.time.toISOString(), bytes: 0, targets: [], copies: [], incomplete: [], drill: null, policy_met: null, app_version: null, schema_versions: {} };
        if (backup.complete) {
          row.targets.push(target.name);
          const seen = (manifest) => {
            row.policy_met ??= manifest.policy.met;
            row.app_version ??= manifest.app_version;
            for (const s of manifest.sources) row.schema_versions[s.name] ??= s.schema_version;
          };
          row.copies.push(await copyState(target, plan.name, backup.id, now, plan.signing, seen));
          row.bytes = Math.max(row.bytes, backup.bytes);
          const drill = await readDrill(target, plan.name, backup.id);
          if (drill && (!row.drill || drill.at > row.drill.at)) row.drill = { ok: drill.ok, at: drill.at };
        } else row.incomplete.push(target.name);
        rows.set(backup.id, row);
      }
    } catch (error) {
      unreachable.push({ target: target.name, error: reason(error) });
      io.reporter.warn(`Cannot list target "${target.name}": ${reason(error)}`);
    }
  }
  const backups = [...rows.values()].filter((r) => r.targets.length > 0).sort((a, b) => compareBackupIds(b.id, a.id));
  if (!input.json) {
    const schema = (row) => Object.entries(row.schema_versions).filter(([, v]) => v !== null).map(([k, v]) => `${k} ${v}`).join(", ") || "-";
    const appWidth = Math.max(3, ...backups.map((r) => (r.app_version ?? "-").length));
    const schemaWidth = Math.max(6, ...backups.map((r) => schema(r).length));
    const lines = [`${"BACKUP".padEnd(40)} ${"AGE".padStart(5)} ${"SIZE".padStart(10)}  RULE     ${"APP".padEnd(appWidth)}  ${"SCHEMA".padEnd(schemaWidth)}  COPIES  DRILL   TARGETS`];
    for (const row of backups) {
      const drill = row.drill ? row.drill.ok ? "passed" : "FAILED" : "-";
      const rule = row.policy_met === null ? "-" : row.policy_met ? "met" : "NOT met";
      lines.push(`${row.id.padEnd(40)} ${age(new Date(row.time), now).padStart(5)} ${formatBytes(row.bytes).padStart(10)}  ${rule.padEnd(7)}  ${(row.app_version ?? "-").padEnd(appWidth)}  ${schema(row).padEnd(schemaWidth)}  ${String(row.copies.filter((c) => c.counted).length).padStart(6)}  ${drill.padEnd(6)}  ${row.copies.map((c) => c.note ? `${c.target} (${c.note})` : c.target).join(", ")}`);
    }
    if (backups.length === 0) lines.push("(no complete backups)");
    io.reporter.output(lines.join("\n"));
  }
  return { plan: plan.name, backups, unreachable };
};
export {
  list
};
