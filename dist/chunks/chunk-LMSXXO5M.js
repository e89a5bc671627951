import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/report/progress.ts
var WINDOW_MS = 5e3;
function formatBytes(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor(s % 3600 / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
function describe(line) {
  const parts = [`${line.label}: ${formatBytes(line.done)}${line.total !== null ? ` of ${formatBytes(line.total)}` : ""}`];
  if (line.percent !== null) parts.push(`${line.percent}%`);
  if (line.bytes_per_second !== null) parts.push(`${formatBytes(line.bytes_per_second)}/s`);
  if (line.eta_seconds !== null) parts.push(`ETA ${clock(line.eta_seconds)}`);
  return parts.join("  ");
}
var Progress = class {
  constructor(mode, write, options = {}) {
    this.mode = mode;
    this.write = write;
    this.options = options;
  }
  work = /* @__PURE__ */ new Map();
  liveShown = false;
  now() {
    return (this.options.now ?? Date.now)();
  }
  /** Called before any other stderr line, so a live line never runs into it. */
  clearLive() {
    if (this.liveShown) {
      this.write("\r\x1B[K");
      this.liveShown = false;
    }
  }
  update(id, done, total, label) {
    if (this.mode === "none") return;
    const now = this.now();
    let work = this.work.get(id);
    if (!work || work.finished) {
      work = { label, done: 0, total, started: now, samples: [[now, 0]], lastShown: now, endShown: void 0, finished: false };
      this.work.set(id, work);
    }
    work.done = done;
    work.total = total;
    work.samples.push([now, done]);
    while (work.samples.length > 2 && now - work.samples[0][0] > WINDOW_MS) work.samples.shift();
    if (total !== void 0 && done >= total && work.endShown === void 0) return this.end(id, work);
    const every = this.options.intervalMs ?? (this.mode === "plain" ? 1e4 : this.mode === "json" ? 1e3 : 250);
    if (now - work.lastShown < every) return;
    work.lastShown = now;
    this.show(id, work, false);
  }
  /** The work `id` ended (its step did): its last line (plain, json), and the live line goes. */
  finish(id) {
    const work = this.work.get(id);
    if (!work || work.finished) return;
    if (work.endShown !== work.done) this.end(id, work);
    work.finished = true;
  }
  end(id, work) {
    work.endShown = work.done;
    if (this.mode === "tty") this.clearLive();
    else if (this.mode !== "none") this.show(id, work, true);
    work.lastShown = this.now();
  }
  line(id) {
    const work = this.work.get(id);
    if (!work) return void 0;
    const [t0, d0] = work.samples[0];
    const now = this.now();
    const elapsed = (now - t0) / 1e3;
    const rate = elapsed > 0.2 ? (work.done - d0) / elapsed : null;
    const total = work.total ?? null;
    const percent = total ? Math.min(100, Math.floor(work.done / total * 100)) : total === 0 ? 100 : null;
    const eta = total !== null && rate ? Math.max(0, (total - work.done) / rate) : null;
    return { id, label: work.label, done: work.done, total, percent, bytes_per_second: rate === null ? null : Math.round(rate), eta_seconds: eta === null ? null : Math.round(eta) };
  }
  show(id, work, final) {
    const line = this.line(id);
    if (this.mode === "json") return this.write(`${JSON.stringify({ type: "progress", ...line, finished: final })}
`);
    if (this.mode === "plain") {
      if (final) {
        const seconds = (this.now() - work.started) / 1e3;
        if (seconds < 1 && work.lastShown === work.started) return;
        return this.write(`  ${line.label}: ${formatBytes(line.done)} in ${seconds.toFixed(1)}s${seconds > 0.2 ? ` (${formatBytes(line.done / seconds)}/s)` : ""}
`);
      }
      return this.write(`  ${describe(line)}
`);
    }
    this.write(`\r\x1B[K  ${describe(line)}`);
    this.liveShown = true;
  }
};

// src/report/terminal.ts
var TerminalReporter = class {
  constructor(secrets, options) {
    this.secrets = secrets;
    this.options = options;
    const mode = options.progress ?? (options.quiet ? "none" : this.err.isTTY ? "tty" : "plain");
    this.json = mode === "json";
    this.bar = new Progress(mode, (text) => this.err.write(this.secrets.redact(text)), { ...options.progressIntervalMs !== void 0 ? { intervalMs: options.progressIntervalMs } : {} });
  }
  bar;
  json;
  titles = /* @__PURE__ */ new Map();
  get err() {
    return this.options.err ?? process.stderr;
  }
  line(text, event) {
    this.bar.clearLive();
    if (this.json) this.err.write(`${JSON.stringify(this.secrets.redactValue(event ?? { type: "log", message: text }))}
`);
    else this.err.write(`${this.secrets.redact(text)}
`);
  }
  info(message) {
    if (!this.options.quiet) this.line(message, { type: "log", level: "info", message });
  }
  warn(message) {
    this.line(`warning: ${message}`, { type: "log", level: "warning", message });
  }
  error(message, hint) {
    if (this.json) return this.line("", { type: "log", level: "error", message, ...hint ? { hint } : {} });
    this.line(`error: ${message}`);
    if (hint) this.line(`hint: ${hint}`);
  }
  debug(message) {
    if (this.options.verbose) this.line(`debug: ${message}`, { type: "log", level: "debug", message });
  }
  stepStarted(id, title) {
    this.titles.set(id, title);
    if (!this.options.quiet || this.json) this.line(`> ${title}`, { type: "step", id, title, status: "started" });
  }
  stepFinished(id, status, ms, note) {
    this.bar.finish(id);
    if (this.options.quiet && status === "ok" && !this.json) return;
    const mark = { ok: "ok", failed: "FAILED", skipped: "skipped" }[status];
    this.line(`  ${mark} in ${(ms / 1e3).toFixed(2)}s${note ? `: ${note}` : ""}`, { type: "step", id, title: this.titles.get(id) ?? id, status, ms, ...note ? { note } : {} });
  }
  progress(id, done, total, label) {
    this.bar.update(id, done, total, label ?? this.titles.get(id) ?? id);
  }
  /** A line on stderr as it is (a plan problem, already `file:line:col: error: ...`). */
  plain(text) {
    this.line(text, { type: "log", level: "error", message: text });
  }
  output(text) {
    this.bar.clearLive();
    (this.options.out ?? process.stdout).write(`${this.secrets.redact(text)}
`);
  }
};

export {
  formatBytes,
  Progress,
  TerminalReporter
};
