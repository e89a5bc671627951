/**
 * The job summary (GITHUB_STEP_SUMMARY): tables built from what the commands
 * return, so the summary shows the very data `--json` prints. Every cell is
 * redacted and HTML-escaped (core.summary escapes nothing). Without
 * GITHUB_STEP_SUMMARY (a local run) nothing is written: core.summary.write()
 * would throw.
 */
import * as core from '@actions/core';
import type { BackupResult } from '../pipeline/backup.js';
import type { StepRecord } from '../pipeline/runner.js';
import type { Pipeline } from '../pipeline/steps.js';
import type { DrillResult } from '../restore/drill.js';
import type { CheckResult } from '../restore/healthchecks.js';
import type { PartialResult } from '../restore/partial.js';
import type { RestoreResult } from '../restore/restore.js';
import type { PruneReport } from '../retention/prune.js';
import { humanSeconds } from '../status/objectives.js';
import type { Secrets } from '../report/secrets.js';
import { formatBytes } from '../report/terminal.js';
import { countsText } from '../report/counts.js';

export interface SummaryInput {
  command: string;
  /** The plan file, relative to the workspace. */
  plan: string;
  /** The plan's `name:`, which the summary leads with (a file name says little in a list of runs). */
  planName?: string;
  data: unknown;
  failure?: { message: string; hint?: string; exitCode: number };
  /** Warnings after the command (a notifier that failed), each a line under the headline. */
  warnings?: string[];
}

type BackupData = Omit<BackupResult, 'error'>;
type RestoreData = RestoreResult;
type PartialData = PartialResult;
type DrillData = DrillResult;
type PruneData = { dryRun: boolean; targets: PruneReport[] };
type ListData = { backups: { id: string; time: string; bytes: number; targets: string[]; drill: { ok: boolean; at: string } | null }[] };
type StatusData = {
  newest: { id: string; age_seconds: number; copies: string[] } | null;
  drill: { backup_id: string; ok: boolean; duration_seconds: number; age_seconds: number } | null;
  objectives: { name: string; met: boolean; limit_seconds: number | null; actual_seconds: number | null; detail: string }[];
  targets: { name: string; reachable: boolean; error: string | null; backups: number }[];
};
type VerifyData = { copies: { target: string; backup: string; ok: boolean; problems: string[] }[] };

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);
}

class Tables {
  constructor(private readonly secrets: Secrets) {}

  table(title: string, header: string[], rows: (string | number)[][]): void {
    if (rows.length === 0) return;
    // core.summary writes an empty cell as an unclosed tag: give it a visible blank.
    const cell = (value: string | number) => escape(this.secrets.redact(String(value))) || '&nbsp;';
    const body: Parameters<typeof core.summary.addTable>[0] = [header.map((h) => ({ data: cell(h), header: true })), ...rows.map((row) => row.map(cell))];
    core.summary.addHeading(escape(title), 3).addTable(body);
  }

  line(text: string): void {
    core.summary.addRaw(`<p>${escape(this.secrets.redact(text))}</p>`, true);
  }
}

function steps(t: Tables, records: StepRecord[]): void {
  t.table('Steps', ['step', 'status', 'time', 'note'], records.map((s) => [s.title, s.status, seconds(s.ms), s.note ?? '']));
}

