/**
 * Progress of long work as people (and wrappers) read it: done of total,
 * percent, rate and time left, under a human label. Three ways to show it:
 *
 * - `tty`: one live line, rewritten in place (stderr is a terminal);
 * - `plain`: a full line every `intervalMs` and when the work ends, never a
 *   carriage return (cron mail, journald, `docker logs`, GitHub Actions);
 * - `json`: one JSON object per line (`--progress=json`), for wrappers.
 *
 * Hand-written rather than cli-progress or listr2: the line has to share
 * stderr with the reporter's log lines (cleared before each, redacted like
 * them), the plain and JSON forms are the larger part, and listr2 wants to
 * own the whole output as a task tree.
 */
export type ProgressMode = 'tty' | 'plain' | 'json' | 'none';

interface Work {
  label: string;
  done: number;
  total: number | undefined;
  started: number;
  /** Recent (time, done) samples: the rate is over the last few seconds, not since the start. */
  samples: [number, number][];
  lastShown: number;
  /** The `done` its last end-of-work line showed (plain, json), so a step's end does not repeat it. */
  endShown: number | undefined;
  finished: boolean;
}

export interface ProgressLine {
  id: string;
  label: string;
  done: number;
  total: number | null;
  percent: number | null;
  bytes_per_second: number | null;
  eta_seconds: number | null;
}

const WINDOW_MS = 5000;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** `uploads: 120.0 MiB of 600.0 MiB  20%  45.3 MiB/s  ETA 0:11` (the parts that are known). */
export function describe(line: ProgressLine): string {
  const parts = [`${line.label}: ${formatBytes(line.done)}${line.total !== null ? ` of ${formatBytes(line.total)}` : ''}`];
  if (line.percent !== null) parts.push(`${line.percent}%`);
  if (line.bytes_per_second !== null) parts.push(`${formatBytes(line.bytes_per_second)}/s`);
  if (line.eta_seconds !== null) parts.push(`ETA ${clock(line.eta_seconds)}`);
  return parts.join('  ');
}

export class Progress {
  private readonly work = new Map<string, Work>();
  private liveShown = false;

  constructor(
    private readonly mode: ProgressMode,
    /** Writes one piece of stderr text (already with its newline or carriage return); the caller redacts. */
    private readonly write: (text: string) => void,
    /** intervalMs: between two lines of one piece of work (default: 250 ms live, 1 s json, 10 s plain). */
    private readonly options: { intervalMs?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Called before any other stderr line, so a live line never runs into it. */
  clearLive(): void {
    if (this.liveShown) {
      this.write('\r\x1b[K');
      this.liveShown = false;
    }
  }

  update(id: string, done: number, total: number | undefined, label: string): void {
    if (this.mode === 'none') return;
    const now = this.now();
    let work = this.work.get(id);
    if (!work || work.finished) {
      work = { label, done: 0, total, started: now, samples: [[now, 0]], lastShown: now, endShown: undefined, finished: false };
      this.work.set(id, work);
    }
    work.done = done;
    work.total = total;
    work.samples.push([now, done]);
    while (work.samples.length > 2 && now - work.samples[0]![0] > WINDOW_MS) work.samples.shift();
    // Work outside steps ends when it reaches its total; a total that was an estimate may be passed, so later bytes still count.
    if (total !== undefined && done >= total && work.endShown === undefined) return this.end(id, work);
    const every = this.options.intervalMs ?? (this.mode === 'plain' ? 10_000 : this.mode === 'json' ? 1000 : 250);
    if (now - work.lastShown < every) return;
    work.lastShown = now;
    this.show(id, work, false);
  }

  /** The work `id` ended (its step did): its last line (plain, json), and the live line goes. */
  finish(id: string): void {
    const work = this.work.get(id);
    if (!work || work.finished) return;
    if (work.endShown !== work.done) this.end(id, work);
    work.finished = true;
  }

  private end(id: string, work: Work): void {
    work.endShown = work.done;
    if (this.mode === 'tty') this.clearLive();
    else if (this.mode !== 'none') this.show(id, work, true);
    work.lastShown = this.now();
  }

  line(id: string): ProgressLine | undefined {
    const work = this.work.get(id);
    if (!work) return undefined;
    const [t0, d0] = work.samples[0]!;
    const now = this.now();
    const elapsed = (now - t0) / 1000;
    const rate = elapsed > 0.2 ? (work.done - d0) / elapsed : null;
    const total = work.total ?? null;
    const percent = total ? Math.min(100, Math.floor((work.done / total) * 100)) : total === 0 ? 100 : null;
    const eta = total !== null && rate ? Math.max(0, (total - work.done) / rate) : null;
    return { id, label: work.label, done: work.done, total, percent, bytes_per_second: rate === null ? null : Math.round(rate), eta_seconds: eta === null ? null : Math.round(eta) };
  }

  private show(id: string, work: Work, final: boolean): void {
    const line = this.line(id)!;
    if (this.mode === 'json') return this.write(`${JSON.stringify({ type: 'progress', ...line, finished: final })}\n`);
    if (this.mode === 'plain') {
      if (final) {
        const seconds = (this.now() - work.started) / 1000;
        // Work done in a blink is not worth a line of its own in a cron mail (its step's line says it ended).
        if (seconds < 1 && work.lastShown === work.started) return;
        return this.write(`  ${line.label}: ${formatBytes(line.done)} in ${seconds.toFixed(1)}s${seconds > 0.2 ? ` (${formatBytes(line.done / seconds)}/s)` : ''}\n`);
      }
      return this.write(`  ${describe(line)}\n`);
    }
    this.write(`\r\x1b[K  ${describe(line)}`);
    this.liveShown = true;
  }
}
