/**
 * Locks against concurrent runs of one plan: two backups, or a backup and a
 * restore, prune or drill, never run at once against the same target.
 *
 * A lock is an object `<plan>/locks/<run id>.json` written through the Target
 * interface (put/list/get/remove), so it works on any store whose listing
 * shows a finished put (local folders, S3 and SFTP do). The protocol, per
 * target in plan order:
 *   write mine; list; if no other live lock is there, the lock is mine.
 *   Otherwise remove mine: if every other lock is younger than SETTLE_MS it
 *   may be a run starting at the same moment, so back off a random while and
 *   try again; else the target is held: wait (--wait) or fail (exit 8).
 * Two runs cannot both win: whichever wrote second lists after its own write,
 * which is after the first one's write, and sees it.
 *
 * A lock whose run is provably dead is taken over, with a warning naming
 * that run: it was taken on this machine (same host name, and the same
 * machine, boot and pid namespace: util/process-identity.ts) and no process
 * with its pid and kernel start time exists (a reused pid has another start
 * time). What such a run left is then cleared (pipeline/leftovers.ts).
 *
 * Any other lock is stale when its owner ran on this host and that pid is
 * gone (a lock of an older version, without a start time), or it is older
 * than `locks.stale_after` (6h by default); a file under locks/ that is not a
 * readable lock counts as stale too. A stale lock still blocks (a run on
 * another host may be alive, and only a person can tell); it is named, and
 * `--break-lock` removes stale locks, never live ones.
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { LockedError, NotFoundError, RunError, reason } from '../errors.js';
import { readText } from '../artifacts/catalog.js';
import type { Reporter } from '../report/reporter.js';
import type { Target } from '../targets/target.js';
import { provablyDead, selfIdentity } from '../util/process-identity.js';
import type { HeldTarget } from './leftovers.js';

const SETTLE_MS = 2_000;
const POLL_MS = 1_000;

export const lockBody = z.object({
  run_id: z.string(),
  owner: z.string(),
  host: z.string(),
  pid: z.number().int(),
  started_at: z.string(),
  command: z.string(),
  /** The kernel's start time of `pid` and the machine tag (util/process-identity.ts): with both, a dead run is told from a live one. Absent in locks of older versions. */
  pid_start: z.string().optional(),
  machine: z.string().optional(),
});
export type LockBody = z.infer<typeof lockBody>;

export interface LockOptions {
  plan: string;
  command: string;
  staleAfterMs: number;
  breakLock: boolean;
  /** How long to wait for a held lock, in ms; 0 fails at once. */
  waitMs: number;
  reporter: Reporter;
  signal: AbortSignal;
  now?: () => Date;
}

export interface Held {
  release(): Promise<void>;
  /** The targets locked, each with whether a dead run's lock was removed there (its leftovers can then be cleared at once). */
  targets: HeldTarget[];
}

const lockKey = (plan: string, runId: string) => `${plan}/locks/${runId}.json`;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock's run is certainly gone: taken on this very machine, and its process is not there. */
export function heldByDeadRun(lock: LockBody, host = hostname()): boolean {
  return lock.host === host && provablyDead({ pid: lock.pid, start: lock.pid_start, machine: lock.machine });
}

/** Why a lock is stale, or undefined when its owner may still be running. */
export function staleness(lock: LockBody, now: Date, staleAfterMs: number, host = hostname()): string | undefined {
  if (lock.host === host && !pidAlive(lock.pid)) return `its process ${lock.pid} on ${host} is gone`;
  const age = now.getTime() - Date.parse(lock.started_at);
  if (age > staleAfterMs) return `it is older than ${Math.round(staleAfterMs / 60_000)} minutes`;
  return undefined;
}

export function describeLock(lock: LockBody): string {
  return `${lock.command} by ${lock.owner}@${lock.host} (pid ${lock.pid}, since ${lock.started_at}, run ${lock.run_id})`;
}