function backupTables(t: Tables, data: BackupData): void {
  const sources = data.manifest?.sources ?? [];
  t.table(
    'Sources',
    ['source', 'type', 'engine', 'artifact', 'size', 'counts', 'time'],
    sources.map((s) => [s.name, s.type, s.engine ? `${s.engine.name} ${s.engine.version}` : '', s.artifact.file, formatBytes(s.artifact.bytes), countsText(s.counts), seconds(s.duration_ms ?? 0)]),
  );
  const copies = new Map((data.manifest?.copies ?? []).map((c) => [c.target, c]));
  t.table(
    'Targets',
    ['target', 'type', 'medium', 'offsite', 'copy'],
    data.targets.map((target) => {
      const copy = copies.get(target.name);
      return [target.name, target.type, copy?.medium ?? '', copy ? (copy.offsite ? 'yes' : 'no') : '', target.verified ? `verified ${copy?.verified_at ?? ''}`.trim() : `FAILED: ${target.error ?? 'not written'}`];
    }),
  );
  if (data.verdict) {
    const { have, required, met, missing } = data.verdict;
    const parts = ['copies', 'media', 'offsite', 'immutable'] as const;
    const label = { copies: 'copies (the live data counts as one)', media: 'kinds of media', offsite: 'offsite copies', immutable: 'immutable copies' };
    t.table(
      `Copy policy: ${met ? 'met' : 'NOT met'}`,
      ['rule', 'required', 'have'],
      parts.filter((p) => required[p] > 0 || have[p] > 0).map((p) => [label[p], required[p], have[p]]),
    );
    if (!met) t.line(`Missing: ${missing.join('; ')}`);
  }
  if (data.pruned.length > 0) retentionTable(t, data.pruned, false);
  else {
    const prune = data.steps.find((s) => s.id === 'prune');
    t.line(`Retention: ${prune?.note ?? (prune ? `prune ${prune.status}` : 'not run')}.`);
  }
  steps(t, data.steps);
}

function retentionTable(t: Tables, reports: PruneData['targets'], dryRun: boolean): void {
  t.table(
    dryRun ? 'Retention (dry run)' : 'Retention',
    ['target', 'backup', 'decision', 'why'],
    reports.flatMap((r) => [
      ...r.kept.map((d) => [r.target, d.id, 'keep', d.reasons.join(', ')]),
      ...r.removed.map((d) => [r.target, d.id, dryRun ? 'would remove' : 'removed', 'outside every rule']),
      ...r.incomplete.map((id) => [r.target, id, dryRun ? 'would clear' : 'cleared', 'incomplete (no manifest), older than a day']),
    ]),
  );
}

function checksTable(t: Tables, checks: CheckResult[]): void {
  if (checks.length === 0) t.line('No health checks in the plan: only the checksums and the restore itself were proven.');
  t.table('Health checks', ['check', 'status', 'time', 'detail'], checks.map((c) => [c.name, c.status, seconds(c.ms), c.detail]));
}

function restoreTables(t: Tables, data: RestoreData | DrillData, drill: boolean): void {
  const where = drill ? 'a scratch place (live data untouched)' : 'the live place';
  t.table(
    drill ? 'Drill' : 'Restore',
    ['backup', 'from target', 'restored into', 'recovery time'],
    [[data.backupId, data.target, where, seconds(data.durationMs)]],
  );
  if ('sources' in data) t.table('Sources', ['source', 'location', 'restore point'], data.sources.map((s) => [s.name, s.location, s.restorePoint ?? '']));
  if ('counts' in data) t.table('Sources', ['source', 'counts'], Object.entries(data.counts).map(([name, c]) => [name, countsText(c)]));
  checksTable(t, data.checks);
}

/** restore --path --into: some paths built in a folder of their own, with no hooks, swap or health checks to report. */
function partialTables(t: Tables, data: PartialData): void {
  t.table('Restore of some paths', ['backup', 'source', 'from target', 'restored into', 'restored'], [[data.backupId, data.source, data.target, data.into, countsText(data.counts)]]);
  t.line(`Live data untouched. Read ${data.read.packs} whole pack(s) and ${data.read.ranges} range(s), ${formatBytes(data.read.bytes)}.`);
}

