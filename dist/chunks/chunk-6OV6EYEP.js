import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  F,
  Qn,
  ft,
  xe
} from "./chunk-XI4MDY3P.js";
import {
  runCommand,
  tiedToParent
} from "./chunk-K3PTCQNR.js";
import {
  BESIDE_NAME,
  SOURCE_KINDS,
  besidePath,
  filesConfig,
  inside,
  pathStep,
  planFileSwap,
  planMergeSwap,
  planTreeSwap,
  postgresConfig,
  runPathStep,
  selector,
  sqliteConfig,
  undoPathSteps
} from "./chunk-23TMSUQ2.js";
import {
  external_exports
} from "./chunk-QVOAAX5T.js";
import {
  IntegrityError,
  RefusedError,
  RestorableError,
  RunError,
  UsageError,
  ioHint,
  isDiskFull,
  reason,
  stagingFullHint
} from "./chunk-WHVU3KGO.js";
import {
  require_utils
} from "./chunk-6LCIRVR7.js";
import {
  __toESM
} from "./chunk-ZJTQKECG.js";

// src/sources/safe-extract.ts
import { mkdir, rm, unlink } from "node:fs/promises";
import { dirname, isAbsolute, join, posix, relative } from "node:path";
import { pipeline } from "node:stream/promises";
var NEUTRAL_MASK = 3074;
var ALLOWED = /* @__PURE__ */ new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);
function escapes(path) {
  if (escapesAbsolutely(path)) return true;
  return posix.normalize(path.replaceAll("\\", "/")).split("/").includes("..");
}
function linkStaysInside(path, target, links) {
  if (!target || escapesAbsolutely(target)) return false;
  const at = posix.normalize(path.replaceAll("\\", "/")).split("/").filter(Boolean).slice(0, -1);
  for (const part of target.replaceAll("\\", "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (at.length === 0) return false;
      at.pop();
      continue;
    }
    at.push(part);
    if (links.has(at.join("/"))) return false;
  }
  return true;
}
function escapesAbsolutely(path) {
  return isAbsolute(path) || posix.isAbsolute(path) || /^[a-zA-Z]:/.test(path);
}
var MAX_DEPTH = 1024;
function shown(path) {
  return path.length > 120 ? `${path.slice(0, 60)}...${path.slice(-40)}` : path;
}
function refusal(entry) {
  const depth = entry.path.split(/[\\/]+/).filter(Boolean).length;
  if (depth > MAX_DEPTH) return `entry "${shown(entry.path)}" is ${depth} levels deep, deeper than ${MAX_DEPTH} folders`;
  if (escapes(entry.path)) return `entry "${entry.path}" points outside the destination`;
  if (!ALLOWED.has(entry.type)) return `entry "${entry.path}" is a ${entry.type}, which is never restored`;
  if (entry.type === "Link" && (!entry.linkpath || escapes(entry.linkpath))) return `hard link "${entry.path}" points outside the destination (${entry.linkpath})`;
  return void 0;
}
function refused(error, into, source) {
  const code = error.code;
  if (error instanceof IntegrityError || typeof code !== "string" || !code.startsWith("TAR_")) return error;
  const link = error.symlink;
  const why = code === "TAR_SYMLINK_ERROR" && typeof link === "string" ? `an entry would be written through the symlink "${relative(into, link)}" (a chain of links made inside the archive)` : `${error.message.replace(/^TAR_[A-Z_]+: /, "")} (${code})`;
  return new IntegrityError(`The archive for files source "${source}" is unsafe: ${why}.`, {
    hint: "restorable never writes such archives: this artifact was altered or is not a restorable backup. Nothing was restored.",
    cause: error
  });
}
async function extractSafely(stream, into, options) {
  await mkdir(dirname(into), { recursive: true });
  await mkdir(into, { recursive: false });
  const dropped = [];
  const links = /* @__PURE__ */ new Set();
  const created = /* @__PURE__ */ new Map();
  const extractor = new xe({
    cwd: into,
    strict: true,
    preservePaths: false,
    chmod: true,
    processUmask: 0,
    filter(path, entry) {
      const read = entry;
      const why = refusal({ path, type: read.type, linkpath: read.linkpath });
      if (why) {
        extractor.abort(new IntegrityError(`The archive for files source "${options.source}" is unsafe: ${why}.`, {
          hint: "restorable never writes such entries: this artifact was altered or is not a restorable backup. Nothing was restored."
        }));
        return false;
      }
      if (typeof read.mode === "number") read.mode &= ~NEUTRAL_MASK;
      if (read.type === "SymbolicLink") {
        if (!linkStaysInside(path, read.linkpath, links)) {
          dropped.push(`${path} -> ${read.linkpath}`);
          return false;
        }
        const at = posix.normalize(path.replaceAll("\\", "/")).replace(/\/$/, "");
        links.add(at);
        created.set(at, read.linkpath);
      }
      return true;
    }
  });
  try {
    await pipeline(stream, extractor);
    for (const [at, target] of created) {
      if (linkStaysInside(at, target, links)) continue;
      await unlink(join(into, at));
      dropped.push(`${at} -> ${target}`);
    }
  } catch (error) {
    await rm(into, { recursive: true, force: true });
    throw refused(error, into, options.source);
  }
  if (dropped.length > 0) {
    options.reporter.warn(
      `Files source "${options.source}": ${dropped.length} symlink(s) pointing outside the folder were not restored: ${dropped.slice(0, 5).join(", ")}`
    );
  }
  return dropped;
}

// src/sources/files.ts
import { lstatSync as lstatSync2 } from "node:fs";
import { access, constants, lstat, readdir, rm as rm2, stat } from "node:fs/promises";
import { basename, join as join3, relative as relative2, resolve } from "node:path";

// src/sources/tar-pack.ts
import { closeSync, openSync, readSync, readlinkSync } from "node:fs";
import { Readable } from "node:stream";
var BLOCK = 512;
var BATCH = 1 << 20;
function modeOf(stats) {
  let mode = stats.mode & 4095;
  if (stats.isDirectory()) {
    if (mode & 256) mode |= 64;
    if (mode & 32) mode |= 8;
    if (mode & 4) mode |= 1;
  }
  return mode;
}
var TreePack = class extends Readable {
  #entries;
  #options;
  #uid = process.getuid?.();
  #user = process.env.USER ?? "";
  /** The first path of each file with more than one link, by device and inode: later ones become hard links. */
  #links = /* @__PURE__ */ new Map();
  #open;
  #done = false;
  constructor(entries, options) {
    super({ highWaterMark: BATCH });
    this.#entries = entries[Symbol.iterator]();
    this.#options = options;
  }
  _read() {
    try {
      const batch = Buffer.allocUnsafe(BATCH);
      let used = 0;
      while (used < BATCH && !this.#done) {
        if (this.#open) used = this.#copy(batch, used);
        else {
          const head = this.#next();
          if (head === void 0) break;
          if (used + head.length > BATCH) {
            if (used > 0) this.push(batch.subarray(0, used));
            used = 0;
            this.push(head);
            return;
          }
          head.copy(batch, used);
          used += head.length;
        }
      }
      if (used > 0) this.push(batch.subarray(0, used));
      if (this.#done && !this.#open) this.push(null);
    } catch (error) {
      this.destroy(error);
    }
  }
  _destroy(error, callback) {
    if (this.#open) closeSync(this.#open.fd);
    this.#open = void 0;
    callback(error);
  }
  /** Copies what fits of the open file's content and padding into `batch`; closes it when done. */
  #copy(batch, used) {
    const open2 = this.#open;
    while (open2.left > 0 && used < batch.length) {
      const want = Math.min(open2.left, batch.length - used);
      let got = 0;
      try {
        if (!open2.short) got = readSync(open2.fd, batch, used, want, null);
      } catch (error) {
        this.#options.unreadable(open2.rel, reason(error));
        open2.short = true;
      }
      if (got === 0) {
        if (!open2.short) this.#options.unreadable(open2.rel, "the file became shorter while it was read");
        open2.short = true;
        batch.fill(0, used, used + want);
        got = want;
      }
      used += got;
      open2.left -= got;
    }
    if (open2.left > 0) return used;
    const pad = Math.min(open2.pad, batch.length - used);
    batch.fill(0, used, used + pad);
    used += pad;
    open2.pad -= pad;
    if (open2.pad === 0) {
      closeSync(open2.fd);
      this.#open = void 0;
    }
    return used;
  }
  /** The header block(s) of the next entry, opening its file when it has content; undefined at the end. */
  #next() {
    for (; ; ) {
      const step = this.#entries.next();
      if (step.done) {
        this.#done = true;
        return Buffer.alloc(BLOCK * 2);
      }
      const { rel, abs, stats } = step.value;
      const path = rel === "." ? "./" : `./${rel}${stats.isDirectory() ? "/" : ""}`;
      const data = {
        path,
        mode: modeOf(stats),
        uid: stats.uid,
        gid: stats.gid,
        size: 0,
        mtime: stats.mtime,
        uname: stats.uid === this.#uid ? this.#user : "",
        atime: stats.atime,
        ctime: stats.ctime
      };
      if (stats.isDirectory()) data.type = "Directory";
      else if (stats.isSymbolicLink()) {
        try {
          data.linkpath = readlinkSync(abs);
        } catch (error) {
          if (error.code === "ENOENT" && this.#options.vanished) this.#options.vanished(rel, stats);
          else this.#options.unreadable(rel, reason(error));
          continue;
        }
        data.type = "SymbolicLink";
      } else if (stats.nlink > 1 && this.#links.has(`${stats.dev}:${stats.ino}`)) {
        data.type = "Link";
        data.linkpath = this.#links.get(`${stats.dev}:${stats.ino}`);
      } else {
        let fd;
        try {
          fd = openSync(abs, "r");
        } catch (error) {
          if (error.code === "ENOENT" && this.#options.vanished) this.#options.vanished(rel, stats);
          else this.#options.unreadable(rel, reason(error));
          continue;
        }
        if (stats.nlink > 1) this.#links.set(`${stats.dev}:${stats.ino}`, rel);
        data.type = "File";
        data.size = stats.size;
        this.#open = { fd, rel, left: stats.size, pad: (BLOCK - stats.size % BLOCK) % BLOCK, short: false };
        if (stats.size === 0) {
          closeSync(fd);
          this.#open = void 0;
        }
      }
      return encode(data, stats);
    }
  }
};
function encode(data, stats) {
  const header = new F(data);
  header.encode();
  const block = header.block;
  if (!header.needPax) return block;
  const pax = new ft({
    atime: header.atime,
    ctime: header.ctime,
    gid: header.gid,
    mtime: header.mtime,
    path: data.path,
    linkpath: data.linkpath,
    size: header.size,
    uid: header.uid,
    uname: header.uname,
    dev: stats.dev,
    ino: stats.ino,
    nlink: stats.nlink
  });
  return Buffer.concat([pax.encode(), block]);
}

// src/sources/tree-walk.ts
import { lstatSync, readdirSync } from "node:fs";
import { join as join2 } from "node:path";
var byName = (a, b) => a < b ? -1 : a > b ? 1 : 0;
function* walkTree(root, options) {
  yield { rel: ".", abs: root, stats: lstatSync(root) };
  const stack = [];
  const enter = (abs, rel) => void stack.push({ abs, rel, names: readdirSync(abs).sort(byName), next: 0 });
  enter(root, "");
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next === top.names.length) {
      stack.pop();
      continue;
    }
    const name = top.names[top.next++];
    const rel = top.rel ? `${top.rel}/${name}` : name;
    const abs = join2(top.abs, name);
    let stats;
    try {
      stats = lstatSync(abs);
    } catch (error) {
      if (error.code !== "ENOENT") options.unreadable(rel, reason(error));
      continue;
    }
    const isDir = stats.isDirectory();
    if (!options.keep(rel, isDir)) continue;
    yield { rel, abs, stats };
    if (isDir) enter(abs, rel);
  }
}

// src/sources/files.ts
var leftOut = /* @__PURE__ */ new Map();
function noteLeftOut(into, count) {
  leftOut.set(into, count);
}
async function countTree(root) {
  const counts = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const folders = [root];
  for (let folder = folders.pop(); folder !== void 0; folder = folders.pop()) {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join3(folder, entry.name);
      if (entry.isDirectory()) {
        counts.dirs += 1;
        folders.push(path);
      } else if (entry.isSymbolicLink()) counts.symlinks += 1;
      else if (entry.isFile()) {
        counts.files += 1;
        counts.bytes += lstatSync2(path).size;
      }
    }
  }
  return counts;
}
async function tarSizeOf(root, keep) {
  let bytes = 1024;
  const visit = async (dir) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join3(dir, entry.name);
      const rel = relative2(root, path);
      if (!keep(rel, entry.isDirectory())) continue;
      bytes += 512;
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile()) bytes += Math.ceil(((await lstat(path).catch(() => void 0))?.size ?? 0) / 512) * 512;
    }
  };
  await visit(root);
  return bytes + 512;
}
var files = {
  type: "files",
  kind: SOURCE_KINDS.files,
  schema: filesConfig,
  extension: ".tar",
  describe(config, ctx) {
    const filters = [config.include && `include ${config.include.join(", ")}`, config.exclude.length > 0 && `exclude ${config.exclude.join(", ")}`];
    const note = filters.filter(Boolean).join("; ");
    return `tar of ${resolve(ctx.planDir, config.path)}${note ? ` (${note})` : ""}, symlinks as links`;
  },
  liveLocation: (config, ctx) => resolve(ctx.planDir, config.path),
  async probe(config, ctx) {
    const root = files.liveLocation(config, ctx);
    try {
      const info = await stat(root);
      if (!info.isDirectory()) throw new RunError(`Files source "${config.name}": ${root} is not a folder.`, { hint: "Point `path` at a folder." });
      await access(root, constants.R_OK | constants.X_OK);
    } catch (error) {
      if (error instanceof RunError) throw error;
      throw new RunError(`Files source "${config.name}": cannot read ${root}: ${reason(error)}`, { hint: ioHint(error), cause: error });
    }
  },
  async snapshot(config, ctx) {
    const root = files.liveLocation(config, ctx);
    const keep = selector(config);
    const walk = { files: 0, dirs: 0, symlinks: 0, bytes: 0, skipped: [], unreadable: [] };
    const entries = function* () {
      for (const entry of walkTree(root, { keep, unreadable })) {
        const { rel, stats } = entry;
        if (stats.isFile()) {
          walk.files += 1;
          walk.bytes += stats.size;
        } else if (stats.isDirectory()) walk.dirs += rel === "." ? 0 : 1;
        else if (stats.isSymbolicLink()) walk.symlinks += 1;
        else {
          walk.skipped.push(rel);
          continue;
        }
        yield entry;
      }
    };
    const unreadable = (rel, message) => void walk.unreadable.push(`${rel}: ${message}`);
    const vanished = (_rel, stats) => {
      if (stats.isSymbolicLink()) walk.symlinks -= 1;
      else {
        walk.files -= 1;
        walk.bytes -= stats.size;
      }
    };
    const stream = new TreePack(entries(), { unreadable, vanished });
    const info = new Promise((resolveInfo, reject) => {
      stream.once("end", () => {
        if (walk.skipped.length > 0) ctx.reporter.warn(`Files source "${config.name}": skipped ${walk.skipped.length} special file(s) (sockets, devices, fifos): ${walk.skipped.slice(0, 5).join(", ")}`);
        if (walk.unreadable.length > 0) {
          reject(
            new RunError(`Files source "${config.name}": ${walk.unreadable.length} path(s) could not be read: ${walk.unreadable.slice(0, 5).join("; ")}`, {
              hint: "Give the user running restorable read access to the whole folder, or exclude those paths in the plan."
            })
          );
          return;
        }
        const { files: count, dirs, symlinks, bytes } = walk;
        resolveInfo({ engine: null, method: "tar stream", schemaVersion: null, counts: { files: count, dirs, symlinks, bytes } });
      });
      stream.once("error", reject);
    });
    info.catch(() => void 0);
    return { stream: () => stream, info, expectedBytes: tarSizeOf(root, keep).catch(() => void 0) };
  },
  currentSchemaVersion: async () => null,
  async materialize(config, stream, into, ctx) {
    leftOut.set(into, (await extractSafely(stream, into, { source: config.name, reporter: ctx.reporter })).length);
  },
  async inspectBuilt(_config, location) {
    const found = await countTree(location);
    found.symlinks += leftOut.get(location) ?? 0;
    return { unsound: null, counts: { ...found } };
  },
  stagingLocation: (config, ctx, tag) => besidePath(files.liveLocation(config, ctx), "new", tag),
  async planSwap(config, staged2, ctx, tag, keep, partial) {
    const root = files.liveLocation(config, ctx);
    const covered = selector(config);
    const others = new Set(keep.flatMap((path) => inside(root, path) ?? []));
    const kept = (rel, isDir) => others.has(rel) || BESIDE_NAME.test(basename(rel)) || !covered(rel, isDir);
    return partial ? planMergeSwap(root, staged2, tag, kept) : planTreeSwap(root, staged2, tag, kept, [...others]);
  },
  runStep: (_config, step) => runPathStep(pathStep.parse(step)),
  undoSteps: (_config, steps) => undoPathSteps(steps.map((s) => pathStep.parse(s))),
  ownedPaths: (config, ctx) => [files.liveLocation(config, ctx)],
  async discard(staged2) {
    leftOut.delete(staged2);
    await rm2(staged2, { recursive: true, force: true });
  }
};

