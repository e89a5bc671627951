/**
 * Monitoring around one command run, for both shells (CLI and Action): the
 * start pings once the plan is loaded, then after the command the event,
 * the notifications and the metrics. Everything here is best effort: it
 * warns, and never changes the exit code the command earned.
 */
import type { LoadedPlan } from '../plan/load.js';
import type { Reporter } from '../report/reporter.js';
import type { Secrets } from '../report/secrets.js';
import { ExitCode, reason } from '../errors.js';
import { NOTIFYING_COMMANDS, type NotifierConfig, type NotifyEvent } from './config.js';
import { notifyAll, pingStart } from './dispatch.js';
import { describeRun, type Failure } from './report.js';
import { recordOutcome, stateFile } from './state.js';
import { TailReporter } from './tail.js';
import { pushMetrics, writeMetricsFile } from '../metrics/publish.js';
import type { RunFacts } from '../metrics/collect.js';

/** The one event of a run: the most specific that applies (config.ts lists them). */
export function eventOf(command: string, exitCode: number, previousFailed: boolean): NotifyEvent {
  if (exitCode === ExitCode.ok) return previousFailed ? 'recovered' : 'success';
  if (command === 'backup' && exitCode === ExitCode.policy) return 'policy-not-met';
  if (command === 'drill' && (exitCode === ExitCode.healthCheck || exitCode === ExitCode.integrity)) return 'drill-failed';
  if (command === 'status' && exitCode === ExitCode.stale) return 'stale';
  return 'failure';
}

/** Values a notifier carries that must never be printed, even when written into the plan in clear. */
function notifierSecrets(notifiers: NotifierConfig[]): string[] {
  return notifiers.flatMap((n) => {
    switch (n.type) {
      case 'webhook':
        return [n.url, ...Object.values(n.headers)];
      case 'ping':
        return [n.url, n.start, n.success, n.fail].filter((u): u is string => u !== undefined);
      case 'email':
        return n.smtp.password ? [n.smtp.password] : [];
      case 'command':
        return [];
    }
  });
}

export interface SessionOptions {
  env: NodeJS.ProcessEnv;
  secrets: Secrets;
  reporter: Reporter;
  /** --metrics-file: the Prometheus text file to merge this run's metrics into. */
  metricsFile?: string;
}

export class MonitorSession {
  readonly reporter: TailReporter;
  private loaded: LoadedPlan | undefined;
  private started: Promise<string[]> = Promise.resolve([]);
  private readonly active: boolean;
  private readonly began = performance.now();

  constructor(
    private readonly command: string,
    private readonly options: SessionOptions,
  ) {
    this.reporter = new TailReporter(options.reporter, options.secrets);
    this.active = (NOTIFYING_COMMANDS as readonly string[]).includes(command);
  }

  private get ctx() {
    return { planDir: this.loaded?.dir ?? '.', env: this.options.env, reporter: this.options.reporter };
  }

  /** Called when the command has loaded its plan (the first time only): start pings go out, in the background. */
  readonly planLoaded = (loaded: LoadedPlan): void => {
    if (this.loaded || !this.active) return;
    this.loaded = loaded;
    for (const value of notifierSecrets(loaded.plan.notify)) this.options.secrets.add(value);
    this.started = pingStart(loaded.plan.notify, this.command, this.ctx);
  };

  /**
   * After the command: records the outcome, sends what the plan asks for.
   * `data` is the command's answer or what a failed run got to. Returns the
   * warnings, for the Action's job summary.
   */
  async finish(data: unknown, failure?: Failure): Promise<string[]> {
    const warnings = await this.started;
    if (!this.loaded) return warnings;
    const { plan, file } = this.loaded;
    const exitCode = failure?.exitCode ?? ExitCode.ok;
    let previousFailed = false;
    try {
      ({ previousFailed } = await recordOutcome(stateFile(plan.name, file, this.options.env), this.command, exitCode));
    } catch (error) {
      this.options.reporter.debug(`Could not keep the last outcome (for "recovered" notifications): ${reason(error)}`);
    }
    const event = eventOf(this.command, exitCode, previousFailed);
    const { secrets, reporter } = this.options;
    const facts: RunFacts = { command: this.command, result: event === 'recovered' ? 'success' : event, ok: exitCode === ExitCode.ok, data, wallMs: performance.now() - this.began, now: new Date() };
    const warn = (text: string) => {
      reporter.warn(text);
      warnings.push(text);
    };
    if (this.options.metricsFile) {
      await writeMetricsFile(this.options.metricsFile, plan.name, facts).catch((error: unknown) => warn(`Could not write the metrics file ${this.options.metricsFile}: ${reason(error)}`));
    }
    if (plan.metrics?.pushgateway) {
      await pushMetrics(plan.metrics, plan.name, facts).catch((error: unknown) => warn(`Could not push the metrics to the Pushgateway: ${reason(error)}`));
    }
    if (plan.notify.length === 0) return warnings;
    const report = secrets.redactValue(describeRun({ event, plan: plan.name, command: this.command, data: secrets.redactValue(data), ...(failure ? { failure } : {}), env: this.options.env }));
    warnings.push(...(await notifyAll(plan.notify, report, this.reporter.lines(), this.ctx)));
    return warnings;
  }
}
