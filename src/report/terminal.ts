/**
 * The CLI's reporter: log lines on stderr, the command's answer on stdout (so
 * `--json` output can be piped), progress on long work (see progress.ts).
 * With `progress: 'json'` every stderr line is a JSON object, log lines too,
 * so a wrapper reads one stream. Every line passes through the secret redactor.
 */
import { Progress, formatBytes, type ProgressMode } from './progress.js';
import type { Reporter, StepStatus } from './reporter.js';
import type { Secrets } from './secrets.js';

export interface TerminalOptions {
  verbose: boolean;
  quiet: boolean;
  /** Default: a live line when stderr is a terminal, plain lines otherwise; none when quiet. */
  progress?: ProgressMode;
  /** Time between two progress lines of one piece of work (default: 250 ms live, 1 s json, 10 s plain). */
  progressIntervalMs?: number;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WriteStream | NodeJS.WritableStream;
}

export class TerminalReporter implements Reporter {
  private readonly bar: Progress;
  private readonly json: boolean;
  private readonly titles = new Map<string, string>();

  constructor(
    private readonly secrets: Secrets,
    private readonly options: TerminalOptions,
  ) {
    const mode = options.progress ?? (options.quiet ? 'none' : (this.err as NodeJS.WriteStream).isTTY ? 'tty' : 'plain');
    this.json = mode === 'json';
    this.bar = new Progress(mode, (text) => this.err.write(this.secrets.redact(text)), { ...(options.progressIntervalMs !== undefined ? { intervalMs: options.progressIntervalMs } : {}) });
  }

  private get err() {
    return this.options.err ?? process.stderr;
  }

  private line(text: string, event?: Record<string, unknown>): void {
    this.bar.clearLive();
    if (this.json) this.err.write(`${JSON.stringify(this.secrets.redactValue(event ?? { type: 'log', message: text }))}\n`);
    else this.err.write(`${this.secrets.redact(text)}\n`);
  }

  info(message: string): void {
    if (!this.options.quiet) this.line(message, { type: 'log', level: 'info', message });
  }
  warn(message: string): void {
    this.line(`warning: ${message}`, { type: 'log', level: 'warning', message });
  }
  error(message: string, hint?: string): void {
    if (this.json) return this.line('', { type: 'log', level: 'error', message, ...(hint ? { hint } : {}) });
    this.line(`error: ${message}`);
    if (hint) this.line(`hint: ${hint}`);
  }
  debug(message: string): void {
    if (this.options.verbose) this.line(`debug: ${message}`, { type: 'log', level: 'debug', message });
  }
  stepStarted(id: string, title: string): void {
    this.titles.set(id, title);
    if (!this.options.quiet || this.json) this.line(`> ${title}`, { type: 'step', id, title, status: 'started' });
  }
  stepFinished(id: string, status: StepStatus, ms: number, note?: string): void {
    this.bar.finish(id);
    if (this.options.quiet && status === 'ok' && !this.json) return;
    const mark = { ok: 'ok', failed: 'FAILED', skipped: 'skipped' }[status];
    this.line(`  ${mark} in ${(ms / 1000).toFixed(2)}s${note ? `: ${note}` : ''}`, { type: 'step', id, title: this.titles.get(id) ?? id, status, ms, ...(note ? { note } : {}) });
  }
  progress(id: string, done: number, total?: number, label?: string): void {
    this.bar.update(id, done, total, label ?? this.titles.get(id) ?? id);
  }
  /** A line on stderr as it is (a plan problem, already `file:line:col: error: ...`). */
  plain(text: string): void {
    this.line(text, { type: 'log', level: 'error', message: text });
  }
  output(text: string): void {
    this.bar.clearLive();
    (this.options.out ?? process.stdout).write(`${this.secrets.redact(text)}\n`);
  }
}

export { formatBytes };