/** status: RPO (age of the newest good backup) and RTO (the last drill's recovery time) against the plan's objectives. */
function statusTables(t: Tables, data: StatusData): void {
  const objective = (name: string) => data.objectives.find((o) => o.name === name);
  const limit = (name: string) => {
    const o = objective(name);
    return o?.limit_seconds != null ? humanSeconds(o.limit_seconds) : '(none set)';
  };
  const verdict = (name: string) => (objective(name) ? (objective(name)!.met ? 'met' : 'NOT met') : '');
  t.table('Objectives', ['objective', 'now', 'target', 'verdict'], [
    ['RPO: age of the newest good backup', data.newest ? humanSeconds(data.newest.age_seconds) : 'no good backup', limit('rpo'), data.newest ? verdict('rpo') : 'NOT met'],
    ['RTO: recovery time of the last drill', data.drill ? humanSeconds(data.drill.duration_seconds) : 'no drill', limit('rto'), verdict('rto')],
    ['last drill', data.drill ? `${data.drill.ok ? 'passed' : 'FAILED'}, ${humanSeconds(data.drill.age_seconds)} ago` : 'none', limit('drill_max_age'), verdict('drill_max_age') || verdict('drill')],
  ]);
  t.table('Targets', ['target', 'state', 'backups'], data.targets.map((x) => [x.name, x.reachable ? 'readable' : `UNREACHABLE: ${x.error ?? ''}`, x.backups]));
  const missed = data.objectives.filter((o) => !o.met);
  if (missed.length > 0) t.line(`Missed: ${missed.map((o) => o.detail).join('; ')}`);
}

function body(t: Tables, input: SummaryInput): void {
  const data = input.data as Record<string, unknown> | undefined;
  if (data === undefined) return;
  switch (input.command) {
    case 'backup':
      return backupTables(t, data as unknown as BackupData);
    case 'restore':
      if ('into' in data && 'read' in data) return partialTables(t, data as unknown as PartialData);
      return restoreTables(t, data as unknown as RestoreData, false);
    case 'drill':
      return restoreTables(t, data as unknown as RestoreData, input.command === 'drill');
    case 'status':
      return statusTables(t, data as unknown as StatusData);
    case 'verify':
      return t.table('Copies', ['target', 'backup', 'result'], (data as unknown as VerifyData).copies.map((c) => [c.target, c.backup, c.ok ? 'ok' : `DAMAGED: ${c.problems.join('; ')}`]));
    case 'prune': {
      const prune = data as unknown as PruneData;
      return retentionTable(t, prune.targets, prune.dryRun);
    }
    case 'list': {
      const rows = (data as unknown as ListData).backups;
      return t.table('Backups', ['backup', 'time', 'size', 'copies on', 'last drill'], rows.map((b) => [b.id, b.time, formatBytes(b.bytes), b.targets.join(', '), b.drill ? `${b.drill.ok ? 'passed' : 'FAILED'} ${b.drill.at}` : '']));
    }
    case 'validate': {
      const warnings = (data as unknown as { warnings: { where: string; path: string; message: string }[] }).warnings;
      return t.table('Plan warnings', ['where', 'key', 'warning'], warnings.map((w) => [w.where, w.path, w.message]));
    }
    case 'plan':
      return t.table('Backup pipeline (dry run)', ['#', 'step', 'does'], (data as unknown as Pipeline).steps.map((s, i) => [i + 1, s.title, s.detail.join('; ')]));
    default:
      return;
  }
}

function headline(input: SummaryInput): string {
  const data = (input.data ?? {}) as { id?: string; backupId?: string; durationMs?: number };
  const id = data.id || data.backupId;
  const time = data.durationMs === undefined ? '' : ` in ${seconds(data.durationMs)}`;
  const outcome = input.failure ? `failed (exit ${input.failure.exitCode})` : 'ok';
  const plan = input.planName ? `"${input.planName}" (${input.plan})` : `"${input.plan}"`;
  return `restorable ${input.command} ${plan}${id ? ` ${id}` : ''}: ${outcome}${time}`;
}

/** Appends this run's tables to the job summary; returns false when there is no summary file. */
export async function writeSummary(input: SummaryInput, secrets: Secrets, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (!env.GITHUB_STEP_SUMMARY) return false;
  const t = new Tables(secrets);
  core.summary.addHeading(escape(secrets.redact(headline(input))), 2);
  if (input.failure) t.line(`${input.failure.message}${input.failure.hint ? ` Hint: ${input.failure.hint}` : ''}`);
  for (const warning of input.warnings ?? []) t.line(`Warning: ${warning}`);
  body(t, input);
  await core.summary.write();
  return true;
}
