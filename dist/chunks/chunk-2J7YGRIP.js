import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  external_exports
} from "./chunk-QVOAAX5T.js";
import {
  RunError,
  reason
} from "./chunk-WHVU3KGO.js";

// src/util/duration.ts
var clock = /^(\d+)(ms|s|m|h)$/;
var unitMs = { ms: 1, s: 1e3, m: 6e4, h: 36e5 };
function parseClockDuration(text) {
  const match = clock.exec(text.trim());
  if (!match) return void 0;
  return Number(match[1]) * unitMs[match[2]];
}
var clockDuration = external_exports.string().regex(clock, { error: "expected a duration such as 500ms, 3s, 2m or 1h" }).transform((text) => parseClockDuration(text));
var calendar = /^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?$/;
function parseCalendarSpan(text) {
  const match = calendar.exec(text.trim());
  if (!match || text.trim() === "") return void 0;
  const [, y, m, w, d, h] = match.map((part) => Number(part ?? 0));
  return { years: y, months: m, days: d + 7 * w, hours: h };
}
var calendarSpan = external_exports.string().regex(calendar, { error: "expected a span such as 14d, 6m (months), 1y or 2y6m" }).refine((text) => text.trim() !== "", { error: "expected a span such as 14d, 6m (months), 1y or 2y6m" });
function subtractSpan(from, span) {
  const d = new Date(from.getTime());
  d.setUTCFullYear(d.getUTCFullYear() - span.years, d.getUTCMonth() - span.months, d.getUTCDate() - span.days);
  d.setUTCHours(d.getUTCHours() - span.hours);
  return d;
}

// src/notify/config.ts
var EVENTS = ["failure", "success", "policy-not-met", "drill-failed", "stale", "recovered"];
var notifyEvent = external_exports.enum(EVENTS);
var DEFAULT_EVENTS = ["failure", "policy-not-met", "drill-failed", "stale", "recovered"];
var NOTIFYING_COMMANDS = ["backup", "drill", "restore", "verify", "prune", "status"];
var httpUrl = external_exports.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL (write secrets in it as ${VAR})" });
var argv = external_exports.array(external_exports.string().min(1)).min(1, { error: 'expected a command as an argument array, e.g. ["./scripts/notify.sh"]' });
var base = {
  /** Names the notifier in warnings; defaults to its type and position. */
  name: external_exports.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/).optional(),
  on: external_exports.array(notifyEvent).min(1).default(DEFAULT_EVENTS),
  timeout: clockDuration.prefault("10s")
};
var webhookFormat = external_exports.enum(["json", "slack", "discord", "gotify", "ntfy", "teams"]);
var webhook = external_exports.strictObject({
  ...base,
  type: external_exports.literal("webhook"),
  url: httpUrl,
  format: webhookFormat.default("json"),
  /** Extra request headers, e.g. {Authorization: "Bearer ${NTFY_TOKEN}"}. */
  headers: external_exports.record(external_exports.string().min(1), external_exports.string()).default({})
});
var ping = external_exports.strictObject({
  name: base.name,
  timeout: base.timeout,
  type: external_exports.literal("ping"),
  url: httpUrl.optional(),
  start: httpUrl.optional(),
  success: httpUrl.optional(),
  fail: httpUrl.optional(),
  method: external_exports.enum(["post", "get"]).default("post"),
  commands: external_exports.array(external_exports.enum(NOTIFYING_COMMANDS)).min(1).default(["backup"])
}).refine((p) => p.url !== void 0 || p.success !== void 0 || p.fail !== void 0, { error: "give url (healthchecks.io style) or success/fail URLs" });
var email = external_exports.strictObject({
  ...base,
  type: external_exports.literal("email"),
  smtp: external_exports.strictObject({
    host: external_exports.string().min(1),
    port: external_exports.int().min(1).max(65535).optional(),
    security: external_exports.enum(["tls", "starttls", "none"]).default("starttls"),
    user: external_exports.string().min(1).optional(),
    password: external_exports.string().min(1).optional(),
    /** A PEM file of the CA that signed the server's certificate (a private CA); relative to the plan. */
    ca_file: external_exports.string().min(1).optional()
  }),
  from: external_exports.string().min(3),
  to: external_exports.array(external_exports.string().min(3)).min(1)
});
var command = external_exports.strictObject({ ...base, type: external_exports.literal("command"), command: argv });
var notifierConfig = external_exports.discriminatedUnion("type", [webhook, ping, email, command]);
var metricsConfig = external_exports.strictObject({
  pushgateway: httpUrl.optional(),
  /** The `job` of the push; default `restorable`. */
  job: external_exports.string().regex(/^[a-zA-Z_][a-zA-Z0-9_-]*$/).default("restorable"),
  /** The `instance` of the push; default the host name. */
  instance: external_exports.string().min(1).optional()
});