/** A lock file as read: its body, or why it could not be read as one (such a file blocks like a stale lock). */
interface ReadLock {
  key: string;
  body?: LockBody;
  unreadable?: string;
}

async function readLocks(target: Target, plan: string): Promise<ReadLock[]> {
  const objects = (await target.list(`${plan}/locks/`)).filter((o) => o.key.endsWith('.json'));
  const read = await Promise.all(
    objects.map(async ({ key }): Promise<ReadLock | undefined> => {
      let text: string;
      try {
        text = await readText(target, key);
      } catch (error) {
        // Released between list and get: not a lock any more.
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
      // Locks are written whole (put is atomic on every lockable target): a file that does not parse was never one of ours, or was damaged.
      try {
        const parsed = lockBody.safeParse(JSON.parse(text));
        return parsed.success ? { key, body: parsed.data } : { key, unreadable: 'it is not a lock restorable wrote' };
      } catch {
        return { key, unreadable: 'it is not valid JSON' };
      }
    }),
  );
  return read.filter((l) => l !== undefined);
}

/** Our lock could not be written: when the target's probe fails too, the run cannot write there either and leaves it out. */
class LockWriteError extends Error {}

type Stale = { key: string; body?: LockBody; why: string };
type Dead = { key: string; body: LockBody };
type Attempt = { won: true } | { won: false; contention: boolean; holders: LockBody[]; stale: Stale[]; dead: Dead[] };

async function attempt(target: Target, mine: LockBody, options: LockOptions, now: Date): Promise<Attempt> {
  const key = lockKey(options.plan, mine.run_id);
  await target.put(key, Readable.from([Buffer.from(`${JSON.stringify(mine, null, 2)}\n`)])).catch((error: unknown) => {
    throw new LockWriteError(reason(error));
  });
  let others: ReadLock[];
  try {
    others = (await readLocks(target, options.plan)).filter((l) => l.key !== key);
  } catch (error) {
    await target.remove([key]).catch(() => undefined);
    throw error;
  }
  if (others.length === 0) return { won: true };
  await target.remove([key]);
  const dead = others.flatMap((l): Dead[] => (l.body && heldByDeadRun(l.body) ? [{ key: l.key, body: l.body }] : []));
  if (dead.length > 0) return { won: false, contention: false, holders: [], stale: [], dead };
  const stale = others.flatMap((l): Stale[] => {
    const why = l.body ? staleness(l.body, now, options.staleAfterMs) : `${l.key} cannot be read: ${l.unreadable}`;
    return why ? [{ key: l.key, ...(l.body ? { body: l.body } : {}), why }] : [];
  });
  const live = others.flatMap((l) => (l.body && !stale.some((s) => s.key === l.key) ? [l.body] : []));
  // Only a lock taken in the last moments (not one dated in the future: clocks differ) can be a run starting at the same time.
  const age = (l: LockBody) => now.getTime() - Date.parse(l.started_at);
  const contention = live.length > 0 && stale.length === 0 && live.every((l) => age(l) >= 0 && age(l) < SETTLE_MS);
  return { won: false, contention, holders: live, stale, dead: [] };
}

/** Takes the lock on one target; true when a dead run's lock was removed on the way. */
async function lockTarget(target: Target, mine: LockBody, options: LockOptions, deadline: number): Promise<boolean> {
  const now = options.now ?? (() => new Date());
  let cleared = false;
  for (;;) {
    options.signal.throwIfAborted();
    const result = await attempt(target, mine, options, now());
    if (result.won) return cleared;
    if (result.dead.length > 0) {
      for (const d of result.dead) options.reporter.warn(`Taking over the lock on target "${target.name}" from a run that died: ${describeLock(d.body)}; its process is gone. What it left is cleared next.`);
      await target.remove(result.dead.map((d) => d.key));
      cleared = true;
      continue;
    }
    if (result.stale.length > 0 && options.breakLock) {
      for (const s of result.stale) options.reporter.warn(`Breaking the stale lock on target "${target.name}" (${s.why})${s.body ? `: ${describeLock(s.body)}` : ''}.`);
      await target.remove(result.stale.map((s) => s.key));
      cleared = true;
      continue;
    }
    if (result.contention) {
      await sleep(50 + Math.floor(Math.random() * 400), undefined, { signal: options.signal });
      continue;
    }
    if (Date.now() < deadline && result.stale.length === 0) {
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), undefined, { signal: options.signal });
      continue;
    }
    throw lockedError(target, options, result);
  }
}

