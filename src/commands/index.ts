/**
 * Every command, by name. The CLI and the Action are thin shells over this table.
 * A command's module is imported when it runs, not at start: `--help` and
 * `validate` must not parse and evaluate the code of backup, restore and every
 * target (half a second of a start, against ~50 ms for node itself).
 */
import type { Command } from './context.js';

/** A command whose module loads on first use. */
function lazy<M>(load: () => Promise<M>, pick: (module: M) => Command): Command {
  return async (input, ctx) => pick(await load())(input, ctx);
}

export const commands: Record<string, { run: Command; summary: string }> = {
  validate: { run: lazy(() => import('./validate.js'), (m) => m.validate), summary: 'check the plan and print problems with file:line:column' },
  plan: { run: lazy(() => import('./plan.js'), (m) => m.planCommand), summary: 'dry run: print the compiled pipeline, touching nothing' },
  backup: { run: lazy(() => import('./backup.js'), (m) => m.backup), summary: 'run the pipeline: snapshot, pack, write, verify, check 3-2-1, prune' },
  list: { run: lazy(() => import('./list.js'), (m) => m.list), summary: 'backups per target: id, age, size, copies, drill status' },
  verify: { run: lazy(() => import('./verify.js'), (m) => m.verify), summary: 're-read stored copies and check every checksum (--backup latest|all|ID)' },
  restore: { run: lazy(() => import('./restore.js'), (m) => m.restore), summary: 'restore point, restore, health checks, rollback on failure' },
  drill: { run: lazy(() => import('./drill.js'), (m) => m.drill), summary: 'restore into a scratch place, run health checks, touch nothing live' },
  'restore-points': {
    run: lazy(() => import('./restore-points.js'), (m) => m.restorePoints),
    summary: 'list the restore points restores kept beside live data; --remove ID or --older-than 7d clears them',
  },
  ls: { run: lazy(() => import('./browse.js'), (m) => m.ls), summary: 'list what a repository backup holds (--source NAME [PATH])' },
  diff: { run: lazy(() => import('./browse.js'), (m) => m.diff), summary: 'what changed between two repository backups: added, removed, changed (ID1 ID2)' },
  dump: { run: lazy(() => import('./browse.js'), (m) => m.dump), summary: 'write one file of a repository backup to stdout (--source NAME PATH)' },
  export: { run: lazy(() => import('./browse.js'), (m) => m.exportCommand), summary: 'write a repository backup as a plain tar to stdout (--source NAME)' },
  status: { run: lazy(() => import('./status.js'), (m) => m.status), summary: 'the watchdog: newest good backup, last drill, objectives (RPO, RTO); exit 10 when one is missed' },
  prune: { run: lazy(() => import('./prune.js'), (m) => m.prune), summary: 'apply the retention policy (--dry-run shows what would go)' },
  schema: { run: lazy(() => import('./schema.js'), (m) => m.schema), summary: 'print the JSON Schema of the plan' },
  workflow: { run: lazy(() => import('./workflow.js'), (m) => m.workflow), summary: 'write GitHub workflows for the plan: scheduled backup, weekly drill, restore on demand (--dry-run shows them)' },
};