// src/sources/postgres.ts
import { statfs } from "node:fs/promises";
import { join as join7 } from "node:path";

// src/sources/pg-connection.ts
import { readFileSync } from "node:fs";

// src/sources/pg-psql.ts
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
var PsqlError = class extends Error {
  constructor(message, code, severity) {
    super(message);
    this.code = code;
    this.severity = severity;
  }
};
var ExecPrefixError = class extends Error {
  constructor(message, prefix) {
    super(message);
    this.prefix = prefix;
  }
};
var CONNECT_CODES = [
  [/database "[^"]*" does not exist/, "3D000"],
  [/password authentication failed/, "28P01"],
  [/no password supplied|Peer authentication failed|Ident authentication failed|no pg_hba\.conf entry/, "28000"],
  [/Connection refused|No such file or directory/, "ECONNREFUSED"],
  [/could not translate host name/, "ENOTFOUND"]
];
function errorFrom(stderr, what, exit, prefix) {
  const text = stderr.trim();
  const server = /^(?:psql:[^\n]*?)?(ERROR|FATAL|PANIC):\s+([0-9A-Z]{5}):\s+(.*)$/m.exec(text);
  if (server) return new PsqlError(server[3], server[2], server[1]);
  const psql = /^psql: error: (.*)$/m.exec(text);
  if (psql) {
    const said = psql[1].replace(/^connection to server .*? failed: /, "").replace(/^FATAL:\s+/, "");
    return new PsqlError(said, CONNECT_CODES.find(([re]) => re.test(text))?.[1], "FATAL");
  }
  return new ExecPrefixError(`${what} failed (${exit}): ${text.split("\n").slice(0, 3).join(" | ") || "no message"}`, prefix);
}
function bind(text, values) {
  const literal3 = (v) => {
    if (v === null || v === void 0) return "NULL";
    if (typeof v === "number" || typeof v === "bigint") return String(v);
    if (typeof v === "boolean") return v ? "true" : "false";
    if (Array.isArray(v)) return v.length === 0 ? "'{}'" : `ARRAY[${v.map(literal3).join(", ")}]`;
    return `'${String(v).replace(/'/g, "''")}'`;
  };
  return text.replace(/\$(\d+)/g, (_, n) => literal3(values[Number(n) - 1]));
}
var RETURNS_ROWS = /^\s*(select|with|values|table)\b/i;
async function openPsql(prefix, argv, env) {
  const what = `psql through \`${prefix.join(" ")}\``;
  argv = [...prefix, ...argv];
  const [head, ...rest] = argv;
  const [file, args] = tiedToParent(head, [...rest, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose"]);
  const child = spawn(file, args, { env, stdio: ["pipe", "pipe", "pipe"], detached: true });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    if (stderr.length < 32e3) stderr += chunk.toString("utf8");
  });
  child.stdin.on("error", () => void 0);
  const exited = new Promise((resolve4) => {
    child.once("error", (error) => resolve4(new ExecPrefixError(`${what}: cannot run ${head}: ${error.message}`, prefix.join(" "))));
    child.once("close", (code, signal) => resolve4(errorFrom(stderr, what, signal ?? `exit ${code}`, prefix.join(" "))));
  });
  const lines = createInterface({ input: child.stdout });
  let answer = [];
  let waiting;
  lines.on("line", (line) => {
    if (waiting && line === waiting.marker) {
      const { resolve: resolve4 } = waiting;
      waiting = void 0;
      resolve4(answer.join("\n"));
      answer = [];
    } else answer.push(line);
  });
  let queue = Promise.resolve();
  let closed = false;
  const run = (sql) => new Promise((resolve4, reject) => {
    if (closed) return reject(new Error(`${what}: the session has ended`));
    const marker = `__restorable_${randomBytes(8).toString("hex")}__`;
    waiting = { marker, resolve: resolve4 };
    void exited.then(reject);
    child.stdin.write(`${sql}
;
\\echo ${marker}
`);
  });
  const session = {
    query(query, values) {
      const text = (typeof query === "string" ? query : query.text).trim().replace(/;+\s*$/, "");
      const sql = values && values.length > 0 ? bind(text, values) : text;
      const rows = RETURNS_ROWS.test(sql);
      const wrapped = rows ? `select coalesce(json_agg(q), '[]') from (
${sql}
) q` : sql;
      const result = queue.then(async () => {
        const out = await run(wrapped);
        if (!rows) return { rows: [], rowCount: null };
        const parsed = JSON.parse(out || "[]");
        const shaped = typeof query !== "string" && query.rowMode === "array" ? parsed.map((r) => Object.values(r)) : parsed;
        return { rows: shaped, rowCount: parsed.length };
      });
      queue = result.catch(() => void 0);
      return result;
    },
    async end() {
      if (closed) return;
      closed = true;
      child.stdin.end("\\q\n");
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          child.kill("SIGTERM");
        }
      }, 1e4);
      await exited;
      clearTimeout(timer);
    }
  };
  await session.query("select 1 as ok");
  return session;
}

// src/sources/pg-connection.ts
function parseConnection(config) {
  let fromUrl = {};
  if (config.url) {
    let url;
    try {
      url = new URL(config.url);
    } catch {
      throw new UsageError("The PostgreSQL `url` is not a valid URL.", { hint: "Expected postgres://user@host:5432/database (the password through ${VAR} or PGPASSWORD)." });
    }
    const param = (name) => url.searchParams.get(name) ?? void 0;
    const path = decodeURIComponent(url.pathname.replace(/^\//, ""));
    fromUrl = {
      host: url.hostname ? decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, "$1") : param("host"),
      port: url.port ? Number(url.port) : param("port") ? Number(param("port")) : void 0,
      user: url.username ? decodeURIComponent(url.username) : param("user"),
      database: path || param("dbname"),
      password: url.password ? decodeURIComponent(url.password) : void 0,
      ssl: { sslmode: param("sslmode"), sslrootcert: param("sslrootcert"), sslcert: param("sslcert"), sslkey: param("sslkey") }
    };
  }
  const pick = (field, url) => field ?? url;
  return {
    host: pick(config.host, fromUrl.host),
    port: pick(config.port, fromUrl.port),
    user: pick(config.user, fromUrl.user),
    database: pick(config.database, fromUrl.database) ?? "postgres",
    password: fromUrl.password,
    exec: config.exec ?? [],
    ssl: {
      sslmode: pick(config.sslmode, fromUrl.ssl?.sslmode),
      sslrootcert: pick(config.sslrootcert, fromUrl.ssl?.sslrootcert),
      sslcert: pick(config.sslcert, fromUrl.ssl?.sslcert),
      sslkey: pick(config.sslkey, fromUrl.ssl?.sslkey)
    }
  };
}
function quote(value) {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
function conninfo(conn, database = conn.database) {
  const parts = [
    ["host", conn.host],
    ["port", conn.port],
    ["user", conn.user],
    ["dbname", database]
  ];
  return parts.flatMap(([key, value]) => value === void 0 ? [] : [`${key}=${quote(String(value))}`]).join(" ");
}
function childEnv(conn, base = process.env) {
  const env = { ...base };
  if (conn.password !== void 0) env.PGPASSWORD = conn.password;
  const ssl = [
    ["sslmode", "PGSSLMODE"],
    ["sslrootcert", "PGSSLROOTCERT"],
    ["sslcert", "PGSSLCERT"],
    ["sslkey", "PGSSLKEY"]
  ];
  for (const [key, name] of ssl) if (conn.ssl[key] !== void 0) env[name] = conn.ssl[key];
  return env;
}
function describeConnection(conn, database = conn.database) {
  return `${conn.user ? `${conn.user}@` : ""}${conn.host ?? "local socket"}${conn.port ? `:${conn.port}` : ""}/${database}`;
}
function sslOption(ssl) {
  const mode = ssl.sslmode ?? process.env.PGSSLMODE;
  if (mode === void 0 || mode === "disable" || mode === "allow" || mode === "prefer") return false;
  const read = (path) => path ? readFileSync(path, "utf8") : void 0;
  const verify = mode === "verify-ca" || mode === "verify-full";
  return {
    rejectUnauthorized: verify,
    ...ssl.sslrootcert ? { ca: read(ssl.sslrootcert) } : {},
    ...ssl.sslcert ? { cert: read(ssl.sslcert) } : {},
    ...ssl.sslkey ? { key: read(ssl.sslkey) } : {},
    ...mode === "verify-ca" ? { checkServerIdentity: () => void 0 } : {}
  };
}
async function connect(conn, database = conn.database) {
  if (conn.exec.length > 0) return openPsql(conn.exec, ["psql", "--no-password", `--dbname=${conninfo(conn, database)}`], childEnv(conn));
  const { default: { Client } } = await import("./esm-4WWGEIVY.js");
  const client = new Client({
    ...conn.host !== void 0 ? { host: conn.host } : {},
    ...conn.port !== void 0 ? { port: conn.port } : {},
    ...conn.user !== void 0 ? { user: conn.user } : {},
    ...conn.password !== void 0 ? { password: conn.password } : {},
    database,
    ssl: sslOption(conn.ssl),
    connectionTimeoutMillis: 15e3,
    application_name: "restorable"
  });
  client.on("error", () => void 0);
  await client.connect();
  return {
    query: (query, values) => client.query(query, values),
    end: () => client.end()
  };
}
async function withClient(conn, database, work) {
  const client = await connect(conn, database);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => void 0);
  }
}
function quoteIdent(name) {
  return `"${name.replaceAll('"', '""')}"`;
}

