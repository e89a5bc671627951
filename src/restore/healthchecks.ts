/**
 * Health checks after a restore or in a drill: a query against a restored
 * database, an HTTP probe of the running app, or a command. Each may retry
 * with an interval (an app needs time to start). In a drill the app does not
 * run on the scratch copy, so HTTP checks are skipped there and say so.
 */
import type { HealthCheck, Plan } from '../plan/schema.js';
import type { Reporter } from '../report/reporter.js';
import { sourceAdapter, type SourceConfig } from '../sources/index.js';
import { reason } from '../errors.js';
import { runCommand } from '../util/spawn.js';
import { allRowsQuery, missingFiles, pathsOf } from './reference-check.js';

export interface CheckResult {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  ms: number;
  detail: string;
}

export interface CheckContext {
  plan: Plan;
  planDir: string;
  /** Where each source's restored data is: the live place, or the drill's scratch place. */
  locations: Map<string, string>;
  mode: 'restore' | 'drill';
  reporter: Reporter;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** Only checks of these kinds (restore runs sql checks before the swap, the others after). Default: all. */
  kinds?: CheckKind[];
  /** Source configs that differ from the plan's (restore --to points a source elsewhere). */
  configs?: Map<string, SourceConfig>;
}

export type CheckKind = 'sql' | 'http' | 'command';

export function kindOf(check: HealthCheck): CheckKind {
  return 'sql' in check ? 'sql' : 'http' in check ? 'http' : 'command';
}

type Expect = Extract<HealthCheck, { sql: string }>['expect'];

function meets(value: unknown, expect: Exclude<Expect, { files_exist: unknown }>): boolean {
  if ('equals' in expect) return String(value) === String(expect.equals);
  if ('contains' in expect) return String(value).includes(expect.contains);
  // NULL (a sum over no rows) or an empty string is no number: Number() would read either as 0.
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) return false;
  const n = Number(value);
  return !Number.isNaN(n) && (expect.min === undefined || n >= expect.min) && (expect.max === undefined || n <= expect.max);
}

/** Environment for command checks: where each restored source is. */
export function sourceEnv(ctx: Pick<CheckContext, 'locations' | 'mode' | 'env' | 'plan'>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...ctx.env, RESTORABLE_MODE: ctx.mode, RESTORABLE_PLAN: ctx.plan.name };
  for (const [name, location] of ctx.locations) env[`RESTORABLE_SOURCE_${name.toUpperCase().replace(/-/g, '_')}`] = location;
  return env;
}

/** One attempt: returns a failure detail, or undefined when the check passed. */
async function attempt(check: HealthCheck, ctx: CheckContext): Promise<string | undefined> {
  if ('sql' in check) {
    const source = ctx.configs?.get(check.source) ?? ctx.plan.sources.find((s) => s.name === check.source)!;
    const { expect } = check;
    if ('files_exist' in expect) {
      const paths = pathsOf(await sourceAdapter(source).query!(source, ctx.locations.get(source.name)!, allRowsQuery(source.type, check.sql)));
      // The restored copy when this restore brought the files source back, else its live place.
      const files = ctx.configs?.get(expect.files_exist.in) ?? ctx.plan.sources.find((s) => s.name === expect.files_exist.in)!;
      const root = ctx.locations.get(files.name) ?? sourceAdapter(files).liveLocation(files, { planDir: ctx.planDir });
      return missingFiles(paths, root, expect.files_exist);
    }
    const value = await sourceAdapter(source).query!(source, ctx.locations.get(source.name)!, check.sql);
    return meets(value, expect) ? undefined : `got ${JSON.stringify(value)}, expected ${JSON.stringify(expect)}`;
  }
  if ('http' in check) {
    const response = await fetch(check.http.url, { signal: AbortSignal.timeout(check.timeout) });
    const body = check.http.contains === undefined ? '' : await response.text();
    if (response.status !== check.http.status) return `HTTP ${response.status}, expected ${check.http.status}`;
    return check.http.contains === undefined || body.includes(check.http.contains) ? undefined : `the response does not contain ${JSON.stringify(check.http.contains)}`;
  }
  const result = await runCommand(check.command, { cwd: ctx.planDir, timeoutMs: check.timeout, env: sourceEnv(ctx), signal: ctx.signal });
  if (result.timedOut) return `timed out after ${check.timeout / 1000}s`;
  // The last non-blank lines, where an error usually is (a trailing blank line hid it).
  const output = (result.stderr || result.stdout).split('\n').map((line) => line.trim()).filter(Boolean).slice(-3).join(' | ');
  return result.code === 0 ? undefined : `exit ${result.code ?? result.signal}${output ? `: ${output}` : ''}`;
}

async function runOne(check: HealthCheck, ctx: CheckContext): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if ('http' in check && ctx.mode === 'drill') {
    return { name: check.name, status: 'skipped', ms: 0, detail: 'http checks need the running app; a drill restores into a scratch place' };
  }
  let detail = '';
  for (let round = 0; round <= check.retries; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, check.interval));
    try {
      const failure = await attempt(check, ctx);
      if (failure === undefined) return { name: check.name, status: 'ok', ms: elapsed(), detail: round > 0 ? `passed on try ${round + 1}` : 'passed' };
      detail = failure;
    } catch (error) {
      detail = reason(error);
    }
    if (ctx.signal.aborted) break;
  }
  return { name: check.name, status: 'failed', ms: elapsed(), detail: `${detail}${check.retries > 0 ? ` (after ${check.retries + 1} tries)` : ''}` };
}

/** Runs every check that applies to the restored sources, in plan order. */
export async function runHealthChecks(ctx: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of ctx.plan.restore.healthchecks) {
    if ('source' in check && !ctx.locations.has(check.source)) continue;
    if (ctx.kinds && !ctx.kinds.includes(kindOf(check))) continue;
    const result = await runOne(check, ctx);
    const line = `health check "${result.name}": ${result.status} (${result.detail}, ${result.ms} ms)`;
    if (result.status === 'failed') ctx.reporter.warn(line);
    else ctx.reporter.info(line);
    results.push(result);
  }
  return results;
}
