/**
 * The CLI's reporter: log lines on stderr, the command's answer on stdout (so
 * `--json` output can be piped), a live byte counter on long steps when stderr
 * is a terminal. Every line passes through the secret redactor.
 */
import type { Reporter, StepStatus } from './reporter.js';
import type { Secrets } from './secrets.js';

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export class TerminalReporter implements Reporter {
  private lastProgress = 0;
  private progressShown = false;

  constructor(
    private readonly secrets: Secrets,
    private readonly options: { verbose: boolean; quiet: boolean; out?: NodeJS.WritableStream; err?: NodeJS.WriteStream | NodeJS.WritableStream },
  ) {}

  private get err() {
    return this.options.err ?? process.stderr;
  }

  private line(text: string): void {
    this.clearProgress();
    this.err.write(`${this.secrets.redact(text)}\n`);
  }

  private clearProgress(): void {
    if (this.progressShown) {
      this.err.write('\r\x1b[K');
      this.progressShown = false;
    }
  }

  info(message: string): void {
    if (!this.options.quiet) this.line(message);
  }
  warn(message: string): void {
    this.line(`warning: ${message}`);
  }
  error(message: string, hint?: string): void {
    this.line(`error: ${message}`);
    if (hint) this.line(`hint: ${hint}`);
  }
  debug(message: string): void {
    if (this.options.verbose) this.line(`debug: ${message}`);
  }
  stepStarted(id: string, title: string): void {
    if (!this.options.quiet) this.line(`> ${title}`);
  }
  stepFinished(id: string, status: StepStatus, ms: number, note?: string): void {
    if (this.options.quiet && status === 'ok') return;
    const mark = { ok: 'ok', failed: 'FAILED', skipped: 'skipped' }[status];
    this.line(`  ${mark} in ${(ms / 1000).toFixed(2)}s${note ? `: ${note}` : ''}`);
  }
  progress(id: string, bytes: number): void {
    const err = this.err as NodeJS.WriteStream;
    if (!err.isTTY || this.options.quiet) return;
    const now = Date.now();
    if (now - this.lastProgress < 250) return;
    this.lastProgress = now;
    err.write(`\r\x1b[K  ${id}: ${size(bytes)}`);
    this.progressShown = true;
  }
  output(text: string): void {
    this.clearProgress();
    (this.options.out ?? process.stdout).write(`${this.secrets.redact(text)}\n`);
  }
}

export { size as formatBytes };
