import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  findRestorePoints,
  removeRestorePoint
} from "./chunk-YX54VFNA.js";
import {
  withLock
} from "./chunk-GTM6V2KB.js";
import {
  allTargets,
  loadRecovered
} from "./chunk-RQSM67IX.js";
import "./chunk-2DH6G5LH.js";
import {
  formatBytes
} from "./chunk-LMSXXO5M.js";
import "./chunk-GOBZCQIN.js";
import "./chunk-5QPPHHFV.js";
import "./chunk-CMYD6MRD.js";
import "./chunk-IIVFCJRN.js";
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
import {
  NotFoundError,
  UsageError
} from "./chunk-WHVU3KGO.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";

// src/commands/restore-points.ts
var AGE = /^(\d+)(h|d|w)$/;
var HOURS = { h: 1, d: 24, w: 168 };
function olderThanMs(text) {
  const m = AGE.exec(text.trim());
  if (!m) throw new UsageError(`--older-than ${text}: expected an age such as 12h, 7d or 2w.`);
  return Number(m[1]) * HOURS[m[2]] * 36e5;
}
function chosen(points, id) {
  const tags = [...new Set(points.map((p) => p.restore))];
  const matches = tags.filter((t) => t === id || t.endsWith(id) || t.startsWith(id));
  if (matches.length === 0) throw new NotFoundError(`No restore point "${id}".`, { hint: "Run `restorable restore-points` to see them." });
  if (matches.length > 1) throw new UsageError(`"${id}" matches ${matches.length} restores: ${matches.join(", ")}.`, { hint: "Give more of the id." });
  return points.filter((p) => p.restore === matches[0]);
}
function table(points) {
  if (points.length === 0) return "No restore points.";
  const rows = points.map((p) => [p.restore, p.source, p.made_at.replace("T", " ").replace(/:\d\dZ$/, " UTC"), formatBytes(p.bytes), p.path]);
  const head = ["RESTORE", "SOURCE", "MADE", "SIZE", "PATH"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const total = points.reduce((sum, p) => sum + p.bytes, 0);
  return [head, ...rows].map((r) => r.map((c, i) => i === 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])).join("  ").trimEnd()).concat(`${points.length} restore point${points.length === 1 ? "" : "s"}, ${formatBytes(total)}`).join("\n");
}
var restorePoints = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  if (input.remove === void 0 && input.olderThan === void 0) {
    const points = await findRestorePoints(loaded);
    if (!input.json) io.reporter.output(table(points));
    return { restore_points: points };
  }
  return withLock(loaded, allTargets(loaded, io.env, io.reporter), "restore-points", input, io, async () => {
    const points = await findRestorePoints(loaded);
    const cutoff = input.olderThan === void 0 ? void 0 : Date.now() - olderThanMs(input.olderThan);
    const doomed = input.remove !== void 0 ? chosen(points, input.remove) : points.filter((p) => Date.parse(p.made_at) < cutoff);
    for (const point of doomed) {
      await removeRestorePoint(loaded, point);
      if (!input.json) io.reporter.info(`Removed the restore point of "${point.source}" made by restore ${point.restore}: ${point.path} (${formatBytes(point.bytes)})`);
    }
    if (!input.json) io.reporter.output(`Removed ${doomed.length} restore point${doomed.length === 1 ? "" : "s"}, ${formatBytes(doomed.reduce((s, p) => s + p.bytes, 0))} freed.`);
    return { removed: doomed };
  });
};
export {
  restorePoints
};
