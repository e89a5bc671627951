/**
 * Every error a user can cause or meet is one of these classes. Each carries a
 * stable exit code (documented in the README) and a hint that says what to do.
 * The CLI prints `message` and `hint`, never a stack trace, for these; anything
 * else reaching the top is a bug and is reported as one.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  invalid: 2,
  policy: 3,
  healthCheck: 4,
  integrity: 5,
  refused: 6,
  notFound: 7,
  locked: 8,
  key: 9,
  stale: 10,
  interrupted: 130,
  bug: 70,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class RestorableError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.failed;
  readonly hint: string | undefined;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Something went wrong while running: I/O, a tool, a source or target. */
export class RunError extends RestorableError {}

/** The plan file or the command line is wrong. */
export class PlanError extends RestorableError {
  override readonly exitCode = ExitCode.invalid;
  constructor(
    message: string,
    readonly problems: readonly PlanProblem[] = [],
    options: { hint?: string } = {},
  ) {
    super(message, options);
  }
}

export interface PlanProblem {
  /** file:line:column, or just the file when no position is known */
  where: string;
  /** dotted key path inside the plan, e.g. `sources[1].path` */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export class UsageError extends RestorableError {
  override readonly exitCode = ExitCode.invalid;
}

/** The 3-2-1 (or custom) policy is not met by the copies that were written. */
export class PolicyError extends RestorableError {
  override readonly exitCode = ExitCode.policy;
}

/** A health check failed after a restore; the restore point was put back. */
export class HealthCheckError extends RestorableError {
  override readonly exitCode = ExitCode.healthCheck;
}

/** Stored bytes are not what the manifest says, or an artifact is unsafe. */
export class IntegrityError extends RestorableError {
  override readonly exitCode = ExitCode.integrity;
}

/** A restore that needs an explicit flag to go on (another app or schema version). */
export class RefusedError extends RestorableError {
  override readonly exitCode = ExitCode.refused;
}

export class NotFoundError extends RestorableError {
  override readonly exitCode = ExitCode.notFound;
}

/** Another run of the plan holds the lock on a target (or a stale lock needs --break-lock). */
export class LockedError extends RestorableError {
  override readonly exitCode = ExitCode.locked;
}

/** An encrypted backup cannot be opened: no identity or passphrase, or not the right one. */
export class KeyError extends RestorableError {
  override readonly exitCode = ExitCode.key;
}

/** `status`: an objective is missed (the newest good backup is older than the RPO, a drill failed, is too old or too slow). */
export class StaleError extends RestorableError {
  override readonly exitCode = ExitCode.stale;
}

export class InterruptedError extends RestorableError {
  override readonly exitCode = ExitCode.interrupted;
}

/** A short reason for any thrown value, for wrapping errors into sentences. */
export function reason(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/** A hint for the common system errors, so an I/O failure says what to do. */
export function ioHint(error: unknown): string | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOSPC':
      return 'The disk is full. Free space there (or point the target elsewhere) and run again; nothing was committed.';
    case 'EACCES':
    case 'EPERM':
      return 'Permission denied. Check the owner and mode of that path for the user running restorable.';
    case 'EROFS':
      return 'The file system is read-only. Mount it read-write or choose another path.';
    case 'ENOENT':
      return 'The path does not exist. Check the plan (relative paths are relative to the plan file), and that the drive or volume is mounted.';
    default:
      return undefined;
  }
}

/** Whether `error` says a disk filled up: ENOSPC from Node, SQLITE_FULL, or a tool's own words for it. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ENOSPC' || code === 'SQLITE_FULL' || /No space left on device|database or disk is full/i.test(reason(error));
}

/**
 * The hint for a disk that filled under a run's staging folder `dir`, where
 * snapshots and dumps are written before packing. It names the folder the
 * user chose (--staging or TMPDIR): the parent of the run's `restorable-*` folder.
 */
export function stagingFullHint(dir: string): string {
  const parts = dir.split('/');
  const run = parts.findLastIndex((p) => p.startsWith('restorable-'));
  const root = run > 0 ? parts.slice(0, run).join('/') || '/' : dir;
  return `The disk holding the staging folder ${root} is full: the snapshot is written there before it is packed. Free space on it, or point --staging (or TMPDIR) at a disk with room for the snapshot; nothing was committed.`;
}
