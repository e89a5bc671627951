import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  listBackups,
  readText
} from "./chunk-2DH6G5LH.js";
import {
  TEMP_PREFIX
} from "./chunk-23TMSUQ2.js";
import {
  external_exports
} from "./chunk-QVOAAX5T.js";
import {
  InterruptedError,
  LockedError,
  NotFoundError,
  RunError,
  ioHint,
  reason
} from "./chunk-WHVU3KGO.js";

// src/pipeline/leftovers.ts
import { posix } from "node:path";

// src/util/staging.ts
import { chmod, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// src/util/process-identity.ts
import { createHash } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
function read(path) {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}
function processStart(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return void 0;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}
var machine;
function machineTag() {
  if (machine !== void 0) return machine;
  const id = read("/etc/machine-id") || read("/var/lib/dbus/machine-id");
  const boot = read("/proc/sys/kernel/random/boot_id");
  let ns = "";
  try {
    ns = readlinkSync("/proc/self/ns/pid");
  } catch {
  }
  machine = id && boot && ns ? createHash("sha256").update(`${id}
${boot}
${ns}`).digest("hex").slice(0, 12) : "";
  return machine;
}
function selfIdentity() {
  return { pid: process.pid, start: processStart(process.pid) ?? "", machine: machineTag() };
}
function provablyDead(run) {
  const here = machineTag();
  if (!here || !run.machine || run.machine !== here || !run.start) return false;
  if (!read("/proc/self/stat")) return false;
  const now = processStart(run.pid);
  return now === void 0 || now !== run.start;
}

// src/util/staging.ts
var NAME = /^restorable-(backup|restore|drill)-([0-9a-f]{12})-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;
function stagingRootOf(root) {
  return root ?? tmpdir();
}
async function makeStaging(root, kind) {
  const at = stagingRootOf(root);
  const self = selfIdentity();
  const owner = self.machine && self.start ? `${self.machine}-${self.pid}-${self.start}` : `x-${self.pid}`;
  try {
    await mkdir(at, { recursive: true });
    const dir = await mkdtemp(join(at, `restorable-${kind}-${owner}-`));
    await chmod(dir, 448);
    return dir;
  } catch (error) {
    throw new RunError(`Cannot make a staging folder in ${at}: ${reason(error)}`, { hint: ioHint(error) ?? "Point --staging at a writable folder.", cause: error });
  }
}
async function clearDeadStaging(root) {
  const at = stagingRootOf(root);
  const entries = await readdir(at).catch(() => []);
  const cleared = [];
  for (const name of entries) {
    const match = NAME.exec(name);
    if (!match) continue;
    const [, , machine2, pid, start] = match;
    if (!provablyDead({ pid: Number(pid), start, machine: machine2 })) continue;
    const path = join(at, name);
    if (await rm(path, { recursive: true, force: true }).then(() => true, () => false)) cleared.push(path);
  }
  return cleared;
}

// src/pipeline/leftovers.ts
var TEMP_SAFE_AGE_MS = 36e5;
var isTemp = (key) => posix.basename(key).startsWith(TEMP_PREFIX);
async function clearTarget(plan, held, now) {
  const { target, deadRunCleared } = held;
  const inBackup = (key) => key.startsWith(`${plan}/`) && !key.startsWith(`${plan}/locks/`);
  const objects = await target.list(`${plan}/`);
  const temp = objects.filter((o) => isTemp(o.key) && (deadRunCleared && inBackup(o.key) || now.getTime() - o.modified.getTime() > TEMP_SAFE_AGE_MS)).map((o) => o.key);
  const incomplete = [];
  if (deadRunCleared) {
    for (const backup of await listBackups(target, plan)) {
      if (backup.complete) continue;
      await target.remove(backup.objects.map((o) => o.key));
      incomplete.push(backup.id);
    }
  }
  const rest = temp.filter((key) => !incomplete.some((id) => key.startsWith(`${plan}/${id}/`)));
  await target.remove(rest);
  const empty = await target.removeEmptyFolders?.(`${plan}/`, ["locks"]) ?? [];
  return { temp: rest, incomplete: [...incomplete, ...empty.filter((name) => !incomplete.includes(name))] };
}
async function clearLeftovers(options) {
  const { reporter } = options;
  const now = options.now ?? /* @__PURE__ */ new Date();
  const staging = await clearDeadStaging(options.stagingRoot);
  if (staging.length > 0) reporter.warn(`Cleared ${staging.length} staging folder(s) left by runs that died on this machine: ${staging.join(", ")}`);
  const targets = [];
  for (const held of options.held) {
    try {
      const cleared = await clearTarget(options.plan, held, now);
      targets.push({ target: held.target.name, ...cleared });
      const said = [
        ...cleared.incomplete.length > 0 ? [`incomplete backup(s) ${cleared.incomplete.join(", ")}`] : [],
        ...cleared.temp.length > 0 ? [`${cleared.temp.length} temporary file(s)`] : []
      ];
      if (said.length > 0) reporter.warn(`Cleared what a dead run left on target "${held.target.name}": ${said.join(" and ")}.`);
    } catch (error) {
      reporter.warn(`Could not clear what dead runs left on target "${held.target.name}": ${reason(error)}`);
    }
  }
  return { staging, targets };
}

// src/pipeline/lock.ts
import { randomBytes } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
var SETTLE_MS = 2e3;
var POLL_MS = 1e3;
var lockBody = external_exports.object({
  run_id: external_exports.string(),
  owner: external_exports.string(),
  host: external_exports.string(),
  pid: external_exports.number().int(),
  started_at: external_exports.string(),
  command: external_exports.string(),
  /** The kernel's start time of `pid` and the machine tag (util/process-identity.ts): with both, a dead run is told from a live one. Absent in locks of older versions. */
  pid_start: external_exports.string().optional(),
  machine: external_exports.string().optional()
});
var lockKey = (plan, runId) => `${plan}/locks/${runId}.json`;
function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
function heldByDeadRun(lock, host = hostname()) {
  return lock.host === host && provablyDead({ pid: lock.pid, start: lock.pid_start, machine: lock.machine });
}
function staleness(lock, now, staleAfterMs, host = hostname()) {
  if (lock.host === host && !pidAlive(lock.pid)) return `its process ${lock.pid} on ${host} is gone`;
  const age = now.getTime() - Date.parse(lock.started_at);
  if (age > staleAfterMs) return `it is older than ${Math.round(staleAfterMs / 6e4)} minutes`;
  return void 0;
}
function describeLock(lock) {
  return `${lock.command} by ${lock.owner}@${lock.host} (pid ${lock.pid}, since ${lock.started_at}, run ${lock.run_id})`;
}
async function readLocks(target, plan) {
  const objects = (await target.list(`${plan}/locks/`)).filter((o) => o.key.endsWith(".json"));
  const read2 = await Promise.all(
    objects.map(async ({ key }) => {
      let text;
      try {
        text = await readText(target, key);
      } catch (error) {
        if (error instanceof NotFoundError) return void 0;
        throw error;
      }
      try {
        const parsed = lockBody.safeParse(JSON.parse(text));
        return parsed.success ? { key, body: parsed.data } : { key, unreadable: "it is not a lock restorable wrote" };
      } catch {
        return { key, unreadable: "it is not valid JSON" };
      }
    })
  );
  return read2.filter((l) => l !== void 0);
}
var LockWriteError = class extends Error {
};
async function attempt(target, mine, options, now) {
  const key = lockKey(options.plan, mine.run_id);
  await target.put(key, Readable.from([Buffer.from(`${JSON.stringify(mine, null, 2)}
`)])).catch((error) => {
    throw new LockWriteError(reason(error));
  });
  let others;
  try {
    others = (await readLocks(target, options.plan)).filter((l) => l.key !== key);
  } catch (error) {
    await target.remove([key]).catch(() => void 0);
    throw error;
  }
  if (others.length === 0) return { won: true };
  await target.remove([key]);
  const dead = others.flatMap((l) => l.body && heldByDeadRun(l.body) ? [{ key: l.key, body: l.body }] : []);
  if (dead.length > 0) return { won: false, contention: false, holders: [], stale: [], dead };
  const stale = others.flatMap((l) => {
    const why = l.body ? staleness(l.body, now, options.staleAfterMs) : `${l.key} cannot be read: ${l.unreadable}`;
    return why ? [{ key: l.key, ...l.body ? { body: l.body } : {}, why }] : [];
  });
  const live = others.flatMap((l) => l.body && !stale.some((s) => s.key === l.key) ? [l.body] : []);
  const age = (l) => now.getTime() - Date.parse(l.started_at);
  const contention = live.length > 0 && stale.length === 0 && live.every((l) => age(l) >= 0 && age(l) < SETTLE_MS);
  return { won: false, contention, holders: live, stale, dead: [] };
}
async function lockTarget(target, mine, options, deadline) {
  const now = options.now ?? (() => /* @__PURE__ */ new Date());
  let cleared = false;
  for (; ; ) {
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
      for (const s of result.stale) options.reporter.warn(`Breaking the stale lock on target "${target.name}" (${s.why})${s.body ? `: ${describeLock(s.body)}` : ""}.`);
      await target.remove(result.stale.map((s) => s.key));
      cleared = true;
      continue;
    }
    if (result.contention) {
      await sleep(50 + Math.floor(Math.random() * 400), void 0, { signal: options.signal });
      continue;
    }
    if (Date.now() < deadline && result.stale.length === 0) {
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())), void 0, { signal: options.signal });
      continue;
    }
    throw lockedError(target, options, result);
  }
}
function lockedError(target, options, result) {
  if (result.stale.length > 0) {
    return new LockedError(
      `Target "${target.name}" holds a stale lock of plan "${options.plan}": ${result.stale.map((s) => s.body ? `${describeLock(s.body)}, stale because ${s.why}` : s.why).join("; ")}.`,
      { hint: "If that run is really gone, run again with --break-lock (it removes stale locks only); `restorable verify` then checks what it left. Nothing was done." }
    );
  }
  return new LockedError(`Another run of plan "${options.plan}" holds target "${target.name}": ${result.holders.map(describeLock).join("; ")}.`, {
    hint: `Wait for it to finish, or pass --wait 30m to wait for it. Nothing was done by this ${options.command}.`
  });
}
async function acquireLocks(targets, options) {
  const now = options.now ?? (() => /* @__PURE__ */ new Date());
  const self = selfIdentity();
  const mine = {
    run_id: `${now().toISOString().replace(/[-:.]/g, "")}-${randomBytes(4).toString("hex")}`,
    owner: safeUser(),
    host: hostname(),
    pid: process.pid,
    started_at: now().toISOString(),
    command: options.command,
    ...self.start && self.machine ? { pid_start: self.start, machine: self.machine } : {}
  };
  const deadline = Date.now() + options.waitMs;
  const taken = [];
  const release = async () => {
    for (const { target } of taken.splice(0)) {
      await target.remove([lockKey(options.plan, mine.run_id)]).catch((error) => options.reporter.warn(`Could not release the lock on target "${target.name}": ${reason(error)}`));
    }
  };
  try {
    for (const target of targets) {
      if (target.lockable === false) {
        options.reporter.debug(`Target "${target.name}" takes no lock (${target.type}); the workflow's concurrency group keeps runs apart there.`);
        continue;
      }
      try {
        await target.probe();
        const deadRunCleared = await lockTarget(target, mine, options, deadline);
        taken.push({ target, deadRunCleared });
      } catch (error) {
        if (error instanceof LockedError || options.signal.aborted) throw error;
        if (await target.probe().then(() => true, () => false)) {
          const doing = error instanceof LockWriteError ? "write the lock" : "read the locks";
          throw new RunError(`Could not ${doing} on target "${target.name}": ${reason(error)}`, { hint: "Another run may be using it; nothing was done. Check the target, then run again.", cause: error });
        }
        options.reporter.warn(`Could not lock target "${target.name}" (${reason(error)}); going on without it: this run cannot use that target anyway.`);
      }
    }
  } catch (error) {
    await release();
    throw error;
  }
  options.reporter.debug(`Locked ${taken.map((t) => t.target.name).join(", ")} as run ${mine.run_id}`);
  return { release, targets: [...taken] };
}
function safeUser() {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? "unknown");
  }
}

// src/commands/locked.ts
async function withLock(loaded, targets, command, input, io, run) {
  let held;
  try {
    held = await acquireLocks(targets, {
      plan: loaded.plan.name,
      command,
      staleAfterMs: loaded.plan.locks.stale_after,
      breakLock: input.breakLock,
      waitMs: input.waitMs,
      reporter: io.reporter,
      signal: io.signal
    });
  } catch (error) {
    if (io.signal.aborted) throw new InterruptedError("Interrupted while waiting for the lock: nothing was done.");
    throw error;
  }
  try {
    if (!input.dryRun) await clearLeftovers({ plan: loaded.plan.name, held: held.targets, stagingRoot: input.stagingRoot, reporter: io.reporter });
    return await run();
  } finally {
    await held.release();
  }
}

export {
  makeStaging,
  withLock
};
