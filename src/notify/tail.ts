/** A Reporter that passes everything on and keeps the last lines, redacted: the body of a ping, what a monitor shows of a run. */
import type { Reporter, StepStatus } from '../report/reporter.js';
import type { Secrets } from '../report/secrets.js';

export class TailReporter implements Reporter {
  private readonly kept: string[] = [];
  private readonly titles = new Map<string, string>();

  constructor(
    private readonly inner: Reporter,
    private readonly secrets: Secrets,
    private readonly max = 50,
  ) {}

  private keep(text: string): void {
    for (const line of this.secrets.redact(text).split('\n')) this.kept.push(line);
    if (this.kept.length > this.max) this.kept.splice(0, this.kept.length - this.max);
  }

  lines(): string[] {
    return [...this.kept];
  }

  info(message: string): void {
    this.keep(message);
    this.inner.info(message);
  }
  warn(message: string): void {
    this.keep(`warning: ${message}`);
    this.inner.warn(message);
  }
  error(message: string, hint?: string): void {
    this.keep(`error: ${message}${hint ? `\nhint: ${hint}` : ''}`);
    this.inner.error(message, hint);
  }
  debug(message: string): void {
    this.inner.debug(message);
  }
  stepStarted(id: string, title: string): void {
    this.titles.set(id, title);
    this.inner.stepStarted(id, title);
  }
  stepFinished(id: string, status: StepStatus, ms: number, note?: string): void {
    this.keep(`${status === 'ok' ? '✓' : status === 'failed' ? '✗' : '-'} ${this.titles.get(id) ?? id}: ${status} in ${(ms / 1000).toFixed(2)}s${note ? ` (${note})` : ''}`);
    this.inner.stepFinished(id, status, ms, note);
  }
  // Every argument on: the total and label make the done/total, percent and ETA the user sees.
  progress(id: string, done: number, total?: number, label?: string): void {
    this.inner.progress(id, done, total, label);
  }
  output(text: string): void {
    this.keep(text);
    this.inner.output(text);
  }
}