function lockedError(target: Target, options: LockOptions, result: Extract<Attempt, { won: false }>): LockedError {
  if (result.stale.length > 0) {
    return new LockedError(
      `Target "${target.name}" holds a stale lock of plan "${options.plan}": ${result.stale.map((s) => (s.body ? `${describeLock(s.body)}, stale because ${s.why}` : s.why)).join('; ')}.`,
      { hint: 'If that run is really gone, run again with --break-lock (it removes stale locks only); `restorable verify` then checks what it left. Nothing was done.' },
    );
  }
  return new LockedError(`Another run of plan "${options.plan}" holds target "${target.name}": ${result.holders.map(describeLock).join('; ')}.`, {
    hint: `Wait for it to finish, or pass --wait 30m to wait for it. Nothing was done by this ${options.command}.`,
  });
}

/**
 * Takes the lock on every target, in plan order, or none: a target that
 * cannot be reached is skipped with a warning (nothing can be written there
 * either), a held one releases what was taken and throws LockedError.
 */
export async function acquireLocks(targets: Target[], options: LockOptions): Promise<Held> {
  const now = options.now ?? (() => new Date());
  const self = selfIdentity();
  const mine: LockBody = {
    run_id: `${now().toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`,
    owner: safeUser(),
    host: hostname(),
    pid: process.pid,
    started_at: now().toISOString(),
    command: options.command,
    ...(self.start && self.machine ? { pid_start: self.start, machine: self.machine } : {}),
  };
  const deadline = Date.now() + options.waitMs;
  const taken: HeldTarget[] = [];
  const release = async () => {
    for (const { target } of taken.splice(0)) {
      await target.remove([lockKey(options.plan, mine.run_id)]).catch((error: unknown) => options.reporter.warn(`Could not release the lock on target "${target.name}": ${reason(error)}`));
    }
  };
  try {
    for (const target of targets) {
      if (target.lockable === false) {
        options.reporter.debug(`Target "${target.name}" takes no lock (${target.type}); the workflow's concurrency group keeps runs apart there.`);
        continue;
      }
      try {
        // Probe first: a put would create a missing root (an unmounted drive) on the system disk.
        await target.probe();
        const deadRunCleared = await lockTarget(target, mine, options, deadline);
        taken.push({ target, deadRunCleared });
      } catch (error) {
        if (error instanceof LockedError || options.signal.aborted) throw error;
        // A target that still probes fine is one this run would write its backup to: going on
        // unlocked there could make two holders. Not written: a passing fault or a race with
        // another run; written but not readable back: other runs' locks cannot be seen.
        if (await target.probe().then(() => true, () => false)) {
          const doing = error instanceof LockWriteError ? 'write the lock' : 'read the locks';
          throw new RunError(`Could not ${doing} on target "${target.name}": ${reason(error)}`, { hint: 'Another run may be using it; nothing was done. Check the target, then run again.', cause: error });
        }
        options.reporter.warn(`Could not lock target "${target.name}" (${reason(error)}); going on without it: this run cannot use that target anyway.`);
      }
    }
  } catch (error) {
    await release();
    throw error;
  }
  options.reporter.debug(`Locked ${taken.map((t) => t.target.name).join(', ')} as run ${mine.run_id}`);
  return { release, targets: [...taken] };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}
