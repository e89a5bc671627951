import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  RunError,
  reason
} from "./chunk-WHVU3KGO.js";

// src/util/spawn.ts
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { Duplex, Readable, Writable } from "node:stream";
var STDERR_LIMIT = 16 * 1024;
var setprivFound;
function findable(command) {
  const runnable = (path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (command.includes("/")) return runnable(command);
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && runnable(join(dir, command)));
}
function tiedToParent(command, args) {
  setprivFound ??= process.platform === "linux" && hasCommand("setpriv");
  if (!setprivFound || !findable(command)) return [command, [...args]];
  return ["setpriv", ["--pdeathsig", "TERM", "--", command, ...args]];
}
function spawnTied(command, args, options) {
  const [file, argv] = tiedToParent(command, args);
  return spawn(file, argv, options);
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
function outputOf(child, command, what) {
  const stderr = collect(child.stderr);
  const exit = exitOf(child);
  exit.catch(() => void 0);
  async function* output() {
    for await (const chunk of child.stdout) yield chunk;
    const { code, signal } = await exit.catch((error) => {
      throw new RunError(`${what}: cannot run ${command}: ${reason(error)}`, { hint: `Install ${command}, or check PATH.` });
    });
    if (code !== 0) throw new RunError(`${what}: ${command} failed (${signal ?? `exit ${code}`}): ${stderr() || "no message"}`);
  }
  const readable = Readable.from(output(), { objectMode: false });
  readable.on("close", () => endGroup(child));
  return readable;
}
function spawnReader(command, args, what) {
  return outputOf(spawnTied(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true }), command, what);
}
function spawnFedReader(command, args, what, feed) {
  const child = spawnTied(command, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
  const output = outputOf(child, command, what);
  try {
    feed(child.stdin);
  } finally {
    child.stdin.destroy();
  }
  return output;
}
function spawnTransform(command, args, what) {
  const child = spawnTied(command, args, { stdio: ["pipe", "pipe", "pipe"], detached: true });
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
  const duplex = Duplex.from({ writable: input, readable: outputOf(child, command, what) });
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
async function runCommand(argv, options) {
  const [command, ...args] = argv;
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
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
function hasCommand(command, versionFlag = "--version") {
  const result = spawnSync(command, [versionFlag], { stdio: "ignore", timeout: 5e3 });
  return result.error === void 0 && result.status === 0;
}

export {
  tiedToParent,
  spawnReader,
  spawnFedReader,
  spawnTransform,
  runCommand,
  hasCommand
};
