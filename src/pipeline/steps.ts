/**
 * A pipeline is data: an ordered list of named steps that `plan` prints and
 * `backup` runs. Keeping it data is what makes the dry run honest: the dry
 * run prints the very list the run executes.
 */
export type StepKind = 'preflight' | 'hook' | 'snapshot' | 'verify' | 'policy' | 'commit' | 'prune' | 'report';

export interface Step {
  /** Stable id, e.g. `snapshot:db`, `hook:pre_backup:0`. */
  id: string;
  kind: StepKind;
  title: string;
  /** What the step will do, one line each, for the dry run. */
  detail: string[];
  /** Runs even after an earlier step failed (post hooks, the report). */
  always?: boolean;
  /** The source or target the step is about, if any. */
  source?: string;
}

export interface Pipeline {
  plan: string;
  command: 'backup';
  steps: Step[];
}
