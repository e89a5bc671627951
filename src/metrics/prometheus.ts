/**
 * The Prometheus text exposition format (version 0.0.4), written and read
 * back: enough to render our own families and to merge with a previous file
 * or a Pushgateway's current values (counters continue from them).
 */
export type MetricType = 'gauge' | 'counter';

export interface Family {
  name: string;
  type: MetricType;
  help: string;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k]!)}"`)
    .join(',');
}

/** Families in the order given, each with its HELP and TYPE, its samples sorted by labels (a stable file). */
export function render(families: readonly Family[], samples: readonly Sample[]): string {
  const lines: string[] = [];
  for (const family of families) {
    const own = samples.filter((s) => s.name === family.name).sort((a, b) => (labelKey(a.labels) < labelKey(b.labels) ? -1 : 1));
    if (own.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of own) {
      const labels = labelKey(sample.labels);
      lines.push(`${sample.name}${labels ? `{${labels}}` : ''} ${formatValue(sample.value)}`);
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** The samples of a text exposition; comments and lines it cannot read are skipped. */
export function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = SAMPLE.exec(line.trim());
    if (!match) continue;
    const labels: Record<string, string> = {};
    if (match[2]) {
      LABEL.lastIndex = 0;
      for (let m = LABEL.exec(match[2]); m; m = LABEL.exec(match[2])) labels[m[1]!] = unescapeLabel(m[2]!);
    }
    const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}