// src/sources/pg-dump.ts
import { mkdir as mkdir2, writeFile } from "node:fs/promises";
import { join as join5 } from "node:path";

// src/sources/pg-tools.ts
import { spawn as spawn2 } from "node:child_process";
import { closeSync as closeSync2, existsSync, openSync as openSync2, readdirSync as readdirSync2 } from "node:fs";
import { join as join4 } from "node:path";
import { Readable as Readable2 } from "node:stream";
var DEBIAN_ROOT = "/usr/lib/postgresql";
function candidates(binDir, exec) {
  if (binDir) return [binDir];
  if (exec.length > 0) return [null];
  const majors = existsSync(DEBIAN_ROOT) ? readdirSync2(DEBIAN_ROOT).filter((d) => /^\d+$/.test(d)) : [];
  const dirs = majors.sort((a, b) => Number(b) - Number(a)).map((m) => join4(DEBIAN_ROOT, m, "bin")).filter((d) => existsSync(join4(d, "pg_dump")));
  return [...dirs, null];
}
async function versionOf(dir, exec) {
  const pgDump = dir ? join4(dir, "pg_dump") : "pg_dump";
  const result = await runCommand([...exec, pgDump, "--version"], { cwd: "/", timeoutMs: 15e3 }).catch(() => void 0);
  const match = result?.code === 0 ? /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(result.stdout) : null;
  if (!match) return void 0;
  return { version: `${match[1]}${match[2] !== void 0 ? `.${match[2]}` : ""}`, major: Number(match[1]) };
}
var chosen = /* @__PURE__ */ new Map();
function findTools(serverMajor, binDir, exec = []) {
  const key = JSON.stringify([serverMajor, binDir ?? "", exec]);
  if (!chosen.has(key)) {
    const found = search(serverMajor, binDir, exec);
    found.catch(() => chosen.delete(key));
    chosen.set(key, found);
  }
  return chosen.get(key);
}
async function search(serverMajor, binDir, exec) {
  const found = [];
  let fit;
  for (const dir of candidates(binDir, exec)) {
    const version = await versionOf(dir, exec);
    if (!version) continue;
    found.push({ dir, ...version });
    if (version.major >= serverMajor) {
      fit = found.at(-1);
      break;
    }
  }
  if (!fit) {
    const newest = found.sort((a, b) => b.major - a.major)[0];
    const through = exec.length > 0 ? ` through \`${exec.join(" ")}\`` : "";
    const where = `${binDir ? ` in bin_dir ${binDir}` : ""}${through}`;
    throw new RunError(
      newest ? `pg_dump ${newest.version}${where} is older than the PostgreSQL ${serverMajor} server: it cannot dump it.` : `No pg_dump found${where || " (looked in /usr/lib/postgresql/*/bin and PATH)"}.`,
      { hint: exec.length > 0 ? `Check that \`${exec.join(" ")} pg_dump --version\` works here (the container runs, the user exists), and that the tools are on the PATH there, or set bin_dir to their folder there.` : `Install the PostgreSQL ${serverMajor} client tools (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}, from apt.postgresql.org if your release lacks it), or point bin_dir at them.` }
    );
  }
  return { ...fit, command: (tool) => [...exec, fit.dir ? join4(fit.dir, tool) : tool] };
}
function failedObject(stderr) {
  const command = /^Command was: ([\s\S]*?)(?=^pg_restore:|(?![\s\S]))/m.exec(stderr)?.[1]?.replace(/\s+/g, " ").trim();
  const context = [...stderr.matchAll(/^(CONTEXT|QUERY):\s+(.*)$/gm)].map((m) => `${m[1]}: ${m[2].trim()}`);
  return { command, context };
}
var clip = (text, max) => text.length > max ? `${text.slice(0, max - 3)}...` : text;
function searchPathHint(stderr, command) {
  const missing = /(type|function|operator|relation) ((?:"[^"]+"|[^\s"])+(?:\([^)]*\))?) does not exist/.exec(stderr);
  if (!missing || !command) return void 0;
  const within = /SQL function "([^"]+)"|PL\/pgSQL function ([^\s(]+)/.exec(stderr);
  const inObject = /^(CREATE (UNIQUE )?INDEX|ALTER TABLE .* (SET DEFAULT|ADD CONSTRAINT)|CREATE TABLE .* (DEFAULT|CHECK|GENERATED))/i.test(command);
  if (!within && !inObject) return void 0;
  const fn = within?.[1] ?? within?.[2];
  const where = fn ? `function ${fn}, called by ${clip(command.split(" ").slice(0, 5).join(" "), 80)},` : `${clip(command.split(" ").slice(0, 5).join(" "), 80)}`;
  return `The ${missing[1]} ${missing[2]} exists, but ${where} finds it through search_path, which pg_dump's dumps set to '' while restoring. Fix it in the live database: ${fn ? `ALTER FUNCTION ${fn} SET search_path = public` : "schema-qualify the name in the expression"} (or write public.${missing[2].replace(/\(.*$/, "")} in it; an extension's type or function lives in the schema it was created in), then take a new backup. This backup restores by hand after the same fix on the target: pg_restore --section=pre-data, fix, then --section=data and post-data.`;
}
function explainToolError(tool, stderr, status) {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const important = lines.filter((l) => /error|fatal|failed|denied|detail:/i.test(l) && !/^(Command was|CONTEXT|QUERY):/.test(l));
  const { command, context } = failedObject(stderr);
  const whole = [...context, ...command ? [`Command was: ${clip(command, 400)}`] : []];
  const said = [...(important.length > 0 ? important : lines).slice(0, 4), ...whole].join(" | ") || "no message";
  const table = /(?:table|relation) "?([^"\s]+)"?/i.exec(stderr)?.[1];
  let hint = searchPathHint(stderr, command);
  if (hint) {
  } else if (/password authentication failed|no password supplied/i.test(stderr)) hint = "Check the password (PGPASSWORD, or ${VAR} in the url) and the user.";
  else if (/role "[^"]+" does not exist/i.test(stderr)) hint = "The dump names a role this server lacks: create it first, or back up with globals: true (missing roles are then created on restore).";
  else if (/statement timeout/i.test(stderr) && /LOCK TABLE/i.test(stderr)) hint = `Table ${table ?? ""} stayed locked longer than lock_wait_timeout (a migration or a long ALTER TABLE?). Run the backup again later, or raise lock_wait_timeout.`;
  else if (/could not extend file|No space left on device/i.test(stderr)) hint = tool === "pg_restore" ? "The database server's disk is full: the restored copy is built beside the live database, so it needs room for both. Free space on the server and run again; the live database was not touched." : "The disk holding the staging folder is full: free space there, or point --staging (or TMPDIR) at a disk with room for the dump.";
  else if (/permission denied/i.test(stderr)) hint = `The role cannot read ${table ? `table ${table}` : "everything it must dump"}: GRANT SELECT on it (or use a role that is a member of pg_read_all_data).`;
  else if (/could not connect|Connection refused|could not translate host name|timeout expired/i.test(stderr)) hint = "Check host and port, and that the server accepts connections from here (listen_addresses, pg_hba.conf, firewall).";
  else if (/server closed the connection|connection to server was lost|terminating connection/i.test(stderr)) hint = "The server ended the connection during the dump (restart, pg_terminate_backend, network). Nothing was committed; run the backup again.";
  else if (/unsupported version .* in file header/i.test(stderr)) hint = "This pg_restore is older than the pg_dump that made the backup (the manifest's engine.client says which): install newer client tools, or set bin_dir.";
  else if (/server version mismatch|aborting because of server version mismatch/i.test(stderr)) hint = "Install client tools at least as new as the server, or set bin_dir.";
  return { message: `${tool} failed (${status})${table && /Dumping the contents of table/i.test(stderr) ? ` while dumping table ${table}` : ""}: ${said}`, hint };
}
function toolError(tool, stderr, status, through) {
  const { message, hint } = explainToolError(tool, stderr, status);
  const prefixFailed = through !== void 0 && !new RegExp(`\\b${tool}\\b|ERROR|FATAL`).test(stderr);
  if (prefixFailed) return new RunError(`${tool} through \`${through}\` failed (${status}): ${stderr.trim().split("\n").slice(0, 3).join(" | ") || "no message"}`, { hint: execHint(through) });
  return new RunError(message, hint ? { hint } : {});
}
function execHint(through) {
  return `Check that \`${through}\` works here: the container (or host) is up and named so (docker ps), the user exists, and pg_dump, pg_restore and psql are on the PATH there. docker and podman exec need -i for pg_restore and psql.`;
}
function startTool(command, args, env, input = "ignore", output = "pipe") {
  const [head, ...prefixed] = command;
  const [file, argv] = tiedToParent(head, [...prefixed, ...args]);
  const child = spawn2(file, argv, { env, stdio: [input, output, "pipe"], detached: true });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    if (stderr.length < 32e3) stderr += chunk.toString("utf8");
  });
  const tool = command.at(-1).split("/").pop();
  const through = command.length > 1 ? command.slice(0, -1).join(" ") : void 0;
  const done = new Promise((resolve4, reject) => {
    child.once(
      "error",
      (error) => reject(
        new RunError(`Cannot run ${command.join(" ")}: ${reason(error)}`, {
          hint: through ? `Install ${head} or fix the source's exec prefix (${through}).` : "Install the PostgreSQL client tools, or set bin_dir."
        })
      )
    );
    child.once("close", (code, signal) => code === 0 ? resolve4() : reject(toolError(tool, stderr, signal ?? `exit ${code}`, through)));
  });
  done.catch(() => void 0);
  const stop = () => {
    if (child.pid === void 0 || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
  };
  child.stdin?.on("error", () => void 0);
  return { stdout: child.stdout ?? Readable2.from([]), stdin: child.stdin, done, stop };
}
async function runTool(command, args, env, signal, files2 = {}) {
  const input = files2.stdin === void 0 ? void 0 : openSync2(files2.stdin, "r");
  const output = files2.stdout === void 0 ? void 0 : openSync2(files2.stdout, "wx", 384);
  let tool;
  try {
    tool = startTool(command, args, env, input ?? "ignore", output ?? "pipe");
  } finally {
    if (input !== void 0) closeSync2(input);
    if (output !== void 0) closeSync2(output);
  }
  const onAbort = () => tool.stop();
  signal?.addEventListener("abort", onAbort, { once: true });
  const chunks = [];
  tool.stdout.on("data", (c) => chunks.push(c));
  try {
    await tool.done;
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
function toolOutput(tool) {
  async function* output() {
    for await (const chunk of tool.stdout) yield chunk;
    await tool.done;
  }
  const readable = Readable2.from(output(), { objectMode: false });
  readable.on("close", () => tool.stop());
  return readable;
}

// src/sources/pg-layout.ts
function isTarLayout(config) {
  const several = config.databases === "all" || (config.databases?.length ?? 1) > 1;
  return several || config.globals || config.format === "directory";
}
function primaryOf(conn, databases) {
  return databases.includes(conn.database) ? conn.database : databases[0];
}
async function resolveLayout(config, conn, codec) {
  const maintenance = config.databases === "all" || config.globals ? config.maintenance_database : conn.database;
  const { databases, superuser, server } = await withClient(conn, conn.database, async (client) => {
    const me = (await client.query("select rolsuper, current_setting('server_version') as v, current_setting('server_version_num')::int as n from pg_roles where rolname = current_user")).rows[0];
    const facts = { superuser: Boolean(me?.rolsuper), server: { version: String(me?.v), major: Math.floor(Number(me?.n) / 1e4) } };
    if (config.databases !== "all") return { databases: config.databases ?? [conn.database], ...facts };
    const rows = (await client.query("select datname from pg_database where datallowconn and not datistemplate order by datname")).rows;
    return { databases: rows.map((r) => String(r.datname)), ...facts };
  }).catch((error) => {
    throw explainClientError(error, conn, conn.database);
  });
  return {
    conn,
    format: config.format,
    databases,
    primary: primaryOf(conn, databases),
    maintenance,
    tar: isTarLayout(config),
    ownCompression: codec === "none",
    superuser,
    server
  };
}
function explainClientError(error, conn, database) {
  if (error instanceof RunError) return error;
  if (error instanceof ExecPrefixError) return new RunError(error.message, { hint: execHint(error.prefix), cause: error });
  const code = error.code;
  const where = describeConnection(conn, database);
  const hints = {
    "28P01": "The password was refused: check PGPASSWORD (or the ${VAR} in url) and the user.",
    "28000": "The server refused this role or host: check pg_hba.conf and the user name.",
    "3D000": "The database does not exist: check the database name (url path or `database`).",
    "42501": 'Permission denied: the role needs more privileges (see the README, "Required privileges").',
    "53100": "The database server's disk is full: free space on the server and run again.",
    ECONNREFUSED: "Nothing listens there: check host and port, and that PostgreSQL runs and listens on that address.",
    ENOTFOUND: "The host name does not resolve: check host.",
    EAI_AGAIN: "The host name does not resolve: check host and DNS.",
    ETIMEDOUT: "The connection timed out: check host, port and firewalls.",
    EHOSTUNREACH: "The host is unreachable: check host and the network."
  };
  const timeout = /timeout/i.test(reason(error)) ? hints.ETIMEDOUT : void 0;
  return new RunError(`PostgreSQL ${where}: ${reason(error)}`, { hint: (code && hints[code]) ?? timeout ?? "Check the connection settings of this source.", cause: error });
}

// src/sources/pg-dump.ts
var dumpIndex = external_exports.object({
  format: external_exports.enum(["custom", "directory"]),
  globals: external_exports.boolean(),
  databases: external_exports.array(external_exports.object({ name: external_exports.string().min(1).max(63), entry: external_exports.string().regex(/^db-[0-9]+(\.pgdump)?$/) })).min(1)
});
var USER_TABLES = "select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg_toast%'";
async function holdSnapshot(conn, database, schemaSql) {
  const client = await connect(conn, database).catch((error) => {
    throw explainClientError(error, conn, database);
  });
  try {
    await client.query("begin isolation level repeatable read read only");
    const snapshot = String((await client.query("select pg_export_snapshot() as s")).rows[0].s);
    const tables = Number((await client.query(USER_TABLES)).rows[0].n);
    let schemaVersion = null;
    if (schemaSql) {
      const result = await client.query({ text: schemaSql, rowMode: "array" }).catch((error) => {
        throw new RunError(`PostgreSQL database "${database}": the schema_version query failed: ${reason(error)}`, { hint: "Fix schema_version.sql in the plan (it runs in the dump's snapshot, on the primary database)." });
      });
      const value = result.rows[0]?.[0];
      schemaVersion = value === void 0 || value === null ? null : String(value);
    }
    return { client, snapshot, tables, schemaVersion };
  } catch (error) {
    await client.end().catch(() => void 0);
    if (error instanceof RunError) throw error;
    throw new RunError(`PostgreSQL database "${database}": could not open the snapshot for the dump: ${reason(error)}`, { cause: error });
  }
}
async function release(held) {
  for (const h of held) await h.client.end().catch(() => void 0);
}
function dumpArgs(config, layout, held, database) {
  const compress = layout.ownCompression ? [] : ["--compress=0"];
  const wait = config.lock_wait_timeout === void 0 ? [] : [`--lock-wait-timeout=${config.lock_wait_timeout}`];
  return [`--format=${layout.format}`, ...compress, "--no-password", ...wait, `--snapshot=${held.snapshot}`, `--dbname=${conninfo(layout.conn, database)}`];
}
function describeDump(config, run) {
  const pgDump = run ? `pg_dump ${run.tools.version}` : "pg_dump";
  const jobs = config.format === "directory" ? `, ${config.jobs} job(s)` : "";
  const compression = !run ? "-Z0 when the plan compresses (else pg_dump's own zlib)" : run.layout.ownCompression ? "pg_dump's own zlib compression" : "uncompressed (-Z0; the plan codec compresses)";
  return `${pgDump}, ${config.format} format${jobs}, ${compression}, one exported snapshot per database${config.globals ? ", globals by pg_dumpall --globals-only" : ""}`;
}
async function snapshotPostgres(config, layout, tools, engine, stagingDir, signal) {
  const env = childEnv(layout.conn);
  const method = describeDump(config, { layout, tools });
  const schemaSql = config.schema_version?.sql;
  if (!layout.tar) {
    const database = layout.databases[0];
    const held = await holdSnapshot(layout.conn, database, schemaSql);
    let begin;
    const started = new Promise((resolve4) => begin = resolve4);
    const start = (output) => {
      const dump = startTool(tools.command("pg_dump"), dumpArgs(config, layout, held, database), env, "ignore", output);
      begin(dump);
      return dump;
    };
    const unused = setTimeout(() => void release([held]), 6e4);
    unused.unref();
    const info = started.then((dump) => dump.done).then(() => ({ engine, method, schemaVersion: held.schemaVersion, counts: { databases: 1, tables: held.tables } })).finally(() => release([held]));
    info.catch(() => void 0);
    void started.then(() => clearTimeout(unused));
    return { stream: () => toolOutput(start("pipe")), feed: (stdin) => void start(stdin), info };
  }
  try {
    return await stageDump(config, layout, tools, engine, stagingDir, signal, { env, method, schemaSql });
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    throw new RunError(`PostgreSQL source "${config.name}": staging the dump failed: ${reason(error)}`, { hint: stagingFullHint(stagingDir), cause: error });
  }
}
async function stageDump(config, layout, tools, engine, stagingDir, signal, { env, method, schemaSql }) {
  const root = join5(stagingDir, "dump");
  await mkdir2(root);
  const remote = layout.conn.exec.length > 0;
  const into = (file) => remote ? [] : ["--file", file];
  const streamed = (file) => remote ? { stdout: file } : {};
  const index = { format: layout.format, globals: config.globals, databases: [] };
  const entries = ["index.json"];
  let tables = 0;
  let schemaVersion = null;
  if (config.globals) {
    const noPasswords = layout.superuser ? [] : ["--no-role-passwords"];
    await runTool(tools.command("pg_dumpall"), ["--globals-only", "--no-password", ...noPasswords, ...into(join5(root, "globals.sql")), `--dbname=${conninfo(layout.conn, layout.maintenance)}`], env, signal, streamed(join5(root, "globals.sql")));
    entries.push("globals.sql");
  }
  for (const [i, database] of layout.databases.entries()) {
    signal.throwIfAborted();
    const entry = layout.format === "custom" ? `db-${i}.pgdump` : `db-${i}`;
    const held = await holdSnapshot(layout.conn, database, database === layout.primary ? schemaSql : void 0);
    try {
      const jobs = layout.format === "directory" ? [`--jobs=${config.jobs}`] : [];
      await runTool(tools.command("pg_dump"), [...dumpArgs(config, layout, held, database), ...jobs, ...into(join5(root, entry))], env, signal, streamed(join5(root, entry)));
    } finally {
      await release([held]);
    }
    tables += held.tables;
    if (database === layout.primary) schemaVersion = held.schemaVersion;
    index.databases.push({ name: database, entry });
    entries.push(entry);
  }
  await writeFile(join5(root, "index.json"), `${JSON.stringify(index, null, 2)}
`);
  const info = Promise.resolve({ engine, method, schemaVersion, counts: { databases: layout.databases.length, tables } });
  return { stream: () => Qn({ cwd: root, portable: true, noMtime: false }, entries), info };
}

// src/sources/pg-restore.ts
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join as join6 } from "node:path";
import { Readable as Readable3 } from "node:stream";
import { pipeline as pipeline2 } from "node:stream/promises";

// src/sources/pg-globals.ts
var import_utils = __toESM(require_utils(), 1);
var FLAGS = new Set(["SUPERUSER", "INHERIT", "CREATEROLE", "CREATEDB", "LOGIN", "REPLICATION", "BYPASSRLS"].flatMap((f) => [f, `NO${f}`]));
var LOADS_CODE = /(^|_)preload_libraries$|^dynamic_library_path$/i;
var SESSION_SETTINGS = /* @__PURE__ */ new Set(["default_transaction_read_only", "client_encoding", "standard_conforming_strings"]);
var Refusal = class extends Error {
  constructor(message, line, tokens) {
    super(message);
    this.line = line;
    this.tokens = tokens;
  }
};
function statements(text) {
  const out = [];
  let current = [];
  let line = 1;
  let lineEnded = true;
  let i = 0;
  const push = (kind, value) => {
    if (!lineEnded && current.length === 0) throw new Refusal("a second statement on one line", line, out.at(-1));
    current.push({ kind, text: value, line });
  };
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") {
      line++;
      lineEnded = true;
      i++;
    } else if (c === " " || c === "	" || c === "\r") {
      i++;
    } else if (text.startsWith("--", i)) {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
    } else if (c === "\\") {
      const end = text.indexOf("\n", i) === -1 ? text.length : text.indexOf("\n", i);
      const command = text.slice(i, end).trimEnd();
      const atLineStart = /(^|\n)[ \t]*$/.test(text.slice(0, i));
      if (!atLineStart || current.length > 0 || !/^\\(un)?restrict [A-Za-z0-9]+$/.test(command)) throw new Refusal("a psql meta-command other than \\restrict", line);
      i = end;
    } else if (c === "'") {
      let value = "";
      let j = i + 1;
      for (; ; ) {
        const quote2 = text.indexOf("'", j);
        if (quote2 === -1) throw new Refusal("an unterminated string", line);
        value += text.slice(j, quote2);
        if (text[quote2 + 1] === "'") {
          value += "'";
          j = quote2 + 2;
        } else {
          j = quote2 + 1;
          break;
        }
      }
      push("string", value);
      line += (text.slice(i, j).match(/\n/g) ?? []).length;
      i = j;
    } else if (c === '"') {
      let value = "";
      let j = i + 1;
      for (; ; ) {
        const quote2 = text.indexOf('"', j);
        if (quote2 === -1) throw new Refusal("an unterminated quoted name", line);
        value += text.slice(j, quote2);
        if (text[quote2 + 1] === '"') {
          value += '"';
          j = quote2 + 2;
        } else {
          j = quote2 + 1;
          break;
        }
      }
      if (value === "" || value.includes("\0")) throw new Refusal("an empty quoted name", line);
      push("ident", value);
      line += (text.slice(i, j).match(/\n/g) ?? []).length;
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i, i + 200))[0];
      if (text[i + word.length] === "'" || text[i + word.length] === '"' || text[i + word.length] === "&") throw new Refusal("a prefixed string", line);
      push("word", word);
      i += word.length;
    } else if (/[0-9-]/.test(c)) {
      const number = /^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i, i + 40))?.[0];
      if (!number) throw new Refusal(`an unexpected character ${JSON.stringify(c)}`, line);
      push("number", number);
      i += number.length;
    } else if (c === ";") {
      if (current.length === 0) throw new Refusal("an empty statement", line);
      out.push(current);
      current = [];
      lineEnded = false;
      i++;
    } else if (c === "," || c === "(" || c === ")" || c === "=") {
      push("punct", c);
      i++;
    } else {
      throw new Refusal(`an unexpected character ${JSON.stringify(c)}`, line);
    }
  }
  if (current.length > 0) throw new Refusal("a statement without its closing semicolon", current[0].line);
  return out;
}
var Reader = class {
  constructor(tokens) {
    this.tokens = tokens;
  }
  at = 0;
  get line() {
    return this.tokens[0].line;
  }
  done() {
    return this.at >= this.tokens.length;
  }
  peek(offset = 0) {
    return this.tokens[this.at + offset];
  }
  isWord(...words) {
    return words.every((w, k) => {
      const t = this.peek(k);
      return t?.kind === "word" && t.text.toUpperCase() === w;
    });
  }
  acceptPunct(c) {
    const t = this.peek();
    if (t?.kind !== "punct" || t.text !== c) return false;
    this.at++;
    return true;
  }
  /** The next token whatever it is (a SET value). */
  any() {
    return this.tokens[this.at++];
  }
  accept(...words) {
    if (!this.isWord(...words)) return false;
    this.at += words.length;
    return true;
  }
  expect(...words) {
    if (!this.accept(...words)) throw new Refusal(`expected ${words.join(" ")}`, this.line);
  }
  /** A role or setting name: quoted, or bare (folded to lower case as the server does). */
  name() {
    const t = this.tokens[this.at++];
    if (t?.kind === "ident") return t.text;
    if (t?.kind === "word") return t.text.toLowerCase();
    throw new Refusal("expected a name", this.line);
  }
  string() {
    const t = this.tokens[this.at++];
    if (t?.kind !== "string") throw new Refusal("expected a quoted value", this.line);
    return t.text;
  }
  integer() {
    const t = this.tokens[this.at++];
    if (t?.kind !== "number" || !/^-?[0-9]{1,9}$/.test(t.text)) throw new Refusal("expected a whole number", this.line);
    return Number(t.text);
  }
  word() {
    const t = this.tokens[this.at++];
    if (t?.kind !== "word") throw new Refusal("expected a keyword", this.line);
    return t.text.toUpperCase();
  }
  end() {
    if (!this.done()) throw new Refusal("more after the end of the statement", this.line);
  }
  /** Skips to ON <kind> <name> (a privilege list) and returns what it names; only plain words and commas on the way. */
  privilegesOn(kind) {
    const start = this.at;
    while (!this.done() && !this.isWord("ON")) {
      const t = this.tokens[this.at++];
      if (t.kind !== "word" && !(t.kind === "punct" && t.text === ",")) break;
    }
    if (this.accept("ON", kind)) return this.name();
    this.at = start;
    return void 0;
  }
};
function roleIn(globals, name, line) {
  const role = globals.roles.find((r) => r.name === name);
  if (!role) throw new Refusal(`role ${JSON.stringify(name)} is changed before it is created`, line);
  return role;
}
function alterRole(r, globals) {
  const role = roleIn(globals, r.name(), r.line);
  if (r.accept("SET")) {
    const name = r.name();
    r.expect("TO");
    const values = [r.string()];
    while (r.acceptPunct(",")) values.push(r.string());
    r.end();
    if (LOADS_CODE.test(name)) globals.withheldSettings.push(`${role.name}: ${name}`);
    else role.settings.push({ name, values });
    return;
  }
  r.expect("WITH");
  const seen = /* @__PURE__ */ new Set();
  const once = (what) => {
    if (seen.has(what)) throw new Refusal(`${what} given twice`, r.line);
    seen.add(what);
  };
  while (!r.done()) {
    if (r.accept("CONNECTION", "LIMIT")) {
      once("CONNECTION LIMIT");
      role.connectionLimit = r.integer();
    } else if (r.accept("PASSWORD")) {
      once("PASSWORD");
      role.password = r.string();
    } else if (r.accept("VALID", "UNTIL")) {
      once("VALID UNTIL");
      role.validUntil = r.string();
    } else {
      const flag = r.word();
      if (!FLAGS.has(flag)) throw new Refusal("an unknown role attribute", r.line);
      once(flag.replace(/^NO/, ""));
      role.flags.push(flag);
    }
  }
}
function grant(r, globals) {
  const parameter = r.privilegesOn("PARAMETER");
  if (parameter !== void 0) {
    globals.parameterGrants.push(parameter);
    return;
  }
  const space = r.privilegesOn("TABLESPACE");
  if (space !== void 0) {
    globals.tablespaces.push(space);
    return;
  }
  const role = r.name();
  r.expect("TO");
  const member = r.name();
  const options = [];
  if (r.accept("WITH")) {
    do {
      if (r.accept("ADMIN", "OPTION")) options.push("ADMIN OPTION");
      else {
        const option = r.word();
        const value = r.word();
        if (!["ADMIN", "INHERIT", "SET"].includes(option) || !["TRUE", "FALSE"].includes(value)) throw new Refusal("an unknown membership option", r.line);
        options.push(`${option} ${value}`);
      }
    } while (r.acceptPunct(","));
  }
  let grantor;
  if (r.accept("GRANTED", "BY")) grantor = r.name();
  r.end();
  globals.memberships.push({ role, member, options, grantor });
}
function statement(r, globals) {
  if (r.accept("SET")) {
    const name = r.name();
    if (!SESSION_SETTINGS.has(name)) throw new Refusal("an unknown SET", r.line);
    if (!r.acceptPunct("=")) throw new Refusal("expected =", r.line);
    const value = r.any();
    if (value?.kind !== "word" && value?.kind !== "string") throw new Refusal("expected a value", r.line);
    if (name === "standard_conforming_strings" && value.text.toLowerCase() !== "on") throw new Refusal("standard_conforming_strings off", r.line);
    r.end();
  } else if (r.accept("CREATE", "ROLE")) {
    const name = r.name();
    r.end();
    if (globals.roles.some((x) => x.name === name)) throw new Refusal(`role ${JSON.stringify(name)} created twice`, r.line);
    globals.roles.push({ name, flags: [], connectionLimit: void 0, password: void 0, validUntil: void 0, comment: void 0, settings: [] });
  } else if (r.accept("ALTER", "ROLE")) {
    alterRole(r, globals);
  } else if (r.accept("COMMENT", "ON", "ROLE")) {
    const role = roleIn(globals, r.name(), r.line);
    r.expect("IS");
    role.comment = r.string();
    r.end();
  } else if (r.accept("GRANT") || r.accept("REVOKE")) {
    grant(r, globals);
  } else if (r.accept("CREATE", "TABLESPACE") || r.accept("ALTER", "TABLESPACE") || r.accept("COMMENT", "ON", "TABLESPACE")) {
    globals.tablespaces.push(r.name());
  } else {
    throw new Refusal("a statement that is not a role, membership or tablespace", r.line);
  }
}
function opening(tokens) {
  if (!tokens) return "";
  const words = tokens.slice(0, 3).map((t) => t.kind === "word" ? t.text : t.kind === "ident" ? `"${t.text.slice(0, 20)}"` : t.kind === "string" ? "'...'" : t.text);
  return ` (${words.join(" ")}${tokens.length > 3 ? " ..." : ""})`;
}
function parseGlobals(text, what = "globals.sql") {
  const globals = { roles: [], memberships: [], tablespaces: [], parameterGrants: [], withheldSettings: [] };
  try {
    for (const tokens of statements(text)) {
      try {
        statement(new Reader(tokens), globals);
      } catch (error) {
        if (error instanceof Refusal) error.tokens ??= tokens;
        throw error;
      }
    }
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const shown2 = opening(error.tokens);
    throw new IntegrityError(`${what} is not a pg_dumpall globals dump: line ${error.line} holds ${error.message}${shown2}. Nothing was restored.`, {
      hint: "A globals dump holds only roles, their settings and memberships, and tablespaces. This file was changed after the backup (or made by something else): restore another backup (--backup ID), and check who can write to the target."
    });
  }
  return globals;
}
var { escapeIdentifier: id, escapeLiteral: literal } = import_utils.default;
function createRoleStatements(role) {
  const options = [...role.flags];
  if (role.connectionLimit !== void 0) options.push(`CONNECTION LIMIT ${role.connectionLimit}`);
  if (role.password !== void 0) options.push(`PASSWORD ${literal(role.password)}`);
  if (role.validUntil !== void 0) options.push(`VALID UNTIL ${literal(role.validUntil)}`);
  const statements2 = [`CREATE ROLE ${id(role.name)}${options.length > 0 ? ` WITH ${options.join(" ")}` : ""}`];
  for (const s of role.settings) statements2.push(`ALTER ROLE ${id(role.name)} SET ${id(s.name)} TO ${s.values.map(literal).join(", ")}`);
  if (role.comment !== void 0) statements2.push(`COMMENT ON ROLE ${id(role.name)} IS ${literal(role.comment)}`);
  return statements2;
}
function grantStatement(m) {
  const options = m.options.length > 0 ? ` WITH ${m.options.join(", ")}` : "";
  return `GRANT ${id(m.role)} TO ${id(m.member)}${options}${m.grantor !== void 0 ? ` GRANTED BY ${id(m.grantor)}` : ""}`;
}

