// The ratios of bench/repository.sh's rows: per round restorable / restic (and / borg), then the
// median with min-max, beside each tool's median seconds and peak RSS, against the targets.
// Input lines: "rN ROW TOOL SECONDS PEAK_KIB" or "rN second TOOL bytes BYTES".
import { readFileSync } from 'node:fs';

const rows = new Map();
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 4) continue;
  const [round, row, tool, ...rest] = parts;
  const key = rest[0] === 'bytes' ? `${row} bytes` : row;
  const value = rest[0] === 'bytes' ? { v: Number(rest[1]) } : { v: Number(rest[0]), rss: Number(rest[1]) / 1024 };
  if (!rows.has(key)) rows.set(key, new Map());
  const tools = rows.get(key);
  if (!tools.has(tool)) tools.set(tool, new Map());
  tools.get(tool).set(round, value);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const range = (xs, digits) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
const targets = { first: '<= 1x restic', second: '<= 1x restic', 'second bytes': '<= 1.1x restic', restore: '<= 1x restic' };
console.log('| row | restorable | restic | borg | ratio to restic | ratio to borg | target |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [row, tools] of rows) {
  const mine = tools.get('restorable');
  if (!mine) continue;
  const bytes = row.endsWith('bytes');
  const show = (tool) => {
    const t = tools.get(tool);
    if (!t) return '';
    const vs = [...t.values()];
    return bytes ? `${(median(vs.map((x) => x.v)) / 1e6).toFixed(2)} MB` : `${median(vs.map((x) => x.v)).toFixed(2)} s, ${median(vs.map((x) => x.rss)).toFixed(0)} MiB`;
  };
  const ratio = (tool) => {
    const t = tools.get(tool);
    if (!t) return '';
    const rs = [...mine].filter(([r]) => t.has(r)).map(([r, x]) => x.v / t.get(r).v);
    return rs.length ? `${range(rs, 2)}x` : '';
  };
  console.log(`| ${row} | ${show('restorable')} | ${show('restic')} | ${show('borg')} | ${ratio('restic')} | ${ratio('borg')} | ${targets[row] ?? ''} |`);
}
