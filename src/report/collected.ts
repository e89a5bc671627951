/** A reporter that keeps every event, for tests; redacts like the others. */
import type { Reporter, ReporterEvent, StepStatus } from './reporter.js';
import { Secrets } from './secrets.js';

export class CollectedReporter implements Reporter {
  readonly events: ReporterEvent[] = [];
  constructor(private readonly secrets: Secrets = new Secrets()) {}

  private r(text: string): string {
    return this.secrets.redact(text);
  }
  info(message: string): void {
    this.events.push({ kind: 'info', message: this.r(message) });
  }
  warn(message: string): void {
    this.events.push({ kind: 'warn', message: this.r(message) });
  }
  error(message: string, hint?: string): void {
    this.events.push({ kind: 'error', message: this.r(message), ...(hint ? { hint: this.r(hint) } : {}) });
  }
  debug(message: string): void {
    this.events.push({ kind: 'debug', message: this.r(message) });
  }
  stepStarted(id: string, title: string): void {
    this.events.push({ kind: 'stepStarted', id, title });
  }
  stepFinished(id: string, status: StepStatus, ms: number, note?: string): void {
    this.events.push({ kind: 'stepFinished', id, status, ms, ...(note ? { note: this.r(note) } : {}) });
  }
  progress(): void {}
  output(text: string): void {
    this.events.push({ kind: 'output', message: this.r(text) });
  }
  /** Every message, one per line: what a user would have seen. */
  text(): string {
    return this.events.map((e) => ('message' in e ? e.message : 'title' in e ? e.title : `${e.id} ${e.status} ${e.note ?? ''}`)).join('\n');
  }
}