// src/sources/pg-restore.ts
var MAX_NAME_BYTES = 63;
function besideName(database, what, tag) {
  const suffix = `_${what}_${tag.toLowerCase().replace(/[^a-z0-9]+/g, "_")}`;
  if (Buffer.byteLength(database + suffix) <= MAX_NAME_BYTES) return database + suffix;
  const mark = `_${createHash("sha256").update(database).digest("hex").slice(0, 6)}`;
  const chars = Array.from(database);
  while (Buffer.byteLength(chars.join("") + mark + suffix) > MAX_NAME_BYTES) chars.pop();
  return chars.join("") + mark + suffix;
}
async function sniff(stream) {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  async function* rest() {
    if (!first.done) yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  return { raw: head.subarray(0, 5).toString("latin1") === "PGDMP", stream: Readable3.from(rest(), { objectMode: false }) };
}
async function databaseExists(client, name) {
  return (await client.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
}
var LIVE_SETTINGS = `select pg_get_userbyid(datdba) as owner, pg_encoding_to_char(encoding) as enc, datcollate, datctype,
  to_jsonb(d) ->> 'datlocprovider' as provider, coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale') as locale
  from pg_database d where datname = $1`;
var literal2 = (value) => `'${String(value).replace(/'/g, "''")}'`;
async function createBeside(client, db) {
  if (await databaseExists(client, db.staged)) throw new RunError(`Database "${db.staged}" already exists: a previous restore left it behind.`, { hint: `Drop it (DROP DATABASE ${quoteIdent(db.staged)}) and run again.` });
  const live = (await client.query(LIVE_SETTINGS, [db.live])).rows[0];
  let options = "";
  if (live) {
    options = ` owner ${quoteIdent(String(live.owner))} encoding ${literal2(live.enc)} lc_collate ${literal2(live.datcollate)} lc_ctype ${literal2(live.datctype)}`;
    if (live.provider === "i") options += ` locale_provider icu icu_locale ${literal2(live.locale)}`;
    if (live.provider === "b") options += ` locale_provider builtin builtin_locale ${literal2(live.locale)}`;
  }
  await client.query(`create database ${quoteIdent(db.staged)} template template0${options}`);
}
async function dropDatabase(client, name) {
  await client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [name]);
  await client.query(`drop database if exists ${quoteIdent(name)}`);
}
async function createMissingRoles(client, globals, conn, reporter) {
  const existing = new Set((await client.query("select rolname from pg_roles")).rows.map((r) => String(r.rolname)));
  const missing = globals.roles.filter((r) => !existing.has(r.name));
  const created = [];
  let current = "";
  try {
    for (const role of missing) {
      current = role.name;
      const [create, ...rest] = createRoleStatements(role);
      await client.query(create);
      created.push(role.name);
      for (const statement2 of rest) await client.query(statement2);
    }
  } catch (error) {
    for (const name of created.reverse()) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(name)}`).catch(() => void 0);
    const denied = error.code === "42501";
    throw new RunError(`Creating the missing role "${current}" from the backup's globals failed on ${describeConnection(conn)}: ${reason(error)}.`, {
      hint: denied ? "Creating roles needs CREATEROLE (and a superuser for SUPERUSER, REPLICATION or BYPASSRLS roles): use such a role, or create the backup's roles by hand first." : "Nothing was restored; create the role by hand and run again.",
      cause: error
    });
  }
  const names = new Set(created);
  for (const m of globals.memberships.filter((m2) => names.has(m2.member))) {
    await client.query(grantStatement(m)).catch((e) => reporter.warn(`Role membership not restored (${m.role} to ${m.member}): ${reason(e)}`));
  }
  if (globals.tablespaces.length > 0) reporter.warn(`Tablespaces are not created by a restore (their folders are per server): ${[...new Set(globals.tablespaces)].join(", ")}. Create any that are missing by hand; see globals.sql in the artifact.`);
  if (globals.parameterGrants.length > 0) reporter.warn(`Privileges on configuration parameters are not restored: ${[...new Set(globals.parameterGrants)].join(", ")}. Grant them by hand if the app needs them; see globals.sql in the artifact.`);
  if (globals.withheldSettings.length > 0) reporter.warn(`Role settings that load libraries are not restored: ${globals.withheldSettings.join(", ")}. Set them by hand if you trust them.`);
  if (created.length > 0) reporter.info(`Created missing roles from globals: ${created.join(", ")}`);
  return created;
}
function restoreArgs(conn, database, jobs) {
  return ["--exit-on-error", "--no-password", ...jobs > 1 ? [`--jobs=${jobs}`] : [], `--dbname=${conninfo(conn, database)}`];
}
async function readIndex(scratch) {
  const text = await readFile(join6(scratch, "index.json"), "utf8").catch(() => "");
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = void 0;
  }
  const index = dumpIndex.safeParse(parsed);
  if (!index.success) throw new IntegrityError("The PostgreSQL artifact has no valid index.json.", { hint: "It was not made by restorable (or was changed since); nothing was restored." });
  return index.data;
}
async function materializeSet(args) {
  const { set, tools } = args;
  const env = childEnv(set.conn);
  const sniffed = await sniff(args.stream);
  const withAdmin = (work) => withClient(set.conn, set.maintenance, work);
  try {
    if (sniffed.raw) {
      const db = { live: args.primary, staged: besideName(args.primary, set.what, set.tag) };
      await withAdmin((c) => createBeside(c, db));
      set.dbs.push(db);
      const restore = startTool(tools.command("pg_restore"), restoreArgs(set.conn, db.staged, 1), env, "pipe");
      const stop = () => restore.stop();
      args.signal.addEventListener("abort", stop, { once: true });
      try {
        const [fed, restored] = await Promise.allSettled([pipeline2(sniffed.stream, restore.stdin), restore.done]);
        if (fed.status === "rejected" && fed.reason instanceof IntegrityError) throw fed.reason;
        if (restored.status === "rejected") throw restored.reason;
        if (fed.status === "rejected") throw fed.reason;
      } finally {
        args.signal.removeEventListener("abort", stop);
        restore.stop();
      }
      return;
    }
    await extractSafely(sniffed.stream, args.scratch, { source: "postgres", reporter: args.reporter });
    const index = await readIndex(args.scratch);
    const covered = args.covered;
    const foreign = index.databases.length > 1 && covered !== "all" ? index.databases.map((d) => d.name).filter((name) => !covered.includes(name)) : [];
    if (foreign.length > 0) {
      throw new RefusedError(`The backup holds databases the plan does not cover here: ${foreign.join(", ")}. Nothing was restored.`, {
        hint: `The plan restores ${covered === "all" ? "every database" : covered.join(", ")}; restore with a plan whose databases: lists them (or all).`
      });
    }
    if (index.globals) {
      const text = await readFile(join6(args.scratch, "globals.sql"), "utf8").catch(() => {
        throw new IntegrityError("The PostgreSQL artifact lists globals but holds no globals.sql.", { hint: "It was not made by restorable (or was changed since); nothing was restored." });
      });
      const globals = parseGlobals(text, "The backup's globals.sql");
      set.createdRoles = await withAdmin((c) => createMissingRoles(c, globals, set.conn, args.reporter));
    }
    for (const { name, entry } of index.databases) {
      args.signal.throwIfAborted();
      const live = index.databases.length === 1 ? args.primary : name;
      const db = { live, staged: besideName(live, set.what, set.tag) };
      await withAdmin((c) => createBeside(c, db));
      set.dbs.push(db);
      const jobs = index.format === "directory" ? args.jobs : 1;
      const dump = join6(args.scratch, entry);
      const remote = set.conn.exec.length > 0;
      await runTool(tools.command("pg_restore"), [...restoreArgs(set.conn, db.staged, jobs), ...remote ? [] : [dump]], env, args.signal, remote ? { stdin: dump } : {});
    }
  } catch (error) {
    args.stream.destroy();
    await discardSet(set).catch(() => void 0);
    throw fromServer(error) ? explainClientError(error, set.conn, set.maintenance) : error;
  }
}
function fromServer(error) {
  if (error instanceof RestorableError || !(error instanceof Error)) return false;
  const code = error.code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && "severity" in error) return true;
  return ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH"].includes(String(code)) || /^Connection terminated/.test(error.message);
}
async function discardSet(set) {
  if (set.dbs.length === 0 && set.createdRoles.length === 0) return;
  await withClient(set.conn, set.maintenance, async (client) => {
    for (const db of set.dbs) await dropDatabase(client, db.staged);
    for (const role of set.createdRoles) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => void 0);
  });
  set.dbs = [];
}

