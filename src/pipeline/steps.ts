/**
 * A pipeline is data: an ordered list of named steps that `plan` prints and
 * `backup` runs. Keeping it data is what makes the dry run honest: the dry
 * run prints the very list the run executes.
 */
import type { Hook } from '../plan/schema.js';
import type { SourceConfig } from '../sources/configs.js';

interface StepBase {
  /** Stable id, e.g. `snapshot:db`, `hook:pre_backup:0`. */
  id: string;
  title: string;
  /** What the step will do, one line each, for the dry run. */
  detail: string[];
  /** Runs even after an earlier step failed (post hooks, the report). */
  always?: boolean;
}

/** Each kind of step carries what its executor needs: no executor parses an id or looks its source up. */
export type Step = StepBase &
  (
    | { kind: 'preflight' }
    | { kind: 'hook'; phase: 'pre_backup' | 'post_backup'; index: number; hook: Hook }
    | { kind: 'snapshot'; /** The source's name. */ source: string; config: SourceConfig }
    | { kind: 'verify' }
    | { kind: 'policy' }
    | { kind: 'commit' }
    | { kind: 'prune' }
    | { kind: 'report' }
  );

export type StepKind = Step['kind'];
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

export interface Pipeline {
  plan: string;
  command: 'backup';
  steps: Step[];
}

/** A step as `plan --json` shows it: what it is and does, not the plan entries it carries (a source's settings, a hook's command). */
export function stepView(step: Step): { id: string; kind: StepKind; title: string; detail: string[]; always?: boolean; source?: string } {
  const { id, kind, title, detail, always } = step;
  const flag = always !== undefined ? { always } : {};
  return step.kind === 'snapshot' ? { id, kind, title, source: step.source, detail, ...flag } : { id, kind, title, detail, ...flag };
}
