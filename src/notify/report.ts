/**
 * What a notification says about a run, built once from what the command
 * returned (the data `--json` prints) and its error, so every notifier and
 * body shape tells the same story. Built from redacted values only.
 */
import { hostname } from 'node:os';
import type { NotifyEvent } from './config.js';

export interface RunReport {
  event: NotifyEvent;
  plan: string;
  command: string;
  ok: boolean;
  exit_code: number;
  /** One line: `restorable backup "photos": failed (exit 1)`. */
  title: string;
  /** What happened, in a sentence or a few lines: the error with its hint, or the result. */
  message: string;
  backup_id: string | null;
  /** Verified copies counted by the copy rule (backup), null where the command has none. */
  copies: number | null;
  policy_met: boolean | null;
  bytes: number | null;
  duration_seconds: number | null;
  sources: { name: string; bytes: number; duration_seconds: number }[];
  failing_step: { id: string; title: string } | null;
  /** status: each objective missed, in words. */
  problems: string[];
  host: string;
  time: string;
  github_run_url: string | null;
}

interface Data {
  id?: string;
  backupId?: string;
  durationMs?: number;
  ok?: boolean;
  manifest?: { sources: { name: string; artifact: { bytes: number }; duration_ms: number }[] };
  verdict?: { met: boolean; have: { copies: number } };
  targets?: { verified: boolean; counted: boolean }[];
  steps?: { id: string; title: string; status: string }[];
  checks?: { name: string; status: string; detail: string }[];
  problems?: string[];
  summary?: string;
}

export interface Failure {
  message: string;
  hint?: string;
  exitCode: number;
}

function githubRunUrl(env: NodeJS.ProcessEnv): string | null {
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return null;
  return `${env.GITHUB_SERVER_URL || 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}

const outcomeWords: Record<NotifyEvent, string> = {
  success: 'ok',
  recovered: 'ok again (recovered)',
  failure: 'FAILED',
  'policy-not-met': 'copy policy NOT met',
  'drill-failed': 'drill FAILED',
  stale: 'objectives NOT met',
};

/** The report of one run; `data` is the command's answer (or what a failed run got to). */
export function describeRun(input: { event: NotifyEvent; plan: string; command: string; data: unknown; failure?: Failure; env: NodeJS.ProcessEnv; now?: Date }): RunReport {
  const data = (input.data !== null && typeof input.data === 'object' ? input.data : {}) as Data;
  const exitCode = input.failure?.exitCode ?? 0;
  const manifest = data.manifest;
  const failedStep = data.steps?.find((s) => s.status === 'failed');
  const failedChecks = (data.checks ?? []).filter((c) => c.status === 'failed');
  const lines: string[] = [];
  if (input.failure) lines.push(input.failure.message, ...(input.failure.hint ? [`Hint: ${input.failure.hint}`] : []));
  else if (data.summary) lines.push(data.summary);
  for (const check of failedChecks) lines.push(`check ${check.name} failed: ${check.detail}`);
  for (const problem of data.problems ?? []) if (!lines.includes(problem)) lines.push(problem);
  const id = (input.command === 'backup' ? (manifest ? data.id : undefined) : data.backupId ?? data.id) ?? null;
  if (lines.length === 0) lines.push(`${input.command} ${id ? `of ${id} ` : ''}finished`);
  return {
    event: input.event,
    plan: input.plan,
    command: input.command,
    ok: exitCode === 0,
    exit_code: exitCode,
    title: `restorable ${input.command} "${input.plan}": ${outcomeWords[input.event]}${exitCode ? ` (exit ${exitCode})` : ''}`,
    message: lines.join('\n'),
    backup_id: id || null,
    copies: data.targets && manifest ? data.targets.filter((t) => t.verified && t.counted).length : null,
    policy_met: data.verdict ? data.verdict.met : null,
    bytes: manifest ? manifest.sources.reduce((sum, s) => sum + s.artifact.bytes, 0) : null,
    duration_seconds: data.durationMs === undefined ? null : Math.round(data.durationMs) / 1000,
    sources: (manifest?.sources ?? []).map((s) => ({ name: s.name, bytes: s.artifact.bytes, duration_seconds: s.duration_ms / 1000 })),
    failing_step: failedStep ? { id: failedStep.id, title: failedStep.title } : null,
    problems: data.problems ?? [],
    host: hostname(),
    time: (input.now ?? new Date()).toISOString(),
    github_run_url: githubRunUrl(input.env),
  };
}

/** The report as plain text lines (mail body, chat messages): the title, the message, then the figures. */
export function reportText(report: RunReport): string {
  const facts = reportFacts(report).map(([k, v]) => `${k}: ${v}`);
  return [report.title, '', report.message, '', ...facts].join('\n');
}

/** The figures worth showing, as label/value pairs, in a stable order. */
export function reportFacts(report: RunReport): [string, string][] {
  const facts: [string, string][] = [
    ['plan', report.plan],
    ['command', report.command],
    ['exit code', String(report.exit_code)],
  ];
  if (report.backup_id) facts.push(['backup', report.backup_id]);
  if (report.copies !== null) facts.push(['copies', String(report.copies)]);
  if (report.policy_met !== null) facts.push(['policy met', report.policy_met ? 'yes' : 'no']);
  if (report.bytes !== null) facts.push(['bytes', String(report.bytes)]);
  if (report.duration_seconds !== null) facts.push(['duration', `${report.duration_seconds.toFixed(1)} s`]);
  if (report.failing_step) facts.push(['failing step', report.failing_step.title]);
  facts.push(['host', report.host], ['time', report.time]);
  if (report.github_run_url) facts.push(['run', report.github_run_url]);
  return facts;
}
