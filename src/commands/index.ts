/** Every command, by name. The CLI and the Action are thin shells over this table. */
import { backup } from './backup.js';
import { dump, exportCommand, ls } from './browse.js';
import type { Command } from './context.js';
import { drill } from './drill.js';
import { list } from './list.js';
import { planCommand } from './plan.js';
import { prune } from './prune.js';
import { restore } from './restore.js';
import { restorePoints } from './restore-points.js';
import { schema } from './schema.js';
import { validate } from './validate.js';
import { verify } from './verify.js';
import { workflow } from './workflow.js';

export const commands: Record<string, { run: Command; summary: string }> = {
  validate: { run: validate, summary: 'check the plan and print problems with file:line:column' },
  plan: { run: planCommand, summary: 'dry run: print the compiled pipeline, touching nothing' },
  backup: { run: backup, summary: 'run the pipeline: snapshot, pack, write, verify, check 3-2-1, prune' },
  list: { run: list, summary: 'backups per target: id, age, size, copies, drill status' },
  verify: { run: verify, summary: 're-read stored copies and check every checksum (--backup latest|all|ID)' },
  restore: { run: restore, summary: 'restore point, restore, health checks, rollback on failure' },
  drill: { run: drill, summary: 'restore into a scratch place, run health checks, touch nothing live' },
  'restore-points': { run: restorePoints, summary: 'list the restore points restores kept beside live data; --remove ID or --older-than 7d clears them' },
  ls: { run: ls, summary: 'list what a repository backup holds (--source NAME [PATH])' },
  dump: { run: dump, summary: 'write one file of a repository backup to stdout (--source NAME PATH)' },
  export: { run: exportCommand, summary: 'write a repository backup as a plain tar to stdout (--source NAME)' },
  prune: { run: prune, summary: 'apply the retention policy (--dry-run shows what would go)' },
  schema: { run: schema, summary: 'print the JSON Schema of the plan' },
  workflow: { run: workflow, summary: 'write GitHub workflows for the plan: scheduled backup, weekly drill, restore on demand (--dry-run shows them)' },
};
