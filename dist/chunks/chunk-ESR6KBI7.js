import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/report/terminal.ts
function size(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
var TerminalReporter = class {
  constructor(secrets, options) {
    this.secrets = secrets;
    this.options = options;
  }
  lastProgress = 0;
  progressShown = false;
  get err() {
    return this.options.err ?? process.stderr;
  }
  line(text) {
    this.clearProgress();
    this.err.write(`${this.secrets.redact(text)}
`);
  }
  clearProgress() {
    if (this.progressShown) {
      this.err.write("\r\x1B[K");
      this.progressShown = false;
    }
  }
  info(message) {
    if (!this.options.quiet) this.line(message);
  }
  warn(message) {
    this.line(`warning: ${message}`);
  }
  error(message, hint) {
    this.line(`error: ${message}`);
    if (hint) this.line(`hint: ${hint}`);
  }
  debug(message) {
    if (this.options.verbose) this.line(`debug: ${message}`);
  }
  stepStarted(id, title) {
    if (!this.options.quiet) this.line(`> ${title}`);
  }
  stepFinished(id, status, ms, note) {
    if (this.options.quiet && status === "ok") return;
    const mark = { ok: "ok", failed: "FAILED", skipped: "skipped" }[status];
    this.line(`  ${mark} in ${(ms / 1e3).toFixed(2)}s${note ? `: ${note}` : ""}`);
  }
  progress(id, bytes) {
    const err = this.err;
    if (!err.isTTY || this.options.quiet) return;
    const now = Date.now();
    if (now - this.lastProgress < 250) return;
    this.lastProgress = now;
    err.write(`\r\x1B[K  ${id}: ${size(bytes)}`);
    this.progressShown = true;
  }
  output(text) {
    this.clearProgress();
    (this.options.out ?? process.stdout).write(`${this.secrets.redact(text)}
`);
  }
};

export {
  size,
  TerminalReporter
};
