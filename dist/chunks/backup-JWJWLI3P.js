import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  Cache,
  RepoWriter,
  cacheDir,
  prunePlan,
  repositoryPruneOf
} from "./chunk-LPRRR3QJ.js";
import {
  runHook
} from "./chunk-AQN6INZ3.js";
import {
  resolveAppVersion
} from "./chunk-RQ4OLF6H.js";
import "./chunk-25K5IZNL.js";
import {
  makeStaging,
  withLock
} from "./chunk-GTM6V2KB.js";
import {
  Digest,
  mismatch,
  readBack
} from "./chunk-O2QLNILF.js";
import {
  DEFAULT_CHUNKER,
  KeyTable,
  REPO_FORMAT,
  blobId,
  nextCut,
  snapshotFile,
  widen
} from "./chunk-3REWNQ3V.js";
import {
  allTargets,
  loadRecovered
} from "./chunk-RQSM67IX.js";
import {
  keyOf,
  loadSigner,
  makeBackupId,
  putManifest,
  removeBackup
} from "./chunk-2DH6G5LH.js";
import {
  VERSION
} from "./chunk-Z2KXPKGU.js";
import {
  countsText
} from "./chunk-S5JFW3LE.js";
import {
  formatBytes
} from "./chunk-LMSXXO5M.js";
import {
  createTarget
} from "./chunk-GOBZCQIN.js";
import "./chunk-5QPPHHFV.js";
import "./chunk-CMYD6MRD.js";
import "./chunk-IIVFCJRN.js";
import {
  artifactFile,
  compileBackup
} from "./chunk-6TRRNSIJ.js";
import {
  encryptionRecord,
  encryptor
} from "./chunk-ZXVIM5QX.js";
import {
  files,
  sourceAdapter
} from "./chunk-6OV6EYEP.js";
import "./chunk-XI4MDY3P.js";
import {
  evaluate,
  packing,
  ruleName
} from "./chunk-TY4SYINN.js";
import "./chunk-TBQSFWBU.js";
import "./chunk-K3PTCQNR.js";
import "./chunk-XRTEQXPF.js";
import "./chunk-5F55Z7FC.js";
import {
  selector
} from "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import "./chunk-QVOAAX5T.js";
import {
  InterruptedError,
  PolicyError,
  RestorableError,
  RunError,
  ioHint,
  reason
} from "./chunk-WHVU3KGO.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";

// src/pipeline/backup.ts
import { mkdir, rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join as join3 } from "node:path";
import { pipeline as pipeline2 } from "node:stream/promises";

// src/artifacts/fanout.ts
import { once } from "node:events";
import { PassThrough, Writable } from "node:stream";
var AllBranchesFailed = class extends Error {
};
var STALL_MS = 10 * 6e4;
function fanout(consumers, options = {}) {
  const stallMs = options.stallMs ?? STALL_MS;
  const branches = consumers.map(({ name, consume }) => {
    const input = new PassThrough({ highWaterMark: 1 << 20 });
    input.on("error", () => void 0);
    const branch = { name, input, failed: false, settled: void 0, giveUp: () => void 0 };
    const stalled = new Promise((_, reject) => branch.giveUp = reject);
    branch.settled = Promise.race([consume(input), stalled]).then(
      (value) => ({ name, value }),
      (error) => {
        branch.failed = true;
        input.destroy();
        return { name, error };
      }
    );
    return branch;
  });
  const live = () => branches.filter((b) => !b.failed);
  const allFailed = () => new AllBranchesFailed(`every branch failed: ${branches.map((b) => b.name).join(", ")}`);
  const drained = (b) => {
    let timer;
    const stall = new Promise((resolve) => {
      timer = setTimeout(() => {
        b.failed = true;
        b.giveUp(new Error(`it took no data for ${Math.round(stallMs / 1e3)} s (a stalled connection?)`));
        resolve();
      }, stallMs);
    });
    return Promise.race([once(b.input, "drain"), b.settled, stall]).catch(() => void 0).finally(() => clearTimeout(timer));
  };
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk, _encoding, callback) {
      const waits = live().filter((b) => !b.input.write(chunk)).map(drained);
      Promise.all(waits).then(() => callback(live().length === 0 ? allFailed() : null));
    },
    final(callback) {
      for (const branch of live()) branch.input.end();
      callback();
    },
    destroy(error, callback) {
      if (error) for (const branch of live()) branch.input.destroy(error);
      callback(error);
    }
  });
  return { sink, results: Promise.all(branches.map((b) => b.settled)) };
}

// src/artifacts/measure.ts
import { stat } from "node:fs/promises";
import { Transform, pipeline } from "node:stream";
function measured(snapshot, counted) {
  const { file } = snapshot;
  if (file) return { snapshot: { stream: () => snapshot.stream(), file }, size: async () => (await stat(file)).size, counts: false };
  let bytes = 0;
  const stream = () => {
    const counter = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk, _encoding, callback) {
        bytes += chunk.length;
        counted?.(bytes);
        callback(null, chunk);
      }
    });
    pipeline(snapshot.stream(), counter, () => void 0);
    return counter;
  };
  return { snapshot: { stream }, size: async () => bytes, counts: true };
}

// src/pipeline/repository-step.ts
import { relative } from "node:path";
import { Readable } from "node:stream";

