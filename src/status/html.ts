/**
 * The status page: one self-contained HTML file (inline CSS and SVG, no
 * script, no font, no image fetched; a Content-Security-Policy of
 * `default-src 'none'` says so to the browser too) that reads well on a
 * phone: each plan's backups over time (size and duration), copies per
 * target, drill history with recovery times, and whether the objectives hold.
 */
import { rename, writeFile } from 'node:fs/promises';
import { formatBytes } from '../report/terminal.js';
import { humanSeconds } from './objectives.js';
import type { BackupState, StatusData } from './read.js';

const esc = (text: string | number) => String(text).replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);

/** At most this many backups in the charts and tables, the newest. */
const SHOWN = 60;

/** A bar chart, oldest left: one bar per value, its label and value as the bar's tooltip, the largest value on the axis. */
function bars(title: string, points: { label: string; value: number; bad?: boolean }[], format: (v: number) => string): string {
  if (points.length === 0) return `<figure><figcaption>${esc(title)}</figcaption><p class="muted">nothing yet</p></figure>`;
  const width = 600;
  const height = 140;
  const max = Math.max(...points.map((p) => p.value), 1e-9);
  const step = width / points.length;
  const barWidth = Math.max(1, step * 0.8);
  const rects = points
    .map((p, i) => {
      const h = Math.max(1, (p.value / max) * (height - 20));
      return `<rect x="${(i * step + (step - barWidth) / 2).toFixed(1)}" y="${(height - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" class="${p.bad ? 'bad' : 'bar'}"><title>${esc(`${p.label}: ${format(p.value)}`)}</title></rect>`;
    })
    .join('');
  return `<figure><figcaption>${esc(title)} <span class="muted">(max ${esc(format(max))})</span></figcaption><svg viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="${esc(title)}">${rects}<line x1="0" y1="${height - 0.5}" x2="${width}" y2="${height - 0.5}" class="axis"/></svg></figure>`;
}

function objectivesTable(data: StatusData): string {
  if (data.objectives.length === 0) return '<p class="muted">No objectives in the plan (objectives: {rpo, rto, drill_max_age}).</p>';
  const rows = data.objectives.map((o) => `<tr><td>${esc(o.name)}</td><td class="${o.met ? 'ok' : 'bad'}">${o.met ? 'met' : 'NOT met'}</td><td>${o.limit_seconds === null ? '' : esc(humanSeconds(o.limit_seconds))}</td><td>${esc(o.detail)}</td></tr>`);
  return `<table><thead><tr><th>objective</th><th>state</th><th>limit</th><th>now</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function copiesTable(data: StatusData, backups: BackupState[]): string {
  const targets = data.targets.map((t) => t.name);
  const head = `<tr><th>backup</th>${targets.map((t) => `<th>${esc(t)}</th>`).join('')}<th>rule</th></tr>`;
  const rows = backups.map((b) => {
    const cells = targets.map((t) => (b.counted.includes(t) ? '<td class="ok">✓</td>' : b.uncounted.includes(t) ? '<td class="warn">not counted</td>' : '<td class="muted">–</td>'));
    return `<tr><td class="id">${esc(b.id)}</td>${cells.join('')}<td class="${b.policy_met ? 'ok' : 'bad'}">${b.policy_met ? 'met' : 'short'}</td></tr>`;
  });
  const state = data.targets.map((t) => `<li>${esc(t.name)}: ${t.reachable ? `${esc(t.backups)} backups` : `<span class="bad">unreachable</span> (${esc(t.error ?? '')})`}</li>`).join('');
  return `<ul class="targets">${state}</ul><div class="scroll"><table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function drillsTable(backups: BackupState[]): string {
  const drilled = backups.filter((b) => b.drill).sort((a, b) => (a.drill!.at < b.drill!.at ? 1 : -1));
  if (drilled.length === 0) return '<p class="muted">No drill recorded yet (restorable drill).</p>';
  const rows = drilled.map((b) => `<tr><td>${esc(b.drill!.at.replace('T', ' ').slice(0, 16))}</td><td class="id">${esc(b.id)}</td><td class="${b.drill!.ok ? 'ok' : 'bad'}">${b.drill!.ok ? 'passed' : 'FAILED'}</td><td>${esc(humanSeconds(b.drill!.duration_seconds))}</td><td>${esc(b.drill!.target)}</td></tr>`);
  return `<div class="scroll"><table><thead><tr><th>when (UTC)</th><th>backup</th><th>result</th><th>recovery</th><th>from</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

const STYLE = `
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

export function statusPage(data: StatusData): string {
  const shown = data.backups.slice(0, SHOWN);
  const oldestFirst = [...shown].reverse();
  const ok = data.problems.length === 0;
  const drills = oldestFirst.filter((b) => b.drill);
  const facts = [
    ['newest good backup', data.newest ? `${humanSeconds(data.newest.age_seconds)} ago` : 'none'],
    ['copies counted', data.newest ? String(data.newest.copies.length) : '0'],
    ['last drill', data.drill ? `${data.drill.ok ? 'passed' : 'FAILED'} ${humanSeconds(data.drill.age_seconds)} ago` : 'none'],
    ['recovery time', data.drill ? humanSeconds(data.drill.duration_seconds) : '–'],
    ['backups', String(data.backups.length)],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>restorable: ${esc(data.plan)}</title><style>${STYLE}</style></head>
<body>
<h1>restorable: ${esc(data.plan)}</h1>
<p class="muted">Checked ${esc(data.checked_at.replace('T', ' ').slice(0, 19))} UTC from the targets · copy rule ${esc(data.rule)}</p>
<div class="verdict ${ok ? 'ok' : 'bad'}" id="verdict">${ok ? 'Objectives met' : `Objectives NOT met: ${esc(data.problems.join('; '))}`}</div>
<ul class="facts">${facts.map(([k, v]) => `<li>${esc(k!)}<b>${esc(v!)}</b></li>`).join('')}</ul>
<h2>Objectives</h2>${objectivesTable(data)}
<h2>Backups over time</h2>
${bars('Size', oldestFirst.map((b) => ({ label: b.id, value: b.bytes, bad: !b.policy_met })), formatBytes)}
${bars('Duration', oldestFirst.map((b) => ({ label: b.id, value: b.duration_seconds })), humanSeconds)}
<h2>Copies per target</h2>${copiesTable(data, shown)}
<h2>Drills</h2>
${bars('Recovery time', drills.map((b) => ({ label: `${b.drill!.at}: ${b.id}`, value: b.drill!.duration_seconds, bad: !b.drill!.ok })), humanSeconds)}
${drillsTable(shown)}
</body></html>
`;
}

/** Written beside its final name and renamed: a page served from that folder is never half-written. */
export async function writeStatusPage(file: string, data: StatusData): Promise<void> {
  await writeFile(`${file}.tmp`, statusPage(data));
  await rename(`${file}.tmp`, file);
}
