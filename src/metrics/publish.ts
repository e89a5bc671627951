/**
 * Where metrics go: a file for node_exporter's textfile collector (merged
 * with what it held, then replaced atomically: the collector never reads a
 * half-written file) and a Pushgateway (POST to the group
 * job/<job>/plan/<plan>/instance/<instance>, which replaces only the
 * families pushed, so a drill's push keeps the last backup's figures).
 * Counters continue from the value the file or the gateway holds.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { send } from '../notify/http.js';
import type { MetricsConfig } from '../notify/config.js';
import { FAMILIES, FAMILY_NAMES } from './families.js';
import { runCounter, runSamples, type RunFacts } from './collect.js';
import { labelKey, parse, render, type Sample } from './prometheus.js';

/**
 * `existing` with every series `fresh` names replaced (same name, same
 * labels): series of other commands, sources or targets stay, so one
 * command's run never erases another's figures.
 */
export function mergeSeries(existing: readonly Sample[], fresh: readonly Sample[]): Sample[] {
  const id = (s: Sample) => `${s.name}{${labelKey(s.labels)}}`;
  const replaced = new Set(fresh.map(id));
  return [...existing.filter((s) => FAMILY_NAMES.has(s.name) && !replaced.has(id(s))), ...fresh];
}

/** The series of one group (these labels, all equal), with those labels taken off. */
function inGroup(samples: readonly Sample[], group: Record<string, string>): Sample[] {
  return samples
    .filter((s) => Object.entries(group).every(([k, v]) => s.labels[k] === v))
    .map((s) => ({ ...s, labels: Object.fromEntries(Object.entries(s.labels).filter(([k]) => !(k in group))) }));
}

/** Merges this run's samples of `plan` into the file, then swaps the file in whole. */
export async function writeMetricsFile(file: string, plan: string, run: RunFacts): Promise<void> {
  const all = parse(await readFile(file, 'utf8').catch(() => '')).filter((s) => FAMILY_NAMES.has(s.name));
  const mine = inGroup(all, { plan });
  const others = all.filter((s) => s.labels.plan !== plan);
  const merged = mergeSeries(mine, [...runSamples(run), runCounter(mine, run)]).map((s) => ({ ...s, labels: { plan, ...s.labels } }));
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, render(FAMILIES, [...others, ...merged]));
  await rename(tmp, file);
}

export function pushGroup(config: MetricsConfig, plan: string): { url: string; labels: Record<string, string> } {
  const labels = { job: config.job, plan, instance: config.instance ?? hostname() };
  const base = config.pushgateway!.replace(/\/+$/, '');
  return { url: `${base}/metrics/job/${encodeURIComponent(labels.job)}/plan/${encodeURIComponent(plan)}/instance/${encodeURIComponent(labels.instance)}`, labels };
}

/**
 * Pushes the group's metrics: what the gateway holds for it, merged with this
 * run's. POST replaces whole families of the group, so each family goes up
 * with all its series.
 */
export async function pushMetrics(config: MetricsConfig, plan: string, run: RunFacts, timeoutMs = 10_000): Promise<void> {
  const group = pushGroup(config, plan);
  const base = config.pushgateway!.replace(/\/+$/, '');
  const current = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs) })
    .then(async (r) => (r.ok ? parse(await r.text()) : []))
    .catch(() => []);
  const mine = inGroup(current, group.labels);
  const samples = mergeSeries(mine, [...runSamples(run), runCounter(mine, run)]);
  await send(group.url, { method: 'POST', body: render(FAMILIES, samples), contentType: 'text/plain; version=0.0.4', timeoutMs });
}
