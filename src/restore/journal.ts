/**
 * The restore journal: what a restore is about to change in the live data,
 * written before the first change, so that a restore killed at any instant
 * (kill -9, power loss) is undone as a whole by the next run.
 *
 * Contract:
 * - Where: `<plan folder>/.restorable/restore-journal.<plan>.json`. The plan's
 *   folder is the one place every command knows (relative paths resolve
 *   against it), whatever the cwd; it holds no secrets (paths, database
 *   names, step lists), mode 0600 in a 0700 folder.
 * - When: `begin` writes it, fsync'd (file and folder), before the restored
 *   data is built beside the live data (phase `building`: where each source
 *   builds). `planned` adds every step of every source's swap, fsync'd, after
 *   they are planned and before any is made (phase `swapping`). `progress`
 *   records steps as they complete (not
 *   fsync'd: the undo looks at the live data itself, the count only informs);
 *   `phase` records `swapped` (every step made) and `rolling-back`, fsync'd;
 *   `remove` deletes it when the restore stands or has been rolled back.
 * - Recovery (`recoverInterrupted`, called by every command that loads the
 *   plan to act on it: restore, backup, drill, list, verify, prune, and by
 *   the lock's clean-up of a dead run on this host): a journal whose writer
 *   is gone is settled as a whole, never source by source:
 *     phase building: nothing live was changed; what was built is dropped
 *       (new folders and files, `<db>_new_<tag>` databases);
 *     phase swapping or rolling-back: every source is put back as it was
 *       before the restore (its steps undone, its build dropped);
 *     phase swapped: the restore stands (every source restored; the restored
 *       copies had passed the sql checks; post_restore hooks may already have
 *       started the app on them, so pulling the data away could lose writes):
 *       what is left of the builds is removed, the restore points are named.
 *   A journal whose writer still runs (same host, same pid and process start
 *   time) is left alone; one from another host is named and left alone.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { RunError, reason } from '../errors.js';
import type { LoadedPlan } from '../plan/load.js';
import type { Reporter } from '../report/reporter.js';
import { sourceAdapter } from '../sources/index.js';
import type { SourceContext } from '../sources/source.js';

const owner = z.object({ host: z.string(), pid: z.number().int(), started: z.string().nullable() });

export const journalBody = z.object({
  version: z.literal(1),
  plan: z.string(),
  backup_id: z.string(),
  tag: z.string(),
  owner,
  started_at: z.string(),
  phase: z.enum(['building', 'swapping', 'swapped', 'rolling-back']),
  sources: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      /** Where the restored data was built (a path, or a database location). */
      staged: z.string(),
      point: z.string().nullable(),
      leftover: z.string().optional(),
      /** The adapter's own steps (see SwapPlan in sources/source.ts). */
      steps: z.array(z.unknown()),
      done: z.number().int(),
    }),
  ),
});
export type JournalBody = z.infer<typeof journalBody>;
type Owner = z.infer<typeof owner>;

export function journalPath(loaded: Pick<LoadedPlan, 'dir' | 'plan'>): string {
  return join(loaded.dir, '.restorable', `restore-journal.${loaded.plan.name}.json`);
}

/** The kernel's start time of a process (clock ticks since boot): tells a reused pid from the one that wrote. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function me(): Owner {
  return { host: hostname(), pid: process.pid, started: processStart(process.pid) };
}

function alive(who: Owner): boolean {
  if (who.host !== hostname()) return true; // not ours to judge
  try {
    process.kill(who.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return who.started === null || processStart(who.pid) === who.started;
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  await handle.sync().finally(() => handle.close());
}

/** Writes whole or not at all (temp file, rename); `durable` also fsyncs the file and its folder. */
async function writeWhole(path: string, body: JournalBody, durable: boolean): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  if (durable) await syncFolder(dirname(path));
}

export interface JournalSource {
  name: string;
  type: string;
  staged: string;
  point: string | null;
  leftover?: string | undefined;
  steps: unknown[];
}

