import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  prunePlan,
  repositoryPruneOf
} from "./chunk-LPRRR3QJ.js";
import "./chunk-25K5IZNL.js";
import {
  withLock
} from "./chunk-GTM6V2KB.js";
import "./chunk-3REWNQ3V.js";
import {
  allTargets,
  loadRecovered,
  selectTargets
} from "./chunk-RQSM67IX.js";
import "./chunk-2DH6G5LH.js";
import "./chunk-GOBZCQIN.js";
import "./chunk-5QPPHHFV.js";
import "./chunk-CMYD6MRD.js";
import "./chunk-IIVFCJRN.js";
import "./chunk-ZXVIM5QX.js";
import "./chunk-6OV6EYEP.js";
import "./chunk-XI4MDY3P.js";
import "./chunk-TY4SYINN.js";
import "./chunk-TBQSFWBU.js";
import "./chunk-K3PTCQNR.js";
import "./chunk-XRTEQXPF.js";
import "./chunk-5F55Z7FC.js";
import "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import "./chunk-QVOAAX5T.js";
import "./chunk-WHVU3KGO.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";

// src/commands/prune.ts
var prune = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const { plan } = loaded;
  const reports = [];
  const targets = allTargets(loaded, io.env, io.reporter);
  const selected = new Set(selectTargets(loaded, input.target, io.env, io.reporter).map((t) => t.name));
  let failed = [];
  await withLock(loaded, input.dryRun ? [] : targets, "prune", input, io, async () => {
    const repository = repositoryPruneOf(plan, loaded.dir, io.env, loaded.secrets, io.reporter);
    const result = await prunePlan(targets, plan.name, plan.retention, { apply: !input.dryRun, now: /* @__PURE__ */ new Date(), applyTo: targets.filter((t) => selected.has(t.name)), ...repository ? { repository } : {} });
    reports.push(...result.targets);
    failed = result.failed;
    for (const f of failed) io.reporter.warn(`Target "${f.target}" could not be pruned (${f.error}); nothing was removed there, and its backups were not part of the decision.`);
    for (const report of reports) {
      if (report.missing.length > 0) io.reporter.warn(`Target "${report.target}" lacks kept backup(s) that its manifests list: ${report.missing.join(", ")}. Run \`restorable verify\` to see every copy.`);
    }
    if (input.json) return;
    for (const report of reports) {
      const lines = [`${report.target}: keep ${report.kept.length}, ${input.dryRun ? "would remove" : "removed"} ${report.removed.length}`];
      for (const d of report.kept) lines.push(`  keep   ${d.id}  (${d.reasons.join(", ")})`);
      for (const d of report.removed) lines.push(`  ${input.dryRun ? "would remove" : "remove"} ${d.id}`);
      for (const id of report.missing) lines.push(`  missing ${id}  (kept, listed in its manifest, not on this target)`);
      for (const id of report.incomplete) lines.push(`  ${input.dryRun ? "would clear" : "cleared"} incomplete ${id}`);
      const gc = report.repository;
      if (gc && (!gc.skipped || gc.packs_removed > 0)) lines.push(`  repository: ${input.dryRun ? "would remove" : "removed"} ${gc.packs_removed} unused pack(s)${gc.packs_repacked ? ` (${gc.packs_repacked} of them mostly unused, their live blobs repacked)` : ""}, ${gc.bytes_freed} bytes; ${gc.indexes_rewritten} index(es) rewritten`);
      if (gc?.skipped) lines.push(`  repository: ${gc.packs_removed > 0 ? "some space kept" : "nothing reclaimed"}: ${gc.skipped}`);
      io.reporter.output(lines.join("\n"));
    }
  });
  return { dryRun: input.dryRun, targets: reports, ...failed.length > 0 ? { failed } : {} };
};
export {
  prune
};