// src/sources/pg-swap.ts
var pgStep = external_exports.object({
  op: external_exports.enum(["deny", "terminate", "rename", "allow"]),
  /** The database the statement is about; `to` is the new name of a rename. */
  db: external_exports.string(),
  to: external_exports.string().optional(),
  /** The names of the database this step swaps, for the undo: live, built, restore point (null: none was live). */
  live: external_exports.string(),
  staged: external_exports.string(),
  point: external_exports.string().nullable(),
  failed: external_exports.string(),
  /** The database to connect to: never one that is renamed. */
  admin: external_exports.string()
});
async function exists(client, name) {
  return (await client.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
}
var allow = (client, db, yes) => client.query(`alter database ${quoteIdent(db)} allow_connections ${yes}`);
var terminate = (client, db) => client.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [db]);
async function rename(client, from, to) {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`alter database ${quoteIdent(from)} rename to ${quoteIdent(to)}`);
      return;
    } catch (error) {
      if (error.code !== "55006" || attempt >= 10) throw error;
      await terminate(client, from);
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
async function moveDatabase(client, from, to) {
  await allow(client, from, false);
  await terminate(client, from);
  await rename(client, from, to);
  await allow(client, to, true);
}
function adminDatabase(set) {
  return set.dbs.some((d) => d.live === set.maintenance) ? "template1" : set.maintenance;
}
async function planPgSwap(set) {
  const admin = adminDatabase(set);
  const steps = [];
  const points = [];
  await withClient(set.conn, admin, async (client) => {
    for (const db of set.dbs) {
      const point = await exists(client, db.live) ? besideName(db.live, "before", set.tag) : null;
      const names = { live: db.live, staged: db.staged, point, failed: besideName(db.live, "failed", set.tag), admin };
      if (point) {
        points.push(point);
        steps.push({ op: "deny", db: db.live, ...names }, { op: "terminate", db: db.live, ...names }, { op: "rename", db: db.live, to: point, ...names }, { op: "allow", db: point, ...names });
      }
      steps.push({ op: "deny", db: db.staged, ...names }, { op: "terminate", db: db.staged, ...names }, { op: "rename", db: db.staged, to: db.live, ...names }, { op: "allow", db: db.live, ...names });
    }
  });
  return { point: points.length > 0 ? points.join(", ") : null, steps };
}
async function runPgStep(conn, step) {
  await withClient(conn, step.admin, async (client) => {
    if (step.op === "deny") await allow(client, step.db, false);
    else if (step.op === "allow") await allow(client, step.db, true);
    else if (step.op === "terminate") await terminate(client, step.db);
    else {
      await terminate(client, step.db);
      await rename(client, step.db, step.to);
    }
  }).catch((error) => {
    throw new RunError(`Swapping in the restored database failed on ${describeConnection(conn, step.admin)} (${step.op} ${step.db}): ${reason(error)}`, {
      hint: "Check that restorable's role owns the databases or is a superuser (ALTER DATABASE ... RENAME needs that).",
      cause: error
    });
  });
}
async function dropBuilt(conn, admin, primary) {
  const suffix = /_new_\d{8}t\d{6}z_[0-9a-f]+$/.exec(primary)?.[0];
  if (!suffix) return;
  await withClient(conn, admin, async (client) => {
    const names = (await client.query("select datname from pg_database where right(datname, $1) = $2", [suffix.length, suffix])).rows.map((r) => String(r.datname));
    for (const name of names) await dropDatabase(client, name);
  });
}
async function undoPgSteps(conn, steps) {
  const dbs = [...new Map(steps.map((s) => [s.live, s])).values()].reverse();
  if (dbs.length === 0) return;
  const stuck = [];
  await withClient(conn, dbs[0].admin, async (client) => {
    for (const db of dbs) {
      try {
        const [live, staged2] = [await exists(client, db.live), await exists(client, db.staged)];
        if (db.point && await exists(client, db.point)) {
          if (live && staged2) throw new RunError(`"${db.live}" exists beside "${db.point}" and "${db.staged}": it is not this restore's, so it is left alone`);
          if (live) {
            await moveDatabase(client, db.live, db.failed);
            await dropDatabase(client, db.failed);
          }
          await moveDatabase(client, db.point, db.live);
        } else if (!db.point && live && !staged2) {
          await dropDatabase(client, db.live);
        } else if (live) await allow(client, db.live, true);
        if (await exists(client, db.staged)) await dropDatabase(client, db.staged);
        if (await exists(client, db.failed)) await dropDatabase(client, db.failed);
      } catch (error) {
        stuck.push(`"${db.point ?? db.live}" (was "${db.live}"): ${reason(error)}`);
      }
    }
  });
  if (stuck.length > 0) {
    throw new RunError(`Renaming the previous databases back failed on ${describeConnection(conn)}: ${stuck.join("; ")}.`, {
      hint: 'The previous data is whole under the name shown: rename it back by hand (ALTER DATABASE "<that name>" RENAME TO "<live name>") once nothing is connected.'
    });
  }
}

// src/sources/postgres.ts
function locationOf(conn, database) {
  const path = `/${encodeURIComponent(database)}`;
  if (!conn.host || conn.host.startsWith("/")) {
    const query = new URLSearchParams({ ...conn.host ? { host: conn.host } : {}, ...conn.port ? { port: String(conn.port) } : {}, ...conn.user ? { user: conn.user } : {} });
    return `postgres://${path}${query.size > 0 ? `?${query.toString()}` : ""}`;
  }
  const user = conn.user ? `${encodeURIComponent(conn.user)}@` : "";
  const host = conn.host ? conn.host.includes(":") ? `[${conn.host}]` : conn.host : "";
  const port = conn.port ? `:${conn.port}` : "";
  return `postgres://${user}${host}${port}${path}`;
}
function databaseAt(location) {
  return decodeURIComponent(new URL(location).pathname.slice(1));
}
function primaryDatabase(config, conn) {
  return Array.isArray(config.databases) ? primaryOf(conn, config.databases) : conn.database;
}
var staged = /* @__PURE__ */ new Map();
async function serverVersion(conn, database) {
  return withClient(conn, database, async (client) => {
    const rows = (await client.query("select current_setting('server_version') as v, current_setting('server_version_num')::int as n")).rows[0];
    return { version: String(rows.v), major: Math.floor(Number(rows.n) / 1e4) };
  }).catch((error) => {
    throw explainClientError(error, conn, database);
  });
}
async function toolsFor(config, conn, database) {
  const server = await serverVersion(conn, database);
  return { server, tools: await findTools(server.major, config.bin_dir, conn.exec) };
}
var UNREADABLE = `select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'S') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'
    and (not has_schema_privilege(n.oid, 'USAGE') or not has_table_privilege(c.oid, 'SELECT')) order by 1`;
async function checkReadable(config, layout) {
  let bytes = 0;
  for (const database of layout.databases) {
    await withClient(layout.conn, database, async (client) => {
      const denied = (await client.query(UNREADABLE)).rows.map((r) => String(r.t));
      if (denied.length > 0) {
        throw new RunError(`PostgreSQL source "${config.name}": role ${layout.conn.user ?? "(default)"} cannot read ${denied.length} table(s) in database "${database}": ${denied.slice(0, 8).join(", ")}${denied.length > 8 ? ", ..." : ""}.`, {
          hint: "GRANT SELECT on them (and USAGE on their schemas) to this role, or use a role that is a member of pg_read_all_data (PostgreSQL 14+)."
        });
      }
      bytes += Number((await client.query("select pg_database_size(current_database())::bigint as b")).rows[0].b);
    }).catch((error) => {
      throw explainClientError(error, layout.conn, database);
    });
  }
  return bytes;
}
async function checkStagingSpace(config, need, stagingDir) {
  const fs = await statfs(stagingDir);
  const free = fs.bavail * fs.bsize;
  const mib = (n) => `${Math.ceil(n / 2 ** 20)} MiB`;
  if (free < need * 1.05) {
    throw new RunError(`Not enough space to stage the dump of PostgreSQL source "${config.name}": its databases take about ${mib(need)}, ${stagingDir} has ${mib(free)} free.`, {
      hint: "Point --staging (or TMPDIR) at a folder with more free space, or use format: custom with one database (streamed, nothing staged)."
    });
  }
}
var MY_RIGHTS = `select rolname, rolsuper, rolcreatedb, pg_has_role(current_user, 'pg_signal_backend', 'USAGE') as signal from pg_roles where rolname = current_user`;
var LIVE_RIGHTS = `select d.datname, pg_get_userbyid(d.datdba) as owner, pg_has_role(current_user, d.datdba, 'MEMBER') as member,
  exists (select 1 from pg_stat_activity a where a.datname = d.datname and a.pid <> pg_backend_pid() and a.usesysid is not null and not pg_has_role(current_user, a.usesysid, 'MEMBER')) as others
  from pg_database d where case when $1::text[] is null then d.datallowconn and not d.datistemplate else d.datname = any($1::text[]) end order by 1`;
async function checkRestoreRights(config, mode, reporter) {
  const conn = parseConnection(config);
  const live = config.databases === "all" ? null : Array.isArray(config.databases) ? config.databases : [conn.database];
  const missing = await withClient(conn, config.maintenance_database, async (client) => {
    const me = (await client.query(MY_RIGHTS)).rows[0];
    if (!me || me.rolsuper) return [];
    const role2 = String(me.rolname);
    const lacks = [];
    const builds = mode === "drill" ? "a scratch database" : "the restored database beside the live one";
    if (!me.rolcreatedb) lacks.push({ what: `CREATEDB (the ${mode} builds ${builds})`, fix: `ALTER ROLE ${quoteIdent(role2)} CREATEDB` });
    for (const db of (await client.query(LIVE_RIGHTS, [live])).rows) {
      if (!db.member) lacks.push({ what: `membership of role "${db.owner}", which owns database "${db.datname}" (the new database gets that owner${mode === "restore" ? " and the swap renames it" : ""})`, fix: `GRANT ${quoteIdent(String(db.owner))} TO ${quoteIdent(role2)}` });
      if (mode === "restore" && db.others && !me.signal) {
        reporter.warn(`PostgreSQL source "${config.name}": other roles are connected to "${db.datname}", and role ${role2} cannot end their sessions (it lacks pg_signal_backend): the swap fails unless they are gone by then. Stop the app in a pre_restore hook, or GRANT pg_signal_backend TO ${quoteIdent(role2)}.`);
      }
    }
    return lacks.map((l) => ({ ...l, role: role2 }));
  }).catch((error) => {
    throw explainClientError(error, conn, config.maintenance_database);
  });
  if (missing.length === 0) return;
  const role = missing[0].role;
  throw new RunError(`PostgreSQL source "${config.name}": role ${role} cannot ${mode} on ${describeConnection(conn, config.maintenance_database)}: it lacks ${missing.map((m) => m.what).join("; ")}. Nothing was changed.`, {
    hint: `As a superuser: ${missing.map((m) => m.fix).join("; ")}. Or ${mode} with a superuser (see the README, "Required privileges").`
  });
}
var probed = /* @__PURE__ */ new WeakMap();
async function resolve2(config, codec) {
  const conn = parseConnection(config);
  const layout = await resolveLayout(config, conn, codec);
  return { layout, server: layout.server, tools: await findTools(layout.server.major, config.bin_dir, conn.exec) };
}
function register(config, tag, what) {
  const conn = parseConnection(config);
  const primary = primaryDatabase(config, conn);
  const location = locationOf(conn, besideName(primary, what, tag));
  staged.set(location, { conn, maintenance: config.maintenance_database, tag, what, dbs: [], createdRoles: [] });
  return location;
}
function setAt(location) {
  const set = staged.get(location);
  if (!set) throw new RunError(`No restore into ${location} was started in this run.`);
  return set;
}
var postgres = {
  type: "postgres",
  kind: SOURCE_KINDS.postgres,
  schema: postgresConfig,
  extension: ".pgdump",
  extensionOf: (config) => isTarLayout(config) ? ".pgdump.tar" : ".pgdump",
  describe(config) {
    const conn = parseConnection(config);
    const which = config.databases === "all" ? "every database on" : Array.isArray(config.databases) ? `databases ${config.databases.join(", ")} on` : "database";
    const through = conn.exec.length > 0 ? ` through \`${conn.exec.join(" ")}\`` : "";
    return `pg_dump of ${which} ${describeConnection(conn, primaryDatabase(config, conn))}${through}: ${describeDump(config)}${isTarLayout(config) ? "; staged, then tarred" : "; streamed"}`;
  },
  liveLocation(config) {
    const conn = parseConnection(config);
    return locationOf(conn, primaryDatabase(config, conn));
  },
  async probe(config, ctx) {
    const resolved = await resolve2(config, ctx.compression);
    const { layout } = resolved;
    const bytes = await checkReadable(config, layout);
    probed.set(config, resolved);
    if (layout.tar) await checkStagingSpace(config, bytes, ctx.stagingDir);
    if (config.globals && !layout.superuser) ctx.reporter.warn(`PostgreSQL source "${config.name}": the role is not a superuser, so globals are dumped without role passwords (--no-role-passwords).`);
  },
  async snapshot(config, ctx) {
    const { layout, tools, server } = probed.get(config) ?? await resolve2(config, ctx.compression);
    probed.delete(config);
    return snapshotPostgres(config, layout, tools, { name: "postgresql", version: server.version, client: `pg_dump ${tools.version}` }, ctx.stagingDir, ctx.signal);
  },
  async currentSchemaVersion(config) {
    if (!config.schema_version) return null;
    const conn = parseConnection(config);
    const sql = config.schema_version.sql;
    return withClient(conn, primaryDatabase(config, conn), async (client) => {
      const value = (await client.query({ text: sql, rowMode: "array" })).rows[0]?.[0];
      return value === void 0 || value === null ? null : String(value);
    }).catch((error) => {
      if (error.code === "3D000") return null;
      throw error;
    });
  },
  checkRestore: (config, ctx, mode) => checkRestoreRights(config, mode, ctx.reporter),
  stagingLocation: (config, _ctx, tag) => register(config, tag, "new"),
  scratchLocation: (config, _ctx, tag) => register(config, tag, "drill"),
  async materialize(config, stream, into, ctx) {
    const set = setAt(into);
    const { tools } = await toolsFor(config, set.conn, set.maintenance);
    await materializeSet({
      stream,
      set,
      tools,
      primary: primaryDatabase(config, set.conn),
      covered: config.databases === "all" ? "all" : Array.isArray(config.databases) ? config.databases : [primaryDatabase(config, set.conn)],
      jobs: config.jobs,
      scratch: join7(ctx.stagingDir, `pg-${config.name}-${set.tag}`),
      reporter: ctx.reporter,
      signal: ctx.signal
    });
  },
  planSwap: (_config, location) => planPgSwap(setAt(location)),
  runStep: (config, step) => runPgStep(parseConnection(config), pgStep.parse(step)),
  undoSteps: (config, steps) => undoPgSteps(parseConnection(config), steps.map((s) => pgStep.parse(s))),
  async discard(location, config) {
    const set = staged.get(location);
    if (set) await discardSet(set);
    else await dropBuilt(parseConnection(config), config.maintenance_database, databaseAt(location));
  },
  async inspectBuilt(config, location) {
    const set = setAt(location);
    let tables = 0;
    for (const db of set.dbs) tables += await withClient(set.conn, db.staged, async (c) => Number((await c.query(USER_TABLES)).rows[0].n));
    const counts = { databases: set.dbs.length, tables };
    if (!config.schema_version) return { unsound: null, counts };
    const sql = config.schema_version.sql;
    const value = await withClient(set.conn, databaseAt(location), async (c) => (await c.query({ text: sql, rowMode: "array" })).rows[0]?.[0]).then(
      (v) => ({ v }),
      (error) => ({ error })
    );
    if ("error" in value) return { unsound: `the schema_version query fails on it: ${reason(value.error)}`, counts };
    return { unsound: null, schemaVersion: value.v === void 0 || value.v === null ? null : String(value.v), counts };
  },
  async query(config, location, sql) {
    const conn = parseConnection(config);
    return withClient(conn, databaseAt(location), async (client) => (await client.query({ text: sql, rowMode: "array" })).rows[0]?.[0]);
  },
  async retarget(config, url) {
    if (config.databases === "all" || Array.isArray(config.databases) && config.databases.length > 1) {
      throw new UsageError(`--to restores one database, and PostgreSQL source "${config.name}" has ${config.databases === "all" ? "every database on its server" : `databases ${config.databases.join(", ")}`}.`, {
        hint: "To restore them all on another server, copy the plan and point the source at that server; to restore one here elsewhere, use a plan whose source has that one database."
      });
    }
    const moved = { ...config, url, databases: void 0, host: void 0, port: void 0, user: void 0, database: void 0, sslmode: void 0, sslrootcert: void 0, sslcert: void 0, sslkey: void 0 };
    const conn = parseConnection(moved);
    const tables = await withClient(conn, conn.database, async (c) => Number((await c.query(USER_TABLES)).rows[0].n)).catch((error) => {
      if (error.code === "3D000") return 0;
      throw explainClientError(error, conn, conn.database);
    });
    if (tables > 0) {
      throw new RefusedError(`--to ${describeConnection(conn, conn.database)} is not empty (${tables} tables): refusing to restore over it.`, {
        hint: "Restore into a new or empty database there, or drop it first. To replace a database keeping a restore point, restore with the plan's own connection (no --to)."
      });
    }
    return moved;
  }
};

// src/sources/sqlite.ts
import { createReadStream } from "node:fs";
import { access as access2, chmod, chown, constants as constants2, mkdir as mkdir3, open, rm as rm3, stat as stat2, statfs as statfs2 } from "node:fs/promises";
import { dirname as dirname2, resolve as resolve3 } from "node:path";
import { pipeline as pipeline3 } from "node:stream/promises";

// src/sources/sqlite-driver.ts
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
var CHECK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { engine, module, path, pragma } = workerData;
try {
  const db = engine === 'better-sqlite3'
    ? new (require(module))(path, { readonly: true })
    : new (require('node:sqlite').DatabaseSync)(path, { readOnly: true });
  const rows = db.prepare('pragma ' + pragma + '(20)').all();
  db.close();
  parentPort.postMessage({ lines: rows.map((row) => String(Object.values(row)[0])) });
} catch (error) {
  parentPort.postMessage({ error: String((error && error.message) || error), code: error && (error.code || error.errstr) });
}
`;
var CORRUPT = /SQLITE_CORRUPT|SQLITE_NOTADB|malformed|not a database/i;
function checkInWorker(workerData) {
  return new Promise((resolve4, reject) => {
    const worker = new Worker(CHECK_WORKER, { eval: true, workerData });
    worker.once("message", (message) => {
      if (message.lines) resolve4(message.lines);
      else if (CORRUPT.test(`${message.code} ${message.error}`)) resolve4([String(message.error)]);
      else reject(new RunError(`SQLite check of ${workerData.path} could not run: ${message.error}`));
    });
    worker.once("error", reject);
    worker.once("exit", (code) => code !== 0 && reject(new RunError(`The SQLite check worker stopped (exit ${code}).`)));
  });
}
var ALL_PAGES = 2147483647;
function vacuumInto(driver, source, dest) {
  const db = driver.open(source, { readonly: true });
  try {
    db.run("VACUUM INTO ?", dest);
  } finally {
    db.close();
  }
}
function loadBetterSqlite() {
  let Database;
  let module;
  try {
    module = createRequire(import.meta.url).resolve("better-sqlite3");
    Database = createRequire(import.meta.url)(module);
    new Database(":memory:").close();
  } catch {
    return void 0;
  }
  const wrap = (db) => ({
    get: (sql) => db.prepare(sql).get(),
    all: (sql) => db.prepare(sql).all(),
    run: (sql, ...params) => void db.prepare(sql).run(...params),
    close: () => void db.close()
  });
  const probe = new Database(":memory:");
  const sqliteVersion = String(probe.prepare("select sqlite_version() as v").get().v);
  probe.close();
  return {
    name: "better-sqlite3",
    sqliteVersion,
    methods: ["backup", "vacuum"],
    open: (path, { readonly }) => wrap(new Database(path, { readonly, fileMustExist: true, timeout: 3e4 })),
    check: (path, pragma) => checkInWorker({ engine: "better-sqlite3", module, path, pragma }),
    async backup(source, dest) {
      const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 3e4 });
      try {
        await db.backup(dest, { progress: () => ALL_PAGES });
      } finally {
        db.close();
      }
    }
  };
}
async function loadNodeSqlite() {
  let mod;
  try {
    mod = await import("node:sqlite");
  } catch {
    return void 0;
  }
  const { DatabaseSync, backup } = mod;
  const open2 = (path, readonly) => new DatabaseSync(path, { readOnly: readonly, timeout: 3e4 });
  const wrap = (db) => ({
    get: (sql) => db.prepare(sql).get(),
    all: (sql) => db.prepare(sql).all(),
    run: (sql, ...params) => void db.prepare(sql).run(...params),
    close: () => db.close()
  });
  const probe = new DatabaseSync(":memory:");
  const sqliteVersion = String(probe.prepare("select sqlite_version() as v").get().v);
  probe.close();
  return {
    name: "node:sqlite",
    sqliteVersion,
    methods: backup ? ["backup", "vacuum"] : ["vacuum"],
    open: (path, { readonly }) => wrap(open2(path, readonly)),
    check: (path, pragma) => checkInWorker({ engine: "node:sqlite", path, pragma }),
    async backup(source, dest) {
      if (!backup) throw new RunError("This Node.js has node:sqlite without backup().");
      const db = open2(source, true);
      try {
        await backup(db, dest, { rate: ALL_PAGES });
      } finally {
        db.close();
      }
    }
  };
}
var cached;
function availableDrivers() {
  cached ??= (async () => {
    const drivers = [loadBetterSqlite(), await loadNodeSqlite()];
    return drivers.filter((d) => d !== void 0);
  })();
  return cached;
}
async function chooseDriver(env = process.env) {
  const drivers = await availableDrivers();
  const wantDriver = env.RESTORABLE_SQLITE_DRIVER;
  const wantMethod = env.RESTORABLE_SQLITE_METHOD;
  const driver = wantDriver ? drivers.find((d) => d.name === wantDriver) : drivers[0];
  if (!driver) {
    throw new RunError(
      wantDriver ? `The SQLite driver ${wantDriver} (RESTORABLE_SQLITE_DRIVER) cannot be loaded by Node.js ${process.version}.` : `No SQLite engine is available in Node.js ${process.version}.`,
      { hint: "Install better-sqlite3 next to restorable (npm i better-sqlite3), or run on Node.js 22.16 or later, which has node:sqlite." }
    );
  }
  const method = wantMethod ?? driver.methods[0];
  if (!driver.methods.includes(method)) {
    throw new RunError(`The SQLite driver ${driver.name} cannot snapshot with ${method} here.`, {
      hint: `Use one of: ${driver.methods.join(", ")}.`
    });
  }
  return { driver, method };
}

// src/sources/sqlite.ts
var COMPANIONS = ["-wal", "-shm", "-journal"];
var MAGIC = Buffer.from("SQLite format 3\0", "latin1");
function firstValue(row) {
  return row === void 0 ? void 0 : Object.values(row)[0];
}
function readSchemaVersion(db, config) {
  const sql = "pragma" in config.schema_version ? `pragma ${config.schema_version.pragma}` : config.schema_version.sql;
  const value = firstValue(db.get(sql));
  return value === void 0 || value === null ? null : String(value);
}
function quoteIdent2(name) {
  return `"${name.replaceAll('"', '""')}"`;
}
function countRows(db) {
  const tables = db.all("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' and sql not like 'CREATE VIRTUAL TABLE%'").map((row) => String(row.name));
  let rows = 0;
  for (const table of tables) {
    try {
      rows += Number(firstValue(db.get(`select count(*) from ${quoteIdent2(table)}`)));
    } catch {
    }
  }
  return { tables: tables.length, rows };
}
async function checkSnapshot(driver, copy, config) {
  if (config.check === "none") return;
  const pragma = config.check === "quick" ? "quick_check" : "integrity_check";
  const problems = await driver.check(copy, pragma);
  if (problems.length !== 1 || problems[0] !== "ok") {
    throw new IntegrityError(`The snapshot of SQLite source "${config.name}" fails ${pragma}: ${problems.slice(0, 5).join("; ")}`, {
      hint: `The live database itself is probably damaged. Check it with: sqlite3 ${config.path} "pragma integrity_check"`
    });
  }
}
async function isSqliteFile(path) {
  const handle = await open(path, "r");
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(16), 0, 16, 0);
    return bytesRead === 16 && buffer.equals(MAGIC);
  } finally {
    await handle.close();
  }
}
var TMPFS_MAGIC = 16914836;
async function checkStagingSpace2(config, live, ctx) {
  const { stagingDir } = ctx;
  const sizeOf = (path) => stat2(path).then((s) => s.size, () => 0);
  const need = await sizeOf(live) + await sizeOf(`${live}-wal`);
  const fs = await statfs2(stagingDir);
  const free = fs.bavail * fs.bsize;
  if (fs.type === TMPFS_MAGIC && need > 256 * 2 ** 20) {
    ctx.reporter.warn(`The snapshot of "${config.name}" (${Math.ceil(need / 2 ** 20)} MiB) is staged in ${stagingDir}, which is in RAM (tmpfs). Use --staging DIR on a disk to spare the memory.`);
  }
  if (free < need * 1.05) {
    const mib = (n) => `${Math.ceil(n / 2 ** 20)} MiB`;
    throw new RunError(`Not enough space to stage the snapshot of SQLite source "${config.name}": it needs about ${mib(need)}, ${stagingDir} has ${mib(free)} free.`, {
      hint: "Point --staging (or TMPDIR) at a folder with more free space."
    });
  }
}
async function takeOwnership(staged2, live) {
  const model = await stat2(live).catch(() => void 0);
  const owner = model ?? await stat2(dirname2(live));
  await chmod(staged2, model ? model.mode & 4095 : 416);
  await chown(staged2, owner.uid, owner.gid).catch((error) => {
    if (error.code !== "EPERM") throw error;
  });
}
async function refuseIfInUse(name, live) {
  if (!await stat2(live).then(() => true, () => false)) return;
  const { driver } = await chooseDriver();
  let db;
  try {
    db = driver.open(live, { readonly: false });
    db.get("pragma busy_timeout = 0");
    db.get("pragma locking_mode = exclusive");
    db.run("begin exclusive");
    db.run("rollback");
  } catch (error) {
    const text = `${error.code ?? ""} ${reason(error)}`;
    if (/not a database|malformed|SQLITE_NOTADB|SQLITE_CORRUPT/i.test(text)) return;
    const open2 = /database is locked|SQLITE_BUSY|SQLITE_LOCKED/i.test(text);
    throw new RunError(`SQLite source "${name}": ${open2 ? `${live} is still open in another process; restoring now would lose what it writes next` : `could not check that nothing has ${live} open (${reason(error)})`}. Nothing was changed.`, {
      hint: "Stop the app first: a pre_restore hook runs before the swap (e.g. pre_restore: [{command: [docker, compose, stop, app]}]), and post_restore starts it again."
    });
  } finally {
    db?.close();
  }
}
var sqlite = {
  type: "sqlite",
  kind: SOURCE_KINDS.sqlite,
  schema: sqliteConfig,
  extension: ".sqlite",
  describe: (config, ctx) => `SQLite online backup of ${resolve3(ctx.planDir, config.path)}, then ${config.check === "none" ? "no check" : `${config.check}_check`}`,
  liveLocation: (config, ctx) => resolve3(ctx.planDir, config.path),
  async probe(config, ctx) {
    const live = sqlite.liveLocation(config, ctx);
    try {
      await access2(live, constants2.R_OK);
    } catch (error) {
      throw new RunError(`SQLite source "${config.name}": cannot read ${live}: ${reason(error)}`, { hint: ioHint(error), cause: error });
    }
    await checkStagingSpace2(config, live, ctx);
    if (!await isSqliteFile(live)) {
      throw new RunError(`SQLite source "${config.name}": ${live} is not a SQLite database.`, {
        hint: "Point `path` at the database file itself (not its folder or its -wal file)."
      });
    }
    await chooseDriver();
  },
  async snapshot(config, ctx) {
    const live = sqlite.liveLocation(config, ctx);
    const copy = resolve3(ctx.stagingDir, `${config.name}.sqlite`);
    const { driver, method } = await chooseDriver();
    try {
      if (method === "backup") await driver.backup(live, copy);
      else vacuumInto(driver, live, copy);
    } catch (error) {
      throw new RunError(`SQLite source "${config.name}": the snapshot of ${live} failed: ${reason(error)}`, { hint: isDiskFull(error) ? stagingFullHint(ctx.stagingDir) : ioHint(error), cause: error });
    }
    const db = driver.open(copy, { readonly: false });
    let info;
    try {
      db.get("pragma journal_mode = delete");
      info = {
        engine: { name: "sqlite", version: driver.sqliteVersion },
        method: `${method === "backup" ? "online backup" : "VACUUM INTO"} (${driver.name})`,
        schemaVersion: readSchemaVersion(db, config),
        counts: countRows(db)
      };
    } finally {
      db.close();
    }
    const checked = checkSnapshot(driver, copy, config).then(() => info);
    checked.catch(() => void 0);
    return { stream: () => createReadStream(copy, { highWaterMark: 1 << 20 }), file: copy, info: checked };
  },
  async currentSchemaVersion(config, ctx) {
    const live = sqlite.liveLocation(config, ctx);
    const exists2 = await access2(live).then(() => true, () => false);
    if (!exists2) return null;
    const { driver } = await chooseDriver();
    const db = driver.open(live, { readonly: true });
    try {
      return readSchemaVersion(db, config);
    } finally {
      db.close();
    }
  },
  async materialize(config, stream, into) {
    await mkdir3(dirname2(into), { recursive: true });
    const handle = await open(into, "wx", 384);
    try {
      await pipeline3(stream, handle.createWriteStream());
      const synced = await open(into, "r+");
      await synced.sync().finally(() => synced.close());
      if (!await isSqliteFile(into)) {
        throw new IntegrityError(`The artifact for SQLite source "${config.name}" is not a SQLite database.`, {
          hint: "The backup was made from another kind of source; restore it with a plan whose source has the same type."
        });
      }
    } catch (error) {
      await rm3(into, { force: true });
      throw error;
    }
  },
  stagingLocation: (config, ctx, tag) => besidePath(sqlite.liveLocation(config, ctx), "new", tag),
  async planSwap(config, staged2, ctx, tag) {
    const live = sqlite.liveLocation(config, ctx);
    await refuseIfInUse(config.name, live);
    await takeOwnership(staged2, live);
    for (const suffix of COMPANIONS) await rm3(staged2 + suffix, { force: true });
    return planFileSwap(live, staged2, tag, COMPANIONS);
  },
  runStep: (_config, step) => runPathStep(pathStep.parse(step)),
  undoSteps: (_config, steps) => undoPathSteps(steps.map((s) => pathStep.parse(s))),
  ownedPaths: (config, ctx) => {
    const live = sqlite.liveLocation(config, ctx);
    return [live, ...COMPANIONS.map((suffix) => live + suffix)];
  },
  // A build whose header says WAL (a forged one can) gets -wal and -shm beside it when the checks open it.
  discard: async (staged2) => {
    for (const path of [staged2, ...COMPANIONS.map((suffix) => staged2 + suffix)]) await rm3(path, { force: true });
  },
  async inspectBuilt(config, location, _ctx, purpose) {
    const { driver } = await chooseDriver();
    const pragma = purpose === "drill" ? "integrity_check" : "quick_check";
    const lines = await driver.check(location, pragma).catch((error) => [reason(error)]);
    if (lines.length !== 1 || lines[0] !== "ok") return { unsound: `${pragma}: ${lines.slice(0, 5).join("; ")}`, counts: {} };
    let db;
    try {
      db = driver.open(location, { readonly: true });
      const counts = countRows(db);
      let schemaVersion;
      try {
        schemaVersion = readSchemaVersion(db, config);
      } catch (error) {
        return { unsound: `the schema_version query fails on it: ${reason(error)}`, counts };
      }
      return { unsound: null, schemaVersion, counts };
    } catch (error) {
      return { unsound: `it cannot be opened: ${reason(error)}`, counts: {} };
    } finally {
      db?.close();
    }
  },
  async query(_config, location, sql) {
    const { driver } = await chooseDriver();
    const db = driver.open(location, { readonly: true });
    try {
      return firstValue(db.get(sql));
    } finally {
      db.close();
    }
  }
};

// src/sources/index.ts
var adapters = { sqlite, postgres, files };
function sourceAdapter(config) {
  return adapters[config.type];
}

export {
  refusal,
  noteLeftOut,
  files,
  parseConnection,
  describeConnection,
  withClient,
  explainClientError,
  besideName,
  dropDatabase,
  sourceAdapter
};
