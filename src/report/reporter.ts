/**
 * How commands talk to people. Commands never print; they call a Reporter.
 * The terminal reporter writes lines (and progress on a TTY), the GitHub
 * reporter writes groups, annotations and the job summary, and the collected
 * reporter keeps events for tests. Every reporter redacts secrets.
 */
export type StepStatus = 'ok' | 'failed' | 'skipped';

export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, hint?: string): void;
  /** Details that matter when something goes wrong; shown with --verbose. */
  debug(message: string): void;
  stepStarted(id: string, title: string): void;
  stepFinished(id: string, status: StepStatus, ms: number, note?: string): void;
  /**
   * Bytes done so far on a long piece of work `id` (a step's id, or any id
   * for work outside steps), of `total` when it is known; `label` is what a
   * person reads (default: the title of step `id`). Reporters throttle as
   * they see fit; done reaching total ends the work, as its step's end does.
   */
  progress(id: string, done: number, total?: number, label?: string): void;
  /** Plain output that is the command's answer (a table, JSON); not a log line. */
  output(text: string): void;
}

export type ReporterEvent =
  | { kind: 'info' | 'warn' | 'debug' | 'output'; message: string }
  | { kind: 'error'; message: string; hint?: string }
  | { kind: 'stepStarted'; id: string; title: string }
  | { kind: 'stepFinished'; id: string; status: StepStatus; ms: number; note?: string };