// src/repository/file-cache.ts
import { createHash, hash as oneShot } from "node:crypto";
import { closeSync, createReadStream, fstatSync, openSync, readSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";
var FORMAT = 2;
var BLOCK_ROWS = 4096;
var TRAILER = 17;
var folderKey = typeof oneShot === "function" ? (path) => oneShot("sha1", path, "buffer") : (path) => createHash("sha1").update(path).digest();
var Directory = class {
  folders = new KeyTable(16);
  first = new Uint32Array(0);
  // first block of the folder
  count = new Uint32Array(0);
  offsets = new Float64Array(0);
  lengths = new Uint32Array(0);
  blocks = 0;
  add(folder, spans) {
    const n = this.folders.add(folderKey(folder));
    if (n === this.first.length) {
      this.first = widen(this.first, Math.max(256, n * 2));
      this.count = widen(this.count, this.first.length);
    }
    if (this.blocks + spans.length / 2 > this.offsets.length) {
      const capacity = Math.max(256, (this.blocks + spans.length / 2) * 2);
      this.offsets = widen(this.offsets, capacity);
      this.lengths = widen(this.lengths, capacity);
    }
    this.first[n] = this.blocks;
    this.count[n] = spans.length / 2;
    for (let i = 0; i < spans.length; i += 2) {
      this.offsets[this.blocks] = spans[i];
      this.lengths[this.blocks++] = spans[i + 1];
    }
  }
  /** The [offset, length] of each block of `folder`. */
  spans(folder) {
    const n = this.folders.find(folderKey(folder));
    if (n < 0) return [];
    const out = [];
    for (let b = this.first[n], end = b + this.count[n]; b < end; b += 1) out.push([this.offsets[b], this.lengths[b]]);
    return out;
  }
};
var FileCache = class _FileCache {
  constructor(path, keyId) {
    this.path = path;
    this.keyId = keyId;
    this.temp = `${path}.tmp-${process.pid}`;
  }
  previous;
  fd;
  position = 0;
  /** This run's directory lines, one per folder with rows. */
  directory = [];
  temp;
  static async load(path, keyId) {
    const cache = new _FileCache(path, keyId);
    const prefix = `${basename(path)}.tmp-`;
    let names = [];
    try {
      names = readdirSync(dirname(path));
    } catch {
    }
    for (const name of names.filter((n) => n.startsWith(prefix))) rmSync(join(dirname(path), name), { force: true });
    cache.previous = await readDirectory(path, keyId).catch(() => void 0);
    return cache;
  }
  /** Call when the walk enters `folder` (its path from the source's root, "" for the root). */
  async folder(folder) {
    const known = /* @__PURE__ */ new Map();
    if (this.previous) {
      for (const [offset, length] of this.previous.directory.spans(folder)) {
        try {
          const bytes = Buffer.allocUnsafe(length);
          await this.previous.handle.read(bytes, 0, length, offset);
          const block = JSON.parse(bytes.toString("utf8"));
          if (block.dir !== folder) continue;
          for (const row of block.files) if (isRow(row)) known.set(row[0], row);
        } catch {
        }
      }
    }
    let rows = [];
    const spans = [];
    const flush = () => {
      if (rows.length === 0) return;
      spans.push(...this.append(`{"dir":${JSON.stringify(folder)},"files":[${rows.join(",")}]}
`));
      rows = [];
    };
    return {
      lookup: (name, stat2) => {
        const row = known.get(name);
        if (!row || row[1] !== Number(stat2.size) || row[2] !== `${stat2.mtimeNs}` || row[3] !== `${stat2.ctimeNs}` || row[4] !== `${stat2.ino}`) return void 0;
        return row[5];
      },
      record: (name, stat2, content) => {
        rows.push(JSON.stringify([name, Number(stat2.size), `${stat2.mtimeNs}`, `${stat2.ctimeNs}`, `${stat2.ino}`, content]));
        if (rows.length >= BLOCK_ROWS) flush();
      },
      close: () => {
        flush();
        known.clear();
        if (spans.length > 0) this.directory.push(JSON.stringify([folder, ...spans]));
      }
    };
  }
  /** Appends `text` to this run's file; returns its [offset, length]. */
  append(text) {
    if (this.fd === void 0) {
      this.fd = openSync(this.temp, "w", 384);
      this.position = 0;
      this.append(`${JSON.stringify({ format: FORMAT, key_id: this.keyId })}
`);
    }
    const bytes = Buffer.from(text);
    writeSync(this.fd, bytes);
    const at = this.position;
    this.position += bytes.length;
    return [at, bytes.length];
  }
  /** Replaces the cache file with what this run saw (atomically). A run that saw no file keeps none. */
  async save() {
    await this.previous?.handle.close().catch(() => void 0);
    this.previous = void 0;
    if (this.fd === void 0) {
      rmSync(this.path, { force: true });
      return;
    }
    const start = this.position;
    for (let i = 0; i < this.directory.length; i += BLOCK_ROWS) this.append(`${this.directory.slice(i, i + BLOCK_ROWS).join("\n")}
`);
    this.append(`${String(start).padStart(TRAILER - 1, "0")}
`);
    closeSync(this.fd);
    this.fd = void 0;
    renameSync(this.temp, this.path);
  }
};
var ID = /^[0-9a-f]{64}$/;
function isRow(row) {
  if (!Array.isArray(row) || row.length !== 6) return false;
  const [name, size, mtime, ctime, ino, content] = row;
  return typeof name === "string" && Number.isSafeInteger(size) && typeof mtime === "string" && typeof ctime === "string" && typeof ino === "string" && Array.isArray(content) && content.every((id) => typeof id === "string" && ID.test(id));
}
async function readDirectory(path, keyId) {
  const fd = openSync(path, "r");
  let start;
  let size;
  try {
    const head = Buffer.alloc(4096);
    const headLength = readSync(fd, head, 0, head.length, 0);
    const header = JSON.parse(head.toString("utf8", 0, head.indexOf(10) < 0 ? headLength : head.indexOf(10)));
    if (header.format !== FORMAT || header.key_id !== keyId) return void 0;
    size = fstatSync(fd).size;
    const tail = Buffer.alloc(TRAILER);
    readSync(fd, tail, 0, TRAILER, size - TRAILER);
    start = Number(tail.toString("utf8", 0, TRAILER - 1));
    if (!Number.isSafeInteger(start) || start <= 0 || start > size - TRAILER || tail[TRAILER - 1] !== 10) return void 0;
  } finally {
    closeSync(fd);
  }
  const directory = new Directory();
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8", start, end: size - TRAILER - 1 }), crlfDelay: Infinity });
  for await (const line of lines) {
    const [folder, ...spans] = JSON.parse(line);
    if (typeof folder !== "string" || spans.length % 2 !== 0 || !spans.every((n) => Number.isSafeInteger(n) && n >= 0 && n < start)) throw new Error("damaged directory");
    directory.add(folder, spans);
  }
  return { handle: await open(path, "r"), directory };
}

// src/repository/snapshot.ts
import { lstat, readdir, readlink } from "node:fs/promises";
import { join as join2 } from "node:path";
import { lstatSync } from "node:fs";

// src/repository/read-pool.ts
import { Worker } from "node:worker_threads";
var THREADS = 2;
var SMALL_FILE = 1024 * 1024;
function readerThread(load, cut) {
  const { parentPort, workerData } = load("node:worker_threads");
  const { closeSync: closeSync2, fstatSync: fstatSync2, openSync: openSync2, readSync: readSync2 } = load("node:fs");
  const { createHash: createHash2, createHmac } = load("node:crypto");
  const { gear, params, key } = workerData;
  const jobs = /* @__PURE__ */ new Map();
  const name = (bytes) => (key ? createHmac("sha256", key) : createHash2("sha256")).update(bytes).digest("hex");
  const fail = (job, error) => {
    const state = jobs.get(job);
    jobs.delete(job);
    if (state) closeQuietly(state.fd);
    const e = error;
    parentPort.postMessage({ job, error: String(e?.message ?? e), code: e?.code });
  };
  const closeQuietly = (fd) => {
    try {
      closeSync2(fd);
    } catch {
    }
  };
  const round = (job, state, buffer) => {
    while (!state.eof && state.length < buffer.length) {
      const n = readSync2(state.fd, buffer, state.length, buffer.length - state.length, null);
      if (n === 0) state.eof = true;
      state.length += n;
      state.total += n;
    }
    const cuts = [];
    const ids = [];
    let start = 0;
    for (; ; ) {
      const length = cut(buffer, start, state.length, state.eof, gear, params);
      if (length <= 0) break;
      cuts.push(length);
      ids.push(name(buffer.subarray(start, start + length)));
      start += length;
    }
    state.start = start;
    if (state.eof && start >= state.length) {
      const st = fstatSync2(state.fd, { bigint: true });
      closeSync2(state.fd);
      jobs.delete(job);
      parentPort.postMessage({ job, buffer: buffer.buffer, cuts, ids, done: true, total: state.total, size: `${st.size}`, mtimeNs: `${st.mtimeNs}` }, [buffer.buffer]);
    } else parentPort.postMessage({ job, buffer: buffer.buffer, cuts, ids, done: false }, [buffer.buffer]);
  };
  parentPort.on("message", (message) => {
    const { job } = message;
    try {
      if (message.cancel) {
        const state2 = jobs.get(job);
        jobs.delete(job);
        if (state2) closeQuietly(state2.fd);
        return;
      }
      let buffer = Buffer.from(message.buffer);
      let state = jobs.get(job);
      if (!state) {
        state = { fd: openSync2(message.path, "r"), length: 0, start: 0, total: 0, eof: false };
        jobs.set(job, state);
      } else {
        const rest = state.length - state.start;
        if (rest + 65536 > buffer.length) {
          const wider = Buffer.from(new ArrayBuffer(Math.min(params.max * 2, rest + (1 << 20))));
          buffer.copy(wider, 0, state.start, state.length);
          buffer = wider;
        } else buffer.copyWithin(0, state.start, state.length);
        state.length = rest;
      }
      round(job, state, buffer);
    } catch (error) {
      fail(job, error);
    }
  });
}
var ReadPool = class {
  constructor(gear, params, key) {
    this.gear = gear;
    this.params = params;
    this.key = key;
  }
  threads = [];
  next = 0;
  answers = /* @__PURE__ */ new Map();
  /** Windows handed back, by size: small (SMALL_FILE) and large (two of the largest chunk). */
  spare = { small: [], large: [] };
  start() {
    const worker = new Worker(`(${readerThread.toString()})(require, ${nextCut.toString()})`, {
      eval: true,
      workerData: { gear: this.gear, params: this.params, key: this.key ? new Uint8Array(this.key.key) : null }
    });
    worker.unref();
    const thread = { worker, open: 0 };
    worker.on("message", (answer) => {
      const wait = this.answers.get(answer.job);
      this.answers.delete(answer.job);
      wait?.resolve(answer);
    });
    const died = (error) => {
      this.threads = this.threads.filter((t) => t !== thread);
      for (const [job, wait] of this.answers) {
        if (wait.thread !== thread) continue;
        this.answers.delete(job);
        wait.reject(error);
      }
    };
    worker.on("error", died);
    worker.on("exit", (code) => died(new Error(`a file reading thread stopped (exit ${code})`)));
    return thread;
  }
  thread() {
    if (this.threads.length < THREADS) this.threads.push(this.start());
    return this.threads.reduce((a, b) => b.open < a.open ? b : a);
  }
  ask(thread, job, message, transfer) {
    return new Promise((resolve, reject) => {
      this.answers.set(job, { thread, resolve, reject });
      thread.worker.postMessage({ job, ...message }, transfer);
    });
  }
  /**
   * The file's chunks in order, each with its id; returns how much was read
   * and the file's size and mtime after. Rejects with the error (and its
   * `code`) that opening or reading met.
   */
  async *read(path, size) {
    const large = size >= SMALL_FILE;
    const windows = large ? this.spare.large : this.spare.small;
    const thread = this.thread();
    const job = this.next++;
    thread.open += 1;
    if (thread.open === 1) thread.worker.ref();
    const standard = large ? this.params.max * 2 : SMALL_FILE;
    let buffer = windows.pop() ?? new ArrayBuffer(standard);
    let finished = false;
    try {
      let answer = await this.ask(thread, job, { path, buffer }, [buffer]);
      buffer = void 0;
      for (; ; ) {
        if ("error" in answer) throw Object.assign(new Error(answer.error), { code: answer.code });
        const bytes = Buffer.from(answer.buffer);
        let start = 0;
        for (const [i, length] of answer.cuts.entries()) {
          yield { bytes: bytes.subarray(start, start + length), id: answer.ids[i] };
          start += length;
        }
        if (answer.done) {
          finished = true;
          buffer = answer.buffer;
          return { total: answer.total, size: BigInt(answer.size), mtimeNs: BigInt(answer.mtimeNs) };
        }
        answer = await this.ask(thread, job, { buffer: answer.buffer }, [answer.buffer]);
      }
    } finally {
      if (!finished && this.threads.includes(thread)) thread.worker.postMessage({ job, cancel: true });
      if (buffer && buffer.byteLength === standard && windows.length < (large ? 2 : 16)) windows.push(buffer);
      thread.open -= 1;
      if (thread.open === 0) thread.worker.unref();
    }
  }
  /** Ends the threads (after a run): what they hold is only windows. */
  async close() {
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
};

// src/repository/snapshot.ts
var FILES_AT_ONCE = 16;
var BIG_FILES_AT_ONCE = 2;
var Slots = class {
  constructor(free) {
    this.free = free;
  }
  waiting = [];
  async acquire() {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise((resolve) => this.waiting.push(resolve));
  }
  release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
};
var metaOf = (st) => ({ mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid), mtime_ns: `${st.mtimeNs}` });
var byName = (a, b) => a < b ? -1 : a > b ? 1 : 0;
async function walkIntoRepository(options) {
  const { writer, signal } = options;
  const counts = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const read = { files: 0, bytes: 0 };
  const skipped = [];
  const unreadable = [];
  const pool = new ReadPool(writer.gear, DEFAULT_CHUNKER, writer.idKey);
  const calls = new Slots(FILES_AT_ONCE);
  const bigReads = new Slots(BIG_FILES_AT_ONCE);
  let failed;
  let done = 0;
  const progressed = (bytes) => options.progress?.(done += bytes);
  async function content(abs, rel, name, st, cache) {
    const cached = cache.lookup(name, st);
    if (cached && writer.heldEverywhere(cached)) {
      cache.record(name, st, cached);
      progressed(Number(st.size));
      return cached;
    }
    const ids = [];
    const chunks = pool.read(abs, Number(st.size));
    let step = await chunks.next();
    try {
      for (; !step.done; step = await chunks.next()) {
        const { bytes, id } = step.value;
        await writer.add("data", id, bytes);
        ids.push(id);
        progressed(bytes.length);
        signal.throwIfAborted();
      }
    } finally {
      if (!step.done) await chunks.return(void 0);
    }
    const { total, size, mtimeNs } = step.value;
    read.files += 1;
    read.bytes += total;
    if (size !== st.size || mtimeNs !== st.mtimeNs || BigInt(total) !== st.size) {
      options.reporter.warn(`Files source "${options.source}": ${rel} changed while it was read; the backup holds the ${total} bytes read.`);
    } else cache.record(name, st, ids);
    return ids;
  }
  async function file(at, path, name, st, cache) {
    try {
      const ids = await content(at, path, name, st, cache);
      counts.files += 1;
      counts.bytes += Number(st.size);
      return { type: "file", name, ...metaOf(st), size: Number(st.size), content: ids };
    } catch (error) {
      if (signal.aborted || error instanceof RunError) throw error;
      if (error.code !== "ENOENT") unreadable.push(`${path}: ${reason(error)}`);
      return void 0;
    }
  }
  function statOf(at, path) {
    try {
      return lstatSync(at, { bigint: true });
    } catch (error) {
      if (error.code !== "ENOENT") unreadable.push(`${path}: ${reason(error)}`);
      return void 0;
    }
  }
  const inflight = /* @__PURE__ */ new Set();
  function track(work) {
    const settled = work.catch((error) => {
      failed ??= { error };
    });
    inflight.add(settled);
    void settled.then(() => inflight.delete(settled));
    return settled;
  }
  async function folder(abs, rel) {
    let names;
    try {
      names = (await readdir(abs)).sort(byName);
    } catch (error) {
      unreadable.push(`${rel || "."}: ${reason(error)}`);
      names = [];
    }
    const cache = await options.files.folder(rel);
    const nodes = new Array(names.length);
    let open2 = 1;
    let closed;
    const entries = new Promise((resolve) => closed = resolve);
    const settle = () => {
      open2 -= 1;
      if (open2 === 0) closed();
    };
    const after = (work) => {
      open2 += 1;
      void track(work).then(settle);
    };
    for (let i = 0; i < names.length && failed === void 0; i += 1) {
      signal.throwIfAborted();
      const name = names[i];
      const path = rel ? `${rel}/${name}` : name;
      const at = join2(abs, name);
      const st = statOf(at, path);
      if (!st || !options.keep(path, st.isDirectory())) continue;
      if (st.isDirectory()) {
        counts.dirs += 1;
        const below = await folder(at, path);
        after(below.done.then((subtree) => nodes[i] = { type: "dir", name, ...metaOf(st), subtree }));
      } else if (st.isFile()) {
        const big = st.size >= BigInt(SMALL_FILE);
        await calls.acquire();
        if (big) await bigReads.acquire();
        const read2 = file(at, path, name, st, cache).finally(() => {
          if (big) bigReads.release();
          calls.release();
        });
        after(read2.then((node) => nodes[i] = node));
      } else if (st.isSymbolicLink()) {
        const target = await readlink(at).catch((error) => {
          if (error.code !== "ENOENT") unreadable.push(`${path}: ${reason(error)}`);
          return void 0;
        });
        if (target === void 0) continue;
        counts.symlinks += 1;
        nodes[i] = { type: "symlink", name, ...metaOf(st), target };
      } else skipped.push(path);
    }
    settle();
    const done2 = entries.then(async () => {
      if (failed) throw failed.error;
      cache.close();
      const json = Buffer.from(JSON.stringify({ nodes: nodes.filter((n) => n !== void 0) }));
      const id = blobId(json, writer.idKey);
      await writer.add("tree", id, json);
      return id;
    });
    return { done: done2 };
  }
  async function walk() {
    try {
      return await (await folder(options.root, "")).done;
    } finally {
      while (inflight.size > 0) await Promise.all(inflight);
    }
  }
  const rootStat = await lstat(options.root, { bigint: true });
  const root = await walk().finally(() => pool.close());
  if (skipped.length > 0) options.reporter.warn(`Files source "${options.source}": skipped ${skipped.length} special file(s) (sockets, devices, fifos): ${skipped.slice(0, 5).join(", ")}`);
  if (unreadable.length > 0) {
    throw new RunError(`Files source "${options.source}": ${unreadable.length} path(s) could not be read: ${unreadable.slice(0, 5).join("; ")}`, {
      hint: "Give the user running restorable read access to the whole folder, or exclude those paths in the plan."
    });
  }
  return { root, root_meta: metaOf(rootStat), counts, read };
}

// src/pipeline/repository-step.ts
var RepositorySession = class {
  constructor(run) {
    this.run = run;
  }
  writer;
  caches = [];
  async open() {
    const { plan, planDir, env } = this.run;
    const keys = plan.encryption?.passphrase !== void 0 ? { passphrase: plan.encryption.passphrase, identities: [] } : null;
    this.writer ??= await RepoWriter.open({
      plan: plan.name,
      targets: this.run.alive(),
      encryption: plan.encryption,
      keys,
      cache: new Cache(cacheDir(plan.name, planDir, env)),
      reporter: this.run.reporter,
      drop: this.run.drop,
      alive: this.run.alive
    });
    return this.writer;
  }
  /** Walks the source into the repositories; the returned snapshot streams the snapshot object. */
  async snapshot(source, backupId, progress) {
    const writer = await this.open();
    const cache = new Cache(cacheDir(this.run.plan.name, this.run.planDir, this.run.env));
    const fileCache = await FileCache.load(cache.filesPath(source.name), writer.idKey?.id ?? null);
    const root = files.liveLocation(source, { planDir: this.run.planDir });
    await files.probe(source, { planDir: this.run.planDir, stagingDir: "", reporter: this.run.reporter, signal: this.run.signal });
    const before = { ...writer.stats };
    const walked = await walkIntoRepository({ root, source: source.name, keep: selector(source), writer, files: fileCache, reporter: this.run.reporter, signal: this.run.signal, progress });
    await writer.finish();
    this.caches.push(fileCache);
    const object = {
      format: REPO_FORMAT,
      kind: "restorable-snapshot",
      plan: this.run.plan.name,
      source: source.name,
      backup_id: backupId,
      time: (/* @__PURE__ */ new Date()).toISOString(),
      root: walked.root,
      root_meta: walked.root_meta,
      key_id: writer.idKey?.id ?? null,
      counts: walked.counts
    };
    const body = Buffer.from(`${JSON.stringify(object, null, 2)}
`);
    const stats = writer.stats;
    const summary2 = `${walked.read.files} of ${walked.counts.files} files read (${walked.read.bytes} bytes), ${stats.blobs_new - before.blobs_new} new blobs, ${stats.packs - before.packs} packs (${stats.stored_bytes - before.stored_bytes} bytes) written per target; ${relative(this.run.planDir, root) || "."}`;
    return {
      stream: () => Readable.from([body]),
      info: Promise.resolve({ engine: null, method: "repository (content-defined chunks, deduplicated)", schemaVersion: null, counts: { ...walked.counts } }),
      summary: summary2
    };
  }
  /** After the manifests are committed: the file caches now describe what the targets hold. */
  async commit() {
    for (const cache of this.caches) await cache.save().catch((error) => this.run.reporter.warn(`Could not save the file cache: ${error.message}`));
  }
};

// src/pipeline/runner.ts
async function runPipeline(pipeline3, executors, reporter, signal) {
  const records = [];
  let failure;
  for (const step of pipeline3.steps) {
    if ((failure !== void 0 || signal.aborted) && !step.always) {
      failure ??= new InterruptedError("Interrupted: the run was stopped; nothing was committed.");
      reporter.stepStarted(step.id, step.title);
      reporter.stepFinished(step.id, "skipped", 0);
      records.push({ id: step.id, title: step.title, status: "skipped", ms: 0 });
      continue;
    }
    reporter.stepStarted(step.id, step.title);
    const started = performance.now();
    try {
      const note = await executors[step.kind](step) ?? void 0;
      const ms = performance.now() - started;
      reporter.stepFinished(step.id, "ok", ms, note);
      records.push({ id: step.id, title: step.title, status: "ok", ms, ...note ? { note } : {} });
    } catch (error) {
      const ms = performance.now() - started;
      failure ??= signal.aborted ? new InterruptedError("Interrupted: the run was stopped; nothing was committed.", { cause: error }) : error;
      reporter.stepFinished(step.id, "failed", ms);
      records.push({ id: step.id, title: step.title, status: "failed", ms });
    }
  }
  return failure === void 0 ? { records } : { records, error: failure };
}

// src/pipeline/backup.ts
function triggerOf(env) {
  if (env.GITHUB_ACTIONS !== "true") return "local";
  return env.GITHUB_EVENT_NAME === "schedule" ? "schedule" : "manual";
}
function githubOf(env) {
  if (env.GITHUB_ACTIONS !== "true") return null;
  const get = (name) => env[name] ?? "";
  return {
    repository: get("GITHUB_REPOSITORY"),
    sha: get("GITHUB_SHA"),
    ref: get("GITHUB_REF"),
    workflow: get("GITHUB_WORKFLOW"),
    run_id: get("GITHUB_RUN_ID"),
    run_attempt: get("GITHUB_RUN_ATTEMPT")
  };
}
async function runBackup(loaded, options) {
  const { plan, dir: planDir } = loaded;
  const { reporter, signal } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? (() => /* @__PURE__ */ new Date());
  const started = now();
  const clock = performance.now();
  const targets = options.targets ?? plan.targets.map((config) => createTarget(config, { planDir, env, onRetry: (message) => reporter.warn(message) }));
  const failures = /* @__PURE__ */ new Map();
  const alive = () => targets.filter((t) => !failures.has(t.name));
  const drop = (target, error2) => {
    failures.set(target.name, reason(error2));
    const hint = error2 instanceof RestorableError && error2.hint ? ` ${error2.hint}` : "";
    reporter.warn(`Target "${target.name}" dropped out: ${reason(error2)}${hint}`);
  };
  let stagingDir = "";
  let id = "";
  let appVersion = null;
  const entries = [];
  const verifiedAt = /* @__PURE__ */ new Map();
  const written = /* @__PURE__ */ new Set();
  const unwritten = /* @__PURE__ */ new Set();
  let verdict;
  let manifest;
  const pruned = [];
  let postHookError;
  let signer;
  let repo;
  const sctx = () => ({ planDir, stagingDir, reporter, signal, compression: plan.compression.algorithm });
  const hookEnv = () => ({ ...env, RESTORABLE_PLAN: plan.name, RESTORABLE_BACKUP_ID: id });
  const expiresAt = (t) => t.expiresAfterDays && verifiedAt.has(t.name) ? new Date(started.getTime() + t.expiresAfterDays * 864e5).toISOString() : null;
  const copyOf = (t) => ({ target: t.name, medium: t.medium, offsite: t.offsite, immutable: t.immutable, counted: t.counted ?? true, expiresAt: expiresAt(t) });
  const manifestFor = (holders, verdict2) => ({
    format: 1,
    tool: { name: "restorable", version: VERSION },
    plan: { name: plan.name, sha256: loaded.hash },
    backup_id: id,
    started_at: started.toISOString(),
    finished_at: now().toISOString(),
    app_version: appVersion,
    trigger: options.trigger ?? triggerOf(env),
    host: hostname(),
    github: githubOf(env),
    sources: entries,
    copies: holders.map((t) => ({
      target: t.name,
      type: t.type,
      medium: t.medium,
      offsite: t.offsite,
      immutable: t.immutable,
      verified_at: verifiedAt.get(t.name),
      counted: t.counted ?? true,
      expires_at: expiresAt(t)
    })),
    policy: { rule: ruleName(plan.policy.rule), met: verdict2.met, required: verdict2.required, have: verdict2.have }
  });
  const executors = {
    async preflight() {
      signer = plan.signing ? loadSigner(plan.signing, env, loaded.secrets) : void 0;
      stagingDir = await makeStaging(options.stagingRoot, "backup");
      for (const source of plan.sources) await sourceAdapter(source).probe(source, sctx());
      await Promise.all(targets.map((t) => t.probe().catch((error2) => (drop(t, error2), unwritten.add(t.name)))));
      if (alive().length === 0) throw new RunError("No target can take writes; nothing was backed up.", { hint: "See the messages above for each target." });
      appVersion = await resolveAppVersion(plan, planDir, env);
      id = makeBackupId(started, appVersion);
      return `backup id ${id}`;
    },
    async hook({ phase, hook }) {
      const run2 = runHook(hook, `${phase} hook`, { cwd: planDir, signal, env: hookEnv() });
      if (phase === "pre_backup") return void await run2;
      await run2.catch((error2) => {
        postHookError ??= error2;
        reporter.warn(reason(error2));
      });
    },
    async snapshot(step) {
      const source = step.config;
      const adapter = sourceAdapter(source);
      const began = performance.now();
      const ctx = { ...sctx(), stagingDir: join3(stagingDir, source.name) };
      await mkdir(ctx.stagingDir);
      try {
        const repository = source.type === "files" && source.storage === "repository" ? repo ??= new RepositorySession({ plan, planDir, env, reporter, signal, alive, drop }) : void 0;
        const snapshot = repository && source.type === "files" ? await repository.snapshot(source, id, (bytes) => reporter.progress(step.id, bytes)) : await adapter.snapshot(source, ctx);
        let expected;
        void snapshot.expectedBytes?.then((bytes) => expected = bytes);
        const raw = measured(snapshot, (done) => reporter.progress(step.id, done, expected));
        const file = repository ? snapshotFile(source.name, plan.encryption !== void 0) : artifactFile(source, plan);
        const compression = repository ? { algorithm: "none" } : plan.compression;
        const digest = new Digest(raw.counts || repository ? void 0 : (bytes) => reporter.progress(step.id, bytes));
        const writers = alive();
        const { sink, results } = fanout(writers.map((t) => ({ name: t.name, consume: (input) => t.put(keyOf.file(plan.name, id, file), input) })));
        const sealing = plan.encryption ? [encryptor(plan.encryption)] : [];
        const streamed = await pipeline2([...packing(raw.snapshot, compression), ...sealing, digest, sink], { signal }).then(
          () => void 0,
          (error2) => error2
        );
        const settled = await results;
        if (streamed && !(streamed instanceof AllBranchesFailed)) throw sourceFailure(source.name, streamed);
        for (const result of settled) if (result.error) drop(writers.find((t) => t.name === result.name), result.error);
        if (alive().length === 0) throw new RunError(`No target could store ${file}; nothing was backed up.`, { hint: "See the messages above for each target." });
        const info = await snapshot.info;
        entries.push({
          name: source.name,
          type: source.type,
          kind: adapter.kind,
          ...repository ? { storage: "repository" } : {},
          engine: info.engine,
          method: info.method,
          schema_version: info.schemaVersion,
          artifact: {
            file,
            bytes: digest.bytes,
            sha256: digest.sha256,
            decoded_bytes: await raw.size(),
            compression: { algorithm: compression.algorithm, level: compression.level ?? null },
            encryption: plan.encryption ? encryptionRecord(plan.encryption) : null
          },
          counts: info.counts,
          duration_ms: Math.round(performance.now() - began)
        });
        const counts = countsText(info.counts);
        const stored = "summary" in snapshot ? `; ${String(snapshot.summary)}` : "";
        return `${file}: ${digest.bytes} bytes${counts ? `; ${counts}` : ""}${stored}`;
      } finally {
        await rm(ctx.stagingDir, { recursive: true, force: true });
      }
    },
    async verify() {
      for (const target of alive()) written.add(target.name);
      await Promise.all(
        alive().map(async (target) => {
          try {
            for (const entry of entries) {
              const { file, bytes } = entry.artifact;
              const read = await readBack(target, plan.name, id, entry, void 0, (done) => reporter.progress(`verify:${target.name}:${file}`, done, bytes, `verifying ${file} on ${target.name}`));
              const problem = mismatch(entry, read);
              if (problem) throw new RunError(`the copy of ${entry.artifact.file} ${problem}`);
            }
            verifiedAt.set(target.name, now().toISOString());
          } catch (error2) {
            drop(target, error2);
          }
        })
      );
      if (verifiedAt.size === 0) throw new RunError("No copy verified; nothing was committed.");
      return `${verifiedAt.size} of ${targets.length} targets verified`;
    },
    async policy() {
      verdict = evaluate(plan.policy.rule, alive().map(copyOf));
      const { have, required } = verdict;
      const summary2 = `${have.copies}/${required.copies} copies, ${have.media}/${required.media} media, ${have.offsite}/${required.offsite} offsite`;
      return verdict.met ? `met: ${summary2}` : `NOT met: ${verdict.missing.join("; ")}`;
    },
    async commit() {
      signal.throwIfAborted();
      const writeManifest = async (to) => {
        const holders = alive();
        if (holders.length === 0) throw new RunError("No target took the manifest; nothing was committed.");
        const now2 = evaluate(plan.policy.rule, holders.map(copyOf));
        manifest = manifestFor(holders, now2);
        const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}
`);
        const signature = signer?.sign(body);
        await Promise.all(to.map((t) => putManifest(t, plan.name, id, body, signature).catch((error2) => drop(t, error2))));
        return verdict = now2;
      };
      const settle = async () => {
        for (; ; ) {
          const before = alive().length;
          const written2 = await writeManifest(alive().filter((t) => !t.writeOnce));
          if (alive().length === before) return written2;
        }
      };
      let final = await settle();
      const once2 = alive().filter((t) => t.writeOnce);
      if (once2.length > 0) {
        final = await writeManifest(once2);
        if (once2.some((t) => failures.has(t.name))) final = await settle();
      }
      await repo?.commit();
      if (!final.met) {
        throw new PolicyError(
          `The ${ruleName(plan.policy.rule)} rule is not met: ${final.missing.join("; ")}. Backup ${id} was committed to ${alive().map((t) => t.name).join(", ")} only.`,
          { hint: failures.size > 0 ? `Failed targets: ${[...failures].map(([n, r]) => `${n} (${r})`).join("; ")}` : "Add targets to the plan." }
        );
      }
      return `manifest written to ${alive().map((t) => t.name).join(", ")}`;
    },
    async prune() {
      if (!plan.retention) return "no retention policy";
      const repository = repositoryPruneOf(plan, planDir, env, loaded.secrets, reporter);
      const result = await prunePlan(alive(), plan.name, plan.retention, { protect: [id], apply: true, now: now(), ...repository ? { repository } : {} });
      pruned.push(...result.targets);
      const failed = result.failed.map((f) => f.target);
      for (const f of result.failed) reporter.warn(`Backup ${id} is committed, but pruning target "${f.target}" failed: ${f.error}`);
      for (const p of result.targets) if (p.missing.length > 0) reporter.warn(`Target "${p.target}" lacks kept backup(s) that their manifests list: ${p.missing.join(", ")}.`);
      const done = pruned.map((p) => `${p.target}: removed ${p.removed.length}, kept ${p.kept.length}`).join("; ");
      return failed.length > 0 ? `${done}; not pruned: ${failed.join(", ")}` : done;
    },
    async report() {
      const state = (t) => failures.has(t.name) ? "FAILED" : verifiedAt.has(t.name) ? "verified" : "not written";
      const outcome = targets.map((t) => `${t.name}: ${state(t)}`);
      return outcome.join("; ");
    }
  };
  const pipelineData = compileBackup(plan, planDir);
  const run = await runPipeline(pipelineData, executors, reporter, signal);
  const { records } = run;
  const error = run.error ?? (postHookError === void 0 ? void 0 : new RunError(`Backup ${id} was committed, but a post_backup hook failed: ${reason(postHookError)}`, { hint: "The backup is complete and listed; fix the hook (the app may still be in maintenance mode)." }));
  if (stagingDir) await rm(stagingDir, { recursive: true, force: true });
  if (id) await removeIncomplete((manifest ? targets.filter((t) => failures.has(t.name)) : targets).filter((t) => !unwritten.has(t.name)), plan.name, id, reporter);
  return {
    id,
    ok: error === void 0,
    ...manifest ? { manifest } : {},
    ...verdict ? { verdict } : {},
    targets: targets.map((t) => {
      const verified = manifest !== void 0 && verifiedAt.has(t.name) && !failures.has(t.name);
      const expires = verified ? expiresAt(t) : null;
      return {
        name: t.name,
        type: t.type,
        where: t.where,
        medium: t.medium,
        offsite: t.offsite,
        immutable: t.immutable,
        counted: t.counted ?? true,
        written: written.has(t.name),
        verified,
        ...expires ? { expires_at: expires } : {},
        ...failures.has(t.name) ? { error: failures.get(t.name) } : {}
      };
    }),
    steps: records,
    pruned,
    durationMs: performance.now() - clock,
    ...error !== void 0 ? { error } : {}
  };
}
function sourceFailure(name, error) {
  if (error instanceof RestorableError) return error;
  const path = error.path;
  const at = typeof path === "string" && !reason(error).includes(path) ? ` at ${path}` : "";
  const changing = /expected EOF|unexpected EOF/i.test(reason(error));
  const hint = changing ? "That file changed size while it was read (an app writing to it, a log): exclude it, or stop the writer in a pre_backup hook." : ioHint(error);
  return new RunError(`Reading source "${name}" failed${at}: ${reason(error)}`, { hint, cause: error });
}
async function removeIncomplete(targets, plan, id, reporter) {
  for (const target of targets) {
    try {
      await removeBackup(target, plan, id);
    } catch (error) {
      reporter.warn(`Could not clear the incomplete backup ${id} on target "${target.name}": ${reason(error)}`);
    }
  }
}

// src/commands/backup.ts
var yes = (value) => value ? "yes" : "no";
function targetTable(targets) {
  const rows = [
    ["TARGET", "TYPE", "MEDIUM", "OFFSITE", "IMMUTABLE", "WRITTEN", "VERIFIED", "ERROR"],
    ...targets.map((t) => [
      t.name,
      t.type,
      t.medium,
      yes(t.offsite),
      yes(t.immutable),
      yes(t.written),
      t.verified ? t.counted ? "yes" : "yes (not counted)" : "no",
      t.error ?? (t.expires_at ? `expires ${t.expires_at.slice(0, 10)}` : "")
    ])
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column])).join("  ").trimEnd());
}
function summary(result) {
  const failed = result.targets.filter((t) => t.error !== void 0).map((t) => t.name);
  const state = !result.manifest ? "FAILED" : result.ok ? "complete" : "committed, with problems (below)";
  const lost = failed.length > 0 ? `; target${failed.length > 1 ? "s" : ""} ${failed.join(", ")} failed` : "";
  const lines = [`Backup ${result.id || "(none)"}: ${state} in ${(result.durationMs / 1e3).toFixed(1)}s${lost}`];
  for (const source of result.manifest?.sources ?? []) {
    const counts = countsText(source.counts);
    lines.push(`  source ${source.name.padEnd(12)} ${formatBytes(source.artifact.bytes).padStart(10)}  ${source.artifact.file}  ${counts}`);
  }
  lines.push(...targetTable(result.targets).map((line) => `  ${line}`));
  const uncounted = result.targets.filter((t) => !t.counted).map((t) => t.name);
  if (uncounted.length > 0) lines.push(`  note   ${uncounted.join(", ")}: a fast-restore tier, never counted toward the copy rule (the GitHub cache is evicted after 7 days without use and is scoped to a branch)`);
  if (result.verdict) {
    const { have, required } = result.verdict;
    lines.push(`  policy ${result.verdict.met ? "met" : "NOT met"}: ${have.copies}/${required.copies} copies, ${have.media}/${required.media} media, ${have.offsite}/${required.offsite} offsite, ${have.immutable}/${required.immutable} immutable`);
  }
  for (const prune of result.pruned) lines.push(`  prune  ${prune.target.padEnd(12)} kept ${prune.kept.length}, removed ${prune.removed.length}`);
  return lines.join("\n");
}
var backup = async (input, io) => {
  const began = performance.now();
  const loaded = await loadRecovered(input, io);
  const targets = allTargets(loaded, io.env, io.reporter);
  const result = await withLock(loaded, targets, "backup", input, io, () => runBackup(loaded, {
    targets,
    reporter: io.reporter,
    signal: io.signal,
    env: io.env,
    ...input.trigger ? { trigger: input.trigger } : {},
    ...input.stagingRoot ? { stagingRoot: input.stagingRoot } : {}
  }));
  result.durationMs = performance.now() - began;
  if (!input.json) io.reporter.output(summary(result));
  const { error, ...data } = result;
  if (error !== void 0) {
    io.partial?.(data);
    throw error;
  }
  return data;
};
export {
  backup,
  targetTable
};
