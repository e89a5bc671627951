/**
 * Sends a run's report to every notifier that wants its event. Each one is
 * tried a few times within a few seconds (a chat service that hiccups), in
 * parallel with the others; one that still fails is a warning naming it, and
 * nothing more: a notifier never changes the run's exit code, and never hides
 * the run's own failure (that was printed before any notifier ran).
 */
import { reason } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import { retryBudgetMs, withRetry } from '../util/retry.js';
import { runNotifyCommand } from './command.js';
import type { NotifierConfig, PingConfig } from './config.js';
import { sendEmail } from './email.js';
import { sendPing, type PingKind } from './ping.js';
import type { RunReport } from './report.js';
import { sendWebhook } from './webhook.js';

export interface NotifyContext {
  planDir: string;
  env: NodeJS.ProcessEnv;
  reporter: Reporter;
}

/** How a warning names a notifier: its name, else its place in the plan. */
export function notifierLabel(config: NotifierConfig, index: number): string {
  return config.name ? `notifier "${config.name}" (${config.type})` : `notifier notify[${index}] (${config.type})`;
}

/** A few tries within at most 5 s (less when RESTORABLE_RETRY_SECONDS says so). */
async function attempt(label: string, run: () => Promise<void>, ctx: NotifyContext): Promise<string | undefined> {
  try {
    await withRetry(run, {
      transient: () => true,
      totalMs: Math.min(5000, retryBudgetMs(ctx.env)),
      firstDelayMs: 300,
      onRetry: (error, n) => ctx.reporter.debug(`${label}: attempt ${n} failed (${reason(error)}); trying again`),
    });
    ctx.reporter.debug(`${label}: sent`);
    return undefined;
  } catch (error) {
    const warning = `${label} failed: ${reason(error)}. The run's result stands.`;
    ctx.reporter.warn(warning);
    return warning;
  }
}

const pings = (notifiers: NotifierConfig[], command: string) =>
  notifiers.map((config, index) => ({ config, index })).filter((n): n is { config: PingConfig; index: number } => n.config.type === 'ping' && (n.config.commands as string[]).includes(command));

/** The start pings of `command`: sent as the command starts, so a monitor can time the run. */
export async function pingStart(notifiers: NotifierConfig[], command: string, ctx: NotifyContext): Promise<string[]> {
  const warnings = await Promise.all(pings(notifiers, command).map(({ config, index }) => attempt(notifierLabel(config, index), () => sendPing(config, 'start', [`restorable ${command} started`]), ctx)));
  return warnings.filter((w): w is string => w !== undefined);
}

/** Sends `report` to every notifier that wants it; returns the warnings, one per notifier that failed. */
export async function notifyAll(notifiers: NotifierConfig[], report: RunReport, log: string[], ctx: NotifyContext): Promise<string[]> {
  const jobs = notifiers.map((config, index) => {
    const label = notifierLabel(config, index);
    if (config.type === 'ping') {
      if (!(config.commands as string[]).includes(report.command)) return undefined;
      const kind: PingKind = report.ok ? 'success' : 'fail';
      return attempt(label, () => sendPing(config, kind, [...log, '', report.title, report.message]), ctx);
    }
    if (!config.on.includes(report.event)) return undefined;
    switch (config.type) {
      case 'webhook':
        return attempt(label, () => sendWebhook(config, report), ctx);
      case 'email':
        return attempt(label, () => sendEmail(config, report, ctx.planDir), ctx);
      case 'command':
        return attempt(label, () => runNotifyCommand(config, report, ctx.planDir, ctx.env), ctx);
    }
  });
  const warnings = await Promise.all(jobs);
  return warnings.filter((w): w is string => w !== undefined);
}
