/**
 * Every metric restorable exports, named by Prometheus' conventions (a
 * `restorable_` prefix, base units in the name: `_seconds`, `_bytes`,
 * `_timestamp_seconds`; counters end in `_total`). Labels: `plan` always
 * (in a push it is part of the grouping key), then `command`, `result`,
 * `source`, `target` or `objective` where they apply.
 */
import type { Family } from './prometheus.js';

const f = (name: string, type: Family['type'], help: string): Family => ({ name: `restorable_${name}`, type, help });

export const FAMILIES: readonly Family[] = [
  f('runs_total', 'counter', 'Runs of a command, by result (success, failure, policy-not-met, drill-failed, stale).'),
  f('last_run_timestamp_seconds', 'gauge', 'When the last run of a command finished.'),
  f('last_run_success', 'gauge', 'Whether the last run of a command succeeded (1) or not (0).'),
  f('last_run_duration_seconds', 'gauge', 'Wall time of the last run of a command.'),
  f('backup_last_success_timestamp_seconds', 'gauge', 'When the last successful backup finished.'),
  f('backup_duration_seconds', 'gauge', 'Wall time of the last successful backup.'),
  f('backup_bytes', 'gauge', 'Artifact size per source in the last successful backup.'),
  f('backup_source_duration_seconds', 'gauge', 'Snapshot time per source in the last successful backup.'),
  f('backup_copies', 'gauge', 'Verified copies of the last committed backup that the copy rule counts.'),
  f('backup_policy_met', 'gauge', 'Whether the last committed backup met the copy rule (1) or not (0).'),
  f('backup_target_verified', 'gauge', 'Whether the last committed backup was verified on a target (1) or not (0).'),
  f('drill_last_timestamp_seconds', 'gauge', 'When the last drill finished.'),
  f('drill_success', 'gauge', 'Whether the last drill passed (1) or not (0).'),
  f('drill_recovery_seconds', 'gauge', 'Recovery time of the last drill: its restore and health checks.'),
  f('newest_verified_backup_timestamp_seconds', 'gauge', 'Start time of the newest backup whose verified copies meet the copy rule (status).'),
  f('newest_verified_backup_age_seconds', 'gauge', 'Age of the newest backup whose verified copies meet the copy rule, when status ran.'),
  f('objective_met', 'gauge', 'Whether an objective holds (1) or not (0), when status ran: rpo, rto, drill_max_age, drill.'),
  f('objective_seconds', 'gauge', 'The objective itself: rpo, rto, drill_max_age.'),
];

export const FAMILY_NAMES = new Set(FAMILIES.map((family) => family.name));
