import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/errors.ts
var ExitCode = {
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
  bug: 70
};
var RestorableError = class extends Error {
  exitCode = ExitCode.failed;
  hint;
  constructor(message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
};
var RunError = class extends RestorableError {
};
var PlanError = class extends RestorableError {
  constructor(message, problems = [], options = {}) {
    super(message, options);
    this.problems = problems;
  }
  exitCode = ExitCode.invalid;
};
var UsageError = class extends RestorableError {
  exitCode = ExitCode.invalid;
};
var PolicyError = class extends RestorableError {
  exitCode = ExitCode.policy;
};
var HealthCheckError = class extends RestorableError {
  exitCode = ExitCode.healthCheck;
};
var IntegrityError = class extends RestorableError {
  exitCode = ExitCode.integrity;
};
var RefusedError = class extends RestorableError {
  exitCode = ExitCode.refused;
};
var NotFoundError = class extends RestorableError {
  exitCode = ExitCode.notFound;
};
var LockedError = class extends RestorableError {
  exitCode = ExitCode.locked;
};
var KeyError = class extends RestorableError {
  exitCode = ExitCode.key;
};
var StaleError = class extends RestorableError {
  exitCode = ExitCode.stale;
};
var InterruptedError = class extends RestorableError {
  exitCode = ExitCode.interrupted;
};
function reason(error) {
  if (error instanceof Error) {
    const code = error.code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
function ioHint(error) {
  switch (error?.code) {
    case "ENOSPC":
      return "The disk is full. Free space there (or point the target elsewhere) and run again; nothing was committed.";
    case "EACCES":
    case "EPERM":
      return "Permission denied. Check the owner and mode of that path for the user running restorable.";
    case "EROFS":
      return "The file system is read-only. Mount it read-write or choose another path.";
    case "ENOENT":
      return "The path does not exist. Check the plan (relative paths are relative to the plan file), and that the drive or volume is mounted.";
    default:
      return void 0;
  }
}
function isDiskFull(error) {
  const code = error?.code;
  return code === "ENOSPC" || code === "SQLITE_FULL" || /No space left on device|database or disk is full/i.test(reason(error));
}
function stagingFullHint(dir) {
  const parts = dir.split("/");
  const run = parts.findLastIndex((p) => p.startsWith("restorable-"));
  const root = run > 0 ? parts.slice(0, run).join("/") || "/" : dir;
  return `The disk holding the staging folder ${root} is full: the snapshot is written there before it is packed. Free space on it, or point --staging (or TMPDIR) at a disk with room for the snapshot; nothing was committed.`;
}

export {
  ExitCode,
  RestorableError,
  RunError,
  PlanError,
  UsageError,
  PolicyError,
  HealthCheckError,
  IntegrityError,
  RefusedError,
  NotFoundError,
  LockedError,
  KeyError,
  StaleError,
  InterruptedError,
  reason,
  ioHint,
  isDiskFull,
  stagingFullHint
};
