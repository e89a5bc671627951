import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  allTargets
} from "./chunk-RQSM67IX.js";
import {
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
  counts,
  evaluate,
  load,
  ruleName
} from "./chunk-TY4SYINN.js";
import "./chunk-TBQSFWBU.js";
import "./chunk-K3PTCQNR.js";
import "./chunk-XRTEQXPF.js";
import "./chunk-5F55Z7FC.js";
import {
  evaluateObjectives,
  humanSeconds
} from "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import "./chunk-QVOAAX5T.js";
import {
  RunError,
  StaleError,
  reason
} from "./chunk-WHVU3KGO.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";

// src/status/read.ts
function merge(into, id, manifest, target, drill) {
  const entry = into.get(id) ?? { manifest, copies: [], holders: [], drill: null };
  entry.holders.push(target.name);
  const own = manifest.copies.find((c) => c.target === target.name);
  if (own) entry.copies.push({ target: own.target, medium: own.medium, offsite: own.offsite, immutable: own.immutable, counted: own.counted ?? true, expiresAt: own.expires_at ?? null });
  if (drill && (!entry.drill || drill.at > entry.drill.at)) entry.drill = drill;
  into.set(id, entry);
}
async function readPlanState(loaded, targets, reporter, now) {
  const { plan } = loaded;
  const found = /* @__PURE__ */ new Map();
  const states = [];
  for (const target of targets) {
    try {
      const complete = (await listBackups(target, plan.name)).filter((b) => b.complete);
      for (const backup of complete) {
        let manifest;
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
  const backups = [...found.entries()].sort(([a], [b]) => a < b ? 1 : -1).map(([id, { manifest, copies, holders, drill }]) => {
    const counting = copies.filter((c) => counts(c, now));
    return {
      id,
      started_at: manifest.started_at,
      finished_at: manifest.finished_at,
      duration_seconds: (Date.parse(manifest.finished_at) - Date.parse(manifest.started_at)) / 1e3,
      bytes: manifest.sources.reduce((sum, s) => sum + s.artifact.bytes, 0),
      sources: manifest.sources.map((s) => ({ name: s.name, bytes: s.artifact.bytes, duration_seconds: s.duration_ms / 1e3 })),
      counted: counting.map((c) => c.target),
      uncounted: holders.filter((h) => !counting.some((c) => c.target === h)),
      policy_met: evaluate(plan.policy.rule, counting, now).met,
      drill: drill ? { ok: drill.ok, at: drill.at, duration_seconds: drill.duration_ms / 1e3, target: drill.target } : null
    };
  });
  return { rule: ruleName(plan.policy.rule), targets: states, backups };
}

// src/status/html.ts
import { rename, writeFile } from "node:fs/promises";
var esc = (text) => String(text).replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "#39" }[c]};`);
var SHOWN = 60;
function bars(title, points, format) {
  if (points.length === 0) return `<figure><figcaption>${esc(title)}</figcaption><p class="muted">nothing yet</p></figure>`;
  const width = 600;
  const height = 140;
  const max = Math.max(...points.map((p) => p.value), 1e-9);
  const step = width / points.length;
  const barWidth = Math.max(1, step * 0.8);
  const rects = points.map((p, i) => {
    const h = Math.max(1, p.value / max * (height - 20));
    return `<rect x="${(i * step + (step - barWidth) / 2).toFixed(1)}" y="${(height - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" class="${p.bad ? "bad" : "bar"}"><title>${esc(`${p.label}: ${format(p.value)}`)}</title></rect>`;
  }).join("");
  return `<figure><figcaption>${esc(title)} <span class="muted">(max ${esc(format(max))})</span></figcaption><svg viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="${esc(title)}">${rects}<line x1="0" y1="${height - 0.5}" x2="${width}" y2="${height - 0.5}" class="axis"/></svg></figure>`;
}
function objectivesTable(data) {
  if (data.objectives.length === 0) return '<p class="muted">No objectives in the plan (objectives: {rpo, rto, drill_max_age}).</p>';
  const rows = data.objectives.map((o) => `<tr><td>${esc(o.name)}</td><td class="${o.met ? "ok" : "bad"}">${o.met ? "met" : "NOT met"}</td><td>${o.limit_seconds === null ? "" : esc(humanSeconds(o.limit_seconds))}</td><td>${esc(o.detail)}</td></tr>`);
  return `<table><thead><tr><th>objective</th><th>state</th><th>limit</th><th>now</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
function copiesTable(data, backups) {
  const targets = data.targets.map((t) => t.name);
  const head = `<tr><th>backup</th>${targets.map((t) => `<th>${esc(t)}</th>`).join("")}<th>rule</th></tr>`;
  const rows = backups.map((b) => {
    const cells = targets.map((t) => b.counted.includes(t) ? '<td class="ok">\u2713</td>' : b.uncounted.includes(t) ? '<td class="warn">not counted</td>' : '<td class="muted">\u2013</td>');
    return `<tr><td class="id">${esc(b.id)}</td>${cells.join("")}<td class="${b.policy_met ? "ok" : "bad"}">${b.policy_met ? "met" : "short"}</td></tr>`;
  });
  const state = data.targets.map((t) => `<li>${esc(t.name)}: ${t.reachable ? `${esc(t.backups)} backups` : `<span class="bad">unreachable</span> (${esc(t.error ?? "")})`}</li>`).join("");
  return `<ul class="targets">${state}</ul><div class="scroll"><table><thead>${head}</thead><tbody>${rows.join("")}</tbody></table></div>`;
}
function drillsTable(backups) {
  const drilled = backups.filter((b) => b.drill).sort((a, b) => a.drill.at < b.drill.at ? 1 : -1);
  if (drilled.length === 0) return '<p class="muted">No drill recorded yet (restorable drill).</p>';
  const rows = drilled.map((b) => `<tr><td>${esc(b.drill.at.replace("T", " ").slice(0, 16))}</td><td class="id">${esc(b.id)}</td><td class="${b.drill.ok ? "ok" : "bad"}">${b.drill.ok ? "passed" : "FAILED"}</td><td>${esc(humanSeconds(b.drill.duration_seconds))}</td><td>${esc(b.drill.target)}</td></tr>`);
  return `<div class="scroll"><table><thead><tr><th>when (UTC)</th><th>backup</th><th>result</th><th>recovery</th><th>from</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}
var STYLE = `
:root{color-scheme:light dark;--ok:#1a7f37;--bad:#d1242f;--warn:#9a6700;--bar:#0969da;--muted:#6e7781}
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;padding:12px;max-width:960px}
h1{font-size:1.35em;margin:.2em 0}h2{font-size:1.1em;margin:1.4em 0 .4em}
.verdict{padding:10px 12px;border-radius:8px;font-weight:600;margin:8px 0}.verdict.ok{background:#dafbe1;color:#116329}.verdict.bad{background:#ffebe9;color:#a40e26}
.facts{display:flex;flex-wrap:wrap;gap:8px;padding:0;list-style:none}.facts li{flex:1 1 140px;border:1px solid #d0d7de;border-radius:8px;padding:8px}.facts b{display:block;font-size:1.2em}
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #d0d7de;vertical-align:top}.scroll th,.scroll td{white-space:nowrap}
.scroll{overflow-x:auto}.id{font-family:ui-monospace,monospace;font-size:.85em}
.ok{color:var(--ok)}.bad{color:var(--bad);font-weight:600}.warn{color:var(--warn)}.muted{color:var(--muted)}
figure{margin:8px 0}figcaption{font-weight:600;margin-bottom:4px}svg{width:100%;height:120px;display:block}
rect.bar{fill:var(--bar)}rect.bad{fill:var(--bad)}line.axis{stroke:var(--muted)}.targets{padding-left:1.2em}
@media (max-width:600px){body{padding:8px;font-size:14px}th,td{padding:3px 4px}}
`;
function statusPage(data) {
  const shown = data.backups.slice(0, SHOWN);
  const oldestFirst = [...shown].reverse();
  const ok = data.problems.length === 0;
  const drills = oldestFirst.filter((b) => b.drill);
  const facts = [
    ["newest good backup", data.newest ? `${humanSeconds(data.newest.age_seconds)} ago` : "none"],
    ["copies counted", data.newest ? String(data.newest.copies.length) : "0"],
    ["last drill", data.drill ? `${data.drill.ok ? "passed" : "FAILED"} ${humanSeconds(data.drill.age_seconds)} ago` : "none"],
    ["recovery time", data.drill ? humanSeconds(data.drill.duration_seconds) : "\u2013"],
    ["backups", String(data.backups.length)]
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>restorable: ${esc(data.plan)}</title><style>${STYLE}</style></head>
<body>
<h1>restorable: ${esc(data.plan)}</h1>
<p class="muted">Checked ${esc(data.checked_at.replace("T", " ").slice(0, 19))} UTC from the targets \xB7 copy rule ${esc(data.rule)}</p>
<div class="verdict ${ok ? "ok" : "bad"}" id="verdict">${ok ? "Objectives met" : `Objectives NOT met: ${esc(data.problems.join("; "))}`}</div>
<ul class="facts">${facts.map(([k, v]) => `<li>${esc(k)}<b>${esc(v)}</b></li>`).join("")}</ul>
<h2>Objectives</h2>${objectivesTable(data)}
<h2>Backups over time</h2>
${bars("Size", oldestFirst.map((b) => ({ label: b.id, value: b.bytes, bad: !b.policy_met })), formatBytes)}
${bars("Duration", oldestFirst.map((b) => ({ label: b.id, value: b.duration_seconds })), humanSeconds)}
<h2>Copies per target</h2>${copiesTable(data, shown)}
<h2>Drills</h2>
${bars("Recovery time", drills.map((b) => ({ label: `${b.drill.at}: ${b.id}`, value: b.drill.duration_seconds, bad: !b.drill.ok })), humanSeconds)}
${drillsTable(shown)}
</body></html>
`;
}
async function writeStatusPage(file, data) {
  await writeFile(`${file}.tmp`, statusPage(data));
  await rename(`${file}.tmp`, file);
}

// src/commands/status.ts
function lines(data) {
  const out = [data.summary];
  const newest = data.newest;
  out.push(`  newest good backup  ${newest ? `${newest.id}, ${humanSeconds(newest.age_seconds)} old, ${newest.copies.length} copies counted (${newest.copies.join(", ")}; ${data.rule})` : "(none meets the copy rule)"}`);
  out.push(`  last drill          ${data.drill ? `${data.drill.backup_id}: ${data.drill.ok ? "passed" : "FAILED"} ${humanSeconds(data.drill.age_seconds)} ago, recovery ${humanSeconds(data.drill.duration_seconds)}` : "(none recorded)"}`);
  for (const t of data.targets) out.push(`  target ${t.name.padEnd(12)} ${t.reachable ? `${t.backups} backup${t.backups === 1 ? "" : "s"}` : `UNREACHABLE: ${t.error}`}`);
  for (const o of data.objectives) out.push(`  ${o.met ? "ok " : "NOT"} ${o.name.padEnd(14)} ${o.detail}`);
  const latest = data.backups[0];
  if (latest && latest.id !== newest?.id) out.push(`  note: the latest backup ${latest.id} (${formatBytes(latest.bytes)}) has ${latest.counted.length} counted copies: ${latest.policy_met ? "met" : "short of the copy rule"}`);
  return out;
}
function newestGood(backups, now) {
  const good = backups.find((b) => b.policy_met);
  return good ? { id: good.id, time: good.started_at, age_seconds: Math.round((now.getTime() - Date.parse(good.started_at)) / 1e3), copies: good.counted } : null;
}
function lastDrill(backups, now) {
  const drilled = backups.filter((b) => b.drill).sort((a, b) => a.drill.at < b.drill.at ? 1 : -1)[0];
  if (!drilled?.drill) return null;
  const { drill } = drilled;
  return { backup_id: drilled.id, at: drill.at, ok: drill.ok, duration_seconds: drill.duration_seconds, age_seconds: Math.round((now.getTime() - Date.parse(drill.at)) / 1e3) };
}
var status = async (input, io) => {
  const loaded = await load(input, io);
  const now = /* @__PURE__ */ new Date();
  const state = await readPlanState(loaded, allTargets(loaded, io.env), io.reporter, now);
  if (state.targets.every((t) => !t.reachable)) {
    throw new RunError(`No target of the plan could be read: ${state.targets.map((t) => `${t.name} (${t.error})`).join("; ")}.`, { hint: "Check that the stores are up and the credentials are set; status reads only the targets." });
  }
  const newest = newestGood(state.backups, now);
  const drill = lastDrill(state.backups, now);
  const objectives = evaluateObjectives(loaded.plan.objectives, {
    newestAgeSeconds: newest?.age_seconds ?? null,
    anyBackup: state.backups.length > 0,
    drill: drill ? { ok: drill.ok, ageSeconds: drill.age_seconds, durationSeconds: drill.duration_seconds } : null
  });
  const problems = objectives.filter((o) => !o.met).map((o) => o.detail);
  const unreachable = state.targets.filter((t) => !t.reachable).map((t) => t.name);
  const summary = `Plan ${loaded.plan.name}: ${problems.length === 0 ? "objectives met" : "objectives NOT met"}${unreachable.length > 0 ? ` (target${unreachable.length > 1 ? "s" : ""} ${unreachable.join(", ")} unreachable)` : ""}`;
  const data = { plan: loaded.plan.name, checked_at: now.toISOString(), ...state, newest, drill, objectives, problems, summary };
  if (!input.json) io.reporter.output(lines(data).join("\n"));
  if (input.html) {
    await writeStatusPage(input.html, io.secrets.redactValue(data));
    io.reporter.info(`Wrote the status page ${input.html}`);
  }
  if (problems.length > 0) {
    io.partial?.(data);
    throw new StaleError(`${loaded.plan.name}: ${problems.join("; ")}.`, { hint: "Run a backup (or a drill) now, and check why the scheduled one did not run or failed." });
  }
  return data;
};
export {
  status
};