/** The journal of the restore this process runs. */
export class RestoreJournal {
  private constructor(
    readonly path: string,
    private body: JournalBody,
  ) {}

  static async begin(loaded: LoadedPlan, run: { backupId: string; tag: string; sources: Pick<JournalSource, 'name' | 'type' | 'staged'>[] }): Promise<RestoreJournal> {
    const path = journalPath(loaded);
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      if (await readFile(path).then(() => true, () => false)) {
        throw new RunError(`An earlier restore's journal is still at ${path}: its restore was not settled.`, { hint: 'Run `restorable list` to settle it (it says what it does), then restore again.' });
      }
      const body: JournalBody = {
        version: 1,
        plan: loaded.plan.name,
        backup_id: run.backupId,
        tag: run.tag,
        owner: me(),
        started_at: new Date().toISOString(),
        phase: 'building',
        sources: run.sources.map((s) => ({ ...s, point: null, steps: [], done: 0 })),
      };
      await writeWhole(path, body, true);
      return new RestoreJournal(path, body);
    } catch (error) {
      if (error instanceof RunError) throw error;
      throw new RunError(`Could not write the restore journal ${path}: ${reason(error)}. Nothing was changed.`, {
        hint: 'A restore records what it changes there first, so that a crash can be undone: make the folder writable.',
        cause: error,
      });
    }
  }

  /** Every source's swap, in the order given at `begin`, before the first step is made. */
  planned(swaps: Pick<JournalSource, 'point' | 'leftover' | 'steps'>[]): Promise<void> {
    this.body.sources = this.body.sources.map((s, index) => {
      const { point, leftover, steps } = swaps[index]!;
      return { ...s, point, steps, ...(leftover ? { leftover } : {}) };
    });
    this.body.phase = 'swapping';
    return writeWhole(this.path, this.body, true);
  }

  progress(source: number, done: number): Promise<void> {
    this.body.sources[source]!.done = done;
    return writeWhole(this.path, this.body, false);
  }

  phase(phase: JournalBody['phase']): Promise<void> {
    this.body.phase = phase;
    return writeWhole(this.path, this.body, true);
  }

  async remove(): Promise<void> {
    await unlink(this.path);
    await syncFolder(dirname(this.path));
  }
}

export interface RecoveryReport {
  /** none: no journal; left: a journal another live run (or host) owns; rolled-back / finished: settled here. */
  action: 'none' | 'left' | 'rolled-back' | 'finished';
  backupId?: string;
  sources?: string[];
  restorePoints?: string[];
  message?: string;
}

/**
 * Settles an interrupted restore of this plan, if there is one (see the
 * contract above), saying what it did through `reporter.warn`. Throws a
 * RunError when the previous state could not be put back whole: the journal
 * stays, and the next run tries again.
 */
export async function recoverInterrupted(loaded: LoadedPlan, reporter: Reporter): Promise<RecoveryReport> {
  const path = journalPath(loaded);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new RunError(`Cannot read the restore journal ${path}: ${reason(error)}`, { hint: 'Make it readable: it says how to undo an interrupted restore.' });
  });
  if (text === undefined) return { action: 'none' };
  let body: JournalBody;
  try {
    body = journalBody.parse(JSON.parse(text));
  } catch (error) {
    throw new RunError(`The restore journal ${path} is damaged (${reason(error)}): an interrupted restore may have left data half swapped.`, {
      hint: 'Look at the restore points beside the live data (names with .restorable-restore-point-) and put them back by hand, then remove the journal.',
    });
  }
  const who = `run ${body.owner.pid} on ${body.owner.host}, started ${body.started_at}`;
  if (alive(body.owner)) {
    const message = body.owner.host === hostname() ? `A restore of backup ${body.backup_id} is running (${who}); its journal is left alone.` : `A restore of backup ${body.backup_id} by another host was interrupted or is running (${who}): run restorable there to settle it.`;
    reporter.warn(message);
    return { action: 'left', backupId: body.backup_id, message };
  }
  const claim = await claimJournal(path);
  if (!claim) return { action: 'left', backupId: body.backup_id };
  try {
    return await settle(loaded, body, path, who, reporter);
  } finally {
    await claim();
  }
}

