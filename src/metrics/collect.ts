/**
 * The samples one command run yields. Only what this run knows is written:
 * a failed backup updates the run metrics, never the last success's; a push
 * (POST) or the merged file keeps the families this run did not touch.
 * `plan` is left out of the labels here: the file adds it, a push has it in
 * its grouping key.
 */
import type { Sample } from './prometheus.js';

interface RunData {
  durationMs?: number;
  ok?: boolean;
  manifest?: { finished_at: string; sources: { name: string; artifact: { bytes: number }; duration_ms: number }[] };
  verdict?: { met: boolean };
  targets?: { name: string; verified: boolean; counted: boolean }[];
  /** status (src/status/): what it found, as its --json prints it. */
  newest?: { time: string; age_seconds: number } | null;
  objectives?: { name: string; met: boolean; limit_seconds: number | null }[];
}

export interface RunFacts {
  command: string;
  /** The run's event (recovered counts as success). */
  result: string;
  ok: boolean;
  data: unknown;
  /** Wall time of the command, when the command does not report its own. */
  wallMs: number;
  now: Date;
}

const seconds = (date: Date | string) => (typeof date === 'string' ? Date.parse(date) : date.getTime()) / 1000;
const bool = (value: boolean) => (value ? 1 : 0);

export function runSamples(run: RunFacts): Sample[] {
  const data = (run.data !== null && typeof run.data === 'object' ? run.data : {}) as RunData;
  const name = (n: string) => `restorable_${n}`;
  const durationS = (data.durationMs ?? run.wallMs) / 1000;
  const samples: Sample[] = [
    { name: name('last_run_timestamp_seconds'), labels: { command: run.command }, value: seconds(run.now) },
    { name: name('last_run_success'), labels: { command: run.command }, value: bool(run.ok) },
    { name: name('last_run_duration_seconds'), labels: { command: run.command }, value: durationS },
  ];
  if (run.command === 'backup' && data.manifest) {
    const counted = (data.targets ?? []).filter((t) => t.verified && t.counted).length;
    samples.push({ name: name('backup_copies'), labels: {}, value: counted });
    if (data.verdict) samples.push({ name: name('backup_policy_met'), labels: {}, value: bool(data.verdict.met) });
    for (const t of data.targets ?? []) samples.push({ name: name('backup_target_verified'), labels: { target: t.name }, value: bool(t.verified) });
    if (run.ok) {
      samples.push({ name: name('backup_last_success_timestamp_seconds'), labels: {}, value: seconds(data.manifest.finished_at) });
      samples.push({ name: name('backup_duration_seconds'), labels: {}, value: durationS });
      for (const s of data.manifest.sources) {
        samples.push({ name: name('backup_bytes'), labels: { source: s.name }, value: s.artifact.bytes });
        samples.push({ name: name('backup_source_duration_seconds'), labels: { source: s.name }, value: s.duration_ms / 1000 });
      }
    }
  }
  if (run.command === 'drill') {
    samples.push({ name: name('drill_last_timestamp_seconds'), labels: {}, value: seconds(run.now) });
    samples.push({ name: name('drill_success'), labels: {}, value: bool(run.ok) });
    if (data.durationMs !== undefined) samples.push({ name: name('drill_recovery_seconds'), labels: {}, value: data.durationMs / 1000 });
  }
  if (run.command === 'status') {
    if (data.newest) {
      samples.push({ name: name('newest_verified_backup_timestamp_seconds'), labels: {}, value: seconds(data.newest.time) });
      samples.push({ name: name('newest_verified_backup_age_seconds'), labels: {}, value: data.newest.age_seconds });
    }
    for (const o of data.objectives ?? []) {
      samples.push({ name: name('objective_met'), labels: { objective: o.name }, value: bool(o.met) });
      if (o.limit_seconds !== null) samples.push({ name: name('objective_seconds'), labels: { objective: o.name }, value: o.limit_seconds });
    }
  }
  return samples;
}

/** The runs counter after this run: the previous value for these labels plus one. */
export function runCounter(previous: readonly Sample[], run: RunFacts): Sample {
  const labels = { command: run.command, result: run.result };
  const name = 'restorable_runs_total';
  const before = previous.find((s) => s.name === name && s.labels.command === labels.command && s.labels.result === labels.result);
  return { name, labels, value: (before?.value ?? 0) + 1 };
}