// src/util/spawn.ts
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { Duplex, Readable, Writable } from "node:stream";
var STDERR_LIMIT = 16 * 1024;
var setprivFound;
function findable(command2) {
  const runnable = (path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (command2.includes("/")) return runnable(command2);
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && runnable(join(dir, command2)));
}
function tiedToParent(command2, args) {
  setprivFound ??= process.platform === "linux" && hasCommand("setpriv");
  if (!setprivFound || !findable(command2)) return [command2, [...args]];
  return ["setpriv", ["--pdeathsig", "TERM", "--", command2, ...args]];
}
function spawnTied(command2, args, options) {
  const [file, argv2] = tiedToParent(command2, args);
  return spawn(file, argv2, options);
}
function endGroup(child) {
  if (child.pid === void 0 || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    child.kill("SIGTERM");
  }
}
function collect(stream) {
  let text = "";
  stream?.on("data", (chunk) => {
    if (text.length < STDERR_LIMIT) text += chunk.toString("utf8");
  });
  return () => text.trim();
}
function exitOf(child) {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}
function outputOf(child, command2, what) {
  const stderr = collect(child.stderr);
  const exit = exitOf(child);
  exit.catch(() => void 0);
  async function* output() {
    for await (const chunk of child.stdout) yield chunk;
    const { code, signal } = await exit.catch((error) => {
      throw new RunError(`${what}: cannot run ${command2}: ${reason(error)}`, { hint: `Install ${command2}, or check PATH.` });
    });
    if (code !== 0) throw new RunError(`${what}: ${command2} failed (${signal ?? `exit ${code}`}): ${stderr() || "no message"}`);
  }
  const readable = Readable.from(output(), { objectMode: false });
  readable.on("close", () => endGroup(child));
  return readable;
}
function spawnReader(command2, args, what) {
  return outputOf(spawnTied(command2, args, { stdio: ["ignore", "pipe", "pipe"], detached: true }), command2, what);
}
function spawnFedReader(command2, args, what, feed) {
  const child = spawnTied(command2, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
  const output = outputOf(child, command2, what);
  try {
    feed(child.stdin);
  } finally {
    child.stdin.destroy();
  }
  return output;
}
function spawnTransform(command2, args, what) {
  const child = spawnTied(command2, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
  const stdin = child.stdin;
  stdin.on("error", () => void 0);
  const input = new Writable({
    highWaterMark: 1 << 20,
    write(chunk, _encoding, callback) {
      if (stdin.destroyed || !stdin.writable) return callback();
      if (stdin.write(chunk)) return callback();
      const done = () => {
        stdin.off("drain", done).off("close", done);
        callback();
      };
      stdin.once("drain", done).once("close", done);
    },
    final(callback) {
      stdin.end();
      callback();
    }
  });
  const duplex = Duplex.from({ writable: input, readable: outputOf(child, command2, what) });
  duplex.on("close", () => endGroup(child));
  return duplex;
}
var KILL_GRACE_MS = 3e3;
function signalGroup(child, signal) {
  if (child.pid === void 0) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
  }
}
async function runCommand(argv2, options) {
  const [command2, ...args] = argv2;
  const child = spawn(command2, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const exited = new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  let timedOut = false;
  let killer;
  const stop = () => {
    signalGroup(child, "SIGTERM");
    killer ??= setTimeout(() => signalGroup(child, "SIGKILL"), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    const { code, signal } = await exited;
    await Promise.race([new Promise((resolve) => child.once("close", resolve)), new Promise((resolve) => setTimeout(resolve, 200))]);
    if (timedOut) signalGroup(child, "SIGKILL");
    return { code, signal, stdout: stdout(), stderr: stderr(), timedOut };
  } finally {
    clearTimeout(timer);
    clearTimeout(killer);
    options.signal?.removeEventListener("abort", stop);
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
}
function hasCommand(command2, versionFlag = "--version") {
  const result = spawnSync(command2, [versionFlag], { stdio: "ignore", timeout: 5e3 });
  return result.error === void 0 && result.status === 0;
}

// src/util/retry.ts
import { setTimeout as sleep } from "node:timers/promises";
var givenUp = /* @__PURE__ */ new Set();
function retryBudgetMs(env = process.env) {
  const raw = env.RESTORABLE_RETRY_SECONDS;
  const seconds = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1e3 : 6e4;
}
async function withRetry(run, options) {
  const { transient, firstDelayMs = 250, maxDelayMs = 1e4, signal, place } = options;
  const totalMs = place !== void 0 && givenUp.has(place) ? 0 : options.totalMs ?? retryBudgetMs();
  const deadline = Date.now() + totalMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await run(attempt);
      if (place !== void 0) givenUp.delete(place);
      return result;
    } catch (error) {
      signal?.throwIfAborted();
      const cap = Math.min(maxDelayMs, firstDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(Math.random() * cap);
      if (!transient(error) || Date.now() + delay >= deadline) {
        if (place !== void 0 && transient(error)) givenUp.add(place);
        throw error;
      }
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, void 0, signal ? { signal } : void 0);
    }
  }
}
var TRANSIENT_CODES = /* @__PURE__ */ new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED", "UND_ERR_SOCKET"]);
function isNetworkError(error) {
  for (let at = error; at instanceof Error; at = at.cause) {
    const code = at.code;
    if (code && TRANSIENT_CODES.has(code)) return true;
  }
  return false;
}

export {
  tiedToParent,
  spawnReader,
  spawnFedReader,
  spawnTransform,
  runCommand,
  hasCommand,
  parseClockDuration,
  clockDuration,
  parseCalendarSpan,
  calendarSpan,
  subtractSpan,
  retryBudgetMs,
  withRetry,
  isNetworkError,
  NOTIFYING_COMMANDS,
  notifierConfig,
  metricsConfig
};