/** Two runs starting at once must not both settle a journal: an O_EXCL claim file, taken over when its run is gone. */
async function claimJournal(path: string): Promise<(() => Promise<void>) | undefined> {
  const file = `${path}.claim`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(me()));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = owner.safeParse(JSON.parse((await readFile(file, 'utf8').catch(() => 'null')) || 'null'));
      if (holder.success && alive(holder.data)) return undefined;
      // A dead claimer's file. Two runs taking it over at the same instant could both settle: every step's undo is idempotent, so that is harmless.
      await rm(file, { force: true });
    }
  }
  return undefined;
}

async function settle(loaded: LoadedPlan, body: JournalBody, path: string, who: string, reporter: Reporter): Promise<RecoveryReport> {
  const ctx: SourceContext = { planDir: loaded.dir, stagingDir: tmpdir(), reporter, signal: new AbortController().signal };
  const names = body.sources.map((s) => s.name);
  const points = body.sources.flatMap((s) => (s.point ? [`${s.name}: ${s.point}`] : []));
  const configOf = (name: string, type: string) => {
    const config = loaded.plan.sources.find((s) => s.name === name && s.type === type);
    if (!config) throw new RunError(`The interrupted restore changed source "${name}" (${type}), which the plan no longer has.`, { hint: `Put the plan's source back as it was, or settle it by hand from the journal ${path}.` });
    return config;
  };
  if (body.phase === 'swapped') {
    for (const s of body.sources) if (s.leftover) await rm(s.leftover, { recursive: true, force: true });
    await unlink(path);
    const message = `An interrupted restore of backup ${body.backup_id} (${who}) had swapped in every source (${names.join(', ')}); it stands. The health checks that need the running app may not have run: check the app.${points.length > 0 ? ` The previous state is kept at ${points.join('; ')}.` : ''}`;
    reporter.warn(message);
    return { action: 'finished', backupId: body.backup_id, sources: names, restorePoints: points, message };
  }
  const stuck: string[] = [];
  for (const s of [...body.sources].reverse()) {
    try {
      const config = configOf(s.name, s.type);
      const adapter = sourceAdapter(config);
      await adapter.undoSteps(config, s.steps, ctx);
      await adapter.discard(s.staged, config);
    } catch (error) {
      stuck.push(`${s.name}: ${reason(error)}`);
    }
  }
  if (stuck.length > 0) {
    throw new RunError(`An interrupted restore of backup ${body.backup_id} (${who}) could not be fully rolled back: ${stuck.join('; ')}. The journal ${path} is kept; the next run tries again.`, {
      hint: `The previous state is whole in its restore point${points.length > 0 ? ` (${points.join('; ')})` : ''}: if this keeps failing, move it back by hand.`,
    });
  }
  await unlink(path);
  if (body.phase === 'building') {
    const message = `A restore of backup ${body.backup_id} (${who}) was interrupted before it changed any live data; what it had built beside the live data was removed.`;
    reporter.warn(message);
    return { action: 'rolled-back', backupId: body.backup_id, sources: names, restorePoints: [], message };
  }
  const hooks = loaded.plan.hooks.pre_restore.length > 0 ? ' Its pre_restore hooks had run and its post_restore hooks did not: start the app if it is stopped.' : '';
  const message = `An interrupted restore of backup ${body.backup_id} (${who}) was rolled back: ${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} as before that restore${points.length > 0 ? ` (taken back from ${points.join('; ')})` : ''}.${hooks}`;
  reporter.warn(message);
  return { action: 'rolled-back', backupId: body.backup_id, sources: names, restorePoints: points, message };
}
