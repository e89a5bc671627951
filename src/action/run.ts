/**
 * The Action: inputs -> the same command the CLI runs -> outputs, job summary
 * and exit code. Exported as `run()` (without side effects on import) so
 * GitHub's local action runner can call it; dist/index.js calls it.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parse } from 'yaml';
import * as core from '@actions/core';
import { commands } from '../commands/index.js';
import { ExitCode, PlanError, RestorableError } from '../errors.js';
import { ISSUES_URL } from '../version.js';
import { annotationAt, GitHubReporter } from '../report/github.js';
import { redactConsole } from '../report/console.js';
import type { Secrets } from '../report/secrets.js';
import { secretsOf } from '../targets/index.js';
import { writeSummary, type SummaryInput } from './summary.js';
import { readInputs } from './inputs.js';
import { outputsFor } from './outputs.js';
import { MonitorSession } from '../notify/session.js';

interface Failure {
  message: string;
  hint?: string;
  exitCode: number;
}

/** The plan's `name:` for the summary, read on its own so a plan that failed to load still gets one when it has it. */
async function nameOfPlan(path: string): Promise<string | undefined> {
  try {
    const name = (parse(await readFile(path, 'utf8')) as { name?: unknown } | null)?.name;
    return typeof name === 'string' && /^[a-z0-9-]{1,63}$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

function describeFailure(error: unknown, reporter: GitHubReporter, workspace: string | undefined, secrets: Secrets): Failure {
  if (!(error instanceof RestorableError)) {
    reporter.debug((error as Error)?.stack ?? String(error));
    return { message: `internal error: ${(error as Error)?.message ?? String(error)}`, hint: `This is a bug in restorable; please report it with the log at ${ISSUES_URL}`, exitCode: ExitCode.bug };
  }
  for (let at: unknown = error; at instanceof Error; at = at.cause) reporter.debug(at.stack ?? at.message);
  // Plan problems become annotations on the plan file itself, at the line and column.
  if (error instanceof PlanError) {
    for (const p of error.problems) {
      const text = secrets.redact(`${p.path ? `${p.path}: ` : ''}${p.message}`);
      if (p.severity === 'error') core.error(text, annotationAt(p.where, workspace));
      else core.warning(text, annotationAt(p.where, workspace));
    }
  }
  return { message: error.message, ...(error.hint ? { hint: error.hint } : {}), exitCode: error.exitCode };
}

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const secrets = secretsOf(env);
  // Only inside GitHub Actions: elsewhere `::add-mask::` would print the secret itself. Known values are masked at once.
  const reporter = new GitHubReporter(secrets, { mask: env.GITHUB_ACTIONS === 'true' });
  const restoreConsole = redactConsole(secrets);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let command = 'backup';
  let planLabel = 'restorable.yml';
  let planPath: string | undefined;
  let data: unknown;
  let failure: Failure | undefined;
  let monitor: MonitorSession | undefined;
  try {
    const request = readInputs(env);
    command = request.command;
    planLabel = env.GITHUB_WORKSPACE ? relative(env.GITHUB_WORKSPACE, request.input.planPath) : request.input.planPath;
    planPath = request.input.planPath;
    reporter.info(`restorable: ${request.cliLine}`);
    monitor = new MonitorSession(command, { env, secrets, reporter });
    data = await commands[command]!.run(request.input, {
      reporter: monitor.reporter,
      env,
      signal: controller.signal,
      secrets,
      partial: (partial) => (data = partial),
      onPlan: monitor.planLoaded,
    });
  } catch (error) {
    failure = describeFailure(error, reporter, env.GITHUB_WORKSPACE, secrets);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  // Notifications and metrics (src/notify/session.ts): a failing one is a warning here and in the summary, never another exit code.
  const notes = (await monitor?.finish(data, failure).catch((error: unknown) => [`Notifications failed: ${(error as Error).message}`])) ?? [];
  restoreConsole();
  for (const [name, value] of Object.entries(outputsFor(command, data, secrets, failure))) core.setOutput(name, value);
  const planName = planPath ? await nameOfPlan(planPath) : undefined;
  const summary: SummaryInput = {
    command,
    plan: planLabel,
    ...(planName ? { planName } : {}),
    data,
    ...(failure ? { failure } : {}),
    ...(notes.length > 0 ? { warnings: notes } : {}),
  };
  await writeSummary(summary, secrets, env).catch((error: unknown) => reporter.warn(`Could not write the job summary: ${(error as Error).message}`));
  if (!failure) return ExitCode.ok;
  core.setFailed(secrets.redact(failure.hint ? `${failure.message}\nHint: ${failure.hint}` : failure.message));
  return failure.exitCode;
}
