/**
 * Runs a compiled pipeline: one step at a time, with timings, in order. After
 * a failure the remaining steps are skipped, except those marked `always`
 * (post hooks, the report); the first error is the one thrown at the end.
 */
import { InterruptedError } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import type { Pipeline, StepKind, StepOf } from './steps.js';

/** Runs one step; may return a short note for the log (sizes, timings). */
export type Executor<K extends StepKind = StepKind> = (step: StepOf<K>) => Promise<string | void>;

/** One executor per kind of step, each given its kind's steps. */
export type Executors = { [K in StepKind]: Executor<K> };

export interface StepRecord {
  id: string;
  title: string;
  status: 'ok' | 'failed' | 'skipped';
  ms: number;
  note?: string;
}

export async function runPipeline(
  pipeline: Pipeline,
  executors: Executors,
  reporter: Reporter,
  signal: AbortSignal,
): Promise<{ records: StepRecord[]; error?: unknown }> {
  const records: StepRecord[] = [];
  let failure: unknown;
  for (const step of pipeline.steps) {
    if ((failure !== undefined || signal.aborted) && !step.always) {
      failure ??= new InterruptedError('Interrupted: the run was stopped; nothing was committed.');
      reporter.stepStarted(step.id, step.title);
      reporter.stepFinished(step.id, 'skipped', 0);
      records.push({ id: step.id, title: step.title, status: 'skipped', ms: 0 });
      continue;
    }
    reporter.stepStarted(step.id, step.title);
    const started = performance.now();
    try {
      // The kind picks the executor, so the step is of the kind it takes.
      const note = (await (executors[step.kind] as Executor)(step as never)) ?? undefined;
      const ms = performance.now() - started;
      reporter.stepFinished(step.id, 'ok', ms, note);
      records.push({ id: step.id, title: step.title, status: 'ok', ms, ...(note ? { note } : {}) });
    } catch (error) {
      const ms = performance.now() - started;
      failure ??= signal.aborted ? new InterruptedError('Interrupted: the run was stopped; nothing was committed.', { cause: error }) : error;
      reporter.stepFinished(step.id, 'failed', ms);
      records.push({ id: step.id, title: step.title, status: 'failed', ms });
    }
  }
  return failure === undefined ? { records } : { records, error: failure };
}
