import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  isNetworkError,
  retryBudgetMs,
  withRetry
} from "./chunk-5QPPHHFV.js";
import {
  linger
} from "./chunk-IIVFCJRN.js";
import {
  DIR_MODE,
  FILE_MODE,
  TEMP_PREFIX,
  githubArtifactConfig,
  githubArtifactTraits,
  githubCacheConfig,
  githubCacheTraits,
  localConfig,
  localTraits,
  retryMessage,
  s3Config,
  s3Traits,
  sftpConfig,
  sftpTraits,
  traitsOf
} from "./chunk-23TMSUQ2.js";
import {
  NotFoundError,
  RestorableError,
  RunError,
  ioHint,
  reason
} from "./chunk-WHVU3KGO.js";

// src/targets/github-artifact.ts
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

// src/targets/actions-output.ts
var depth = 0;
var original;
function redirected(chunk, ...rest) {
  const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
  const kept = process.env.RUNNER_DEBUG === "1" ? text : text.split(/(?<=\n)/).filter((line) => !line.startsWith("::debug::")).join("");
  const callback = rest.find((arg) => typeof arg === "function");
  if (!kept) {
    callback?.();
    return true;
  }
  return process.stderr.write(kept, callback);
}
async function chatterToStderr(run) {
  if (depth++ === 0) {
    original = process.stdout.write;
    process.stdout.write = redirected;
  }
  try {
    return await run();
  } finally {
    if (--depth === 0 && original) process.stdout.write = original;
  }
}

// src/targets/github-api.ts
var HttpError = class extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
};
var transient = (error) => isNetworkError(error) || error instanceof HttpError && (error.status >= 500 || error.status === 429);
var GithubApi = class {
  constructor(target, config, env) {
    this.target = target;
    this.config = config;
    this.env = env;
  }
  get repository() {
    return this.config.repository ?? this.env.GITHUB_REPOSITORY;
  }
  token() {
    const token = this.config.token ?? this.env.GITHUB_TOKEN;
    if (!token) {
      throw new RunError(`Target "${this.target}": no token to reach GitHub's API.`, {
        hint: "Set GITHUB_TOKEN (in a workflow: env: {GITHUB_TOKEN: ${{ github.token }}} with permissions actions: write), or token: ${VAR} in the target."
      });
    }
    return token;
  }
  repo() {
    const repo = this.repository;
    if (!repo) throw new RunError(`Target "${this.target}": which repository? GITHUB_REPOSITORY is not set.`, { hint: "Set repository: owner/name in the target, or GITHUB_REPOSITORY." });
    return repo;
  }
  /** `path` is below /repos/<owner>/<name>; a 404 on DELETE counts as done. */
  async request(method, path) {
    const base = (this.env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/$/, "");
    const url = `${base}/repos/${this.repo()}${path}`;
    const headers = { authorization: `Bearer ${this.token()}`, accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" };
    return withRetry(
      async () => {
        const response = await fetch(url, { method, headers });
        if (method === "DELETE" && response.status === 404) return void 0;
        if (!response.ok) {
          const text = await response.text().catch(() => "");
          throw new HttpError(response.status, `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
        }
        return response;
      },
      { transient, totalMs: retryBudgetMs(this.env) }
    );
  }
  /** A RunError naming the target and what it was doing, with a hint for the usual statuses. */
  fail(where, doing, error) {
    if (error instanceof RunError) return error;
    const status = error instanceof HttpError ? error.status : void 0;
    const hint = status === 401 ? "GitHub refused the token: check GITHUB_TOKEN (or token:)." : status === 403 ? "The token may not do this: it needs actions: read (list, restore) and actions: write (prune)." : status === 404 ? "Check the repository (owner/name) and that the token can see it." : isNetworkError(error) ? "GitHub's API could not be reached: check the network (and GITHUB_API_URL on GitHub Enterprise)." : void 0;
    return new RunError(`Target "${this.target}" (${where}): ${doing} failed: ${reason(error)}`, { hint, cause: error });
  }
};

// src/targets/github-artifact.ts
var PREFIX = "restorable__";
function artifactName(key) {
  return PREFIX + key.replace(/_/g, "_5f").replace(/\//g, "__");
}
function keyOfArtifact(name) {
  if (!name.startsWith(PREFIX)) return void 0;
  let key = "";
  const text = name.slice(PREFIX.length);
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "_") key += text[i];
    else if (text[i + 1] === "_") key += "/", i++;
    else if (text.slice(i + 1, i + 3) === "5f") key += "_", i += 2;
    else return void 0;
  }
  return key;
}
var GithubArtifactTarget = class {
  constructor(name, config, medium, offsite, immutable, env) {
    this.name = name;
    this.config = config;
    this.medium = medium;
    this.offsite = offsite;
    this.immutable = immutable;
    this.env = env;
    const wanted = config.retention_days ?? 90;
    const cap = Number(env.GITHUB_RETENTION_DAYS);
    this.expiresAfterDays = cap > 0 && cap < wanted ? cap : wanted;
    this.api = new GithubApi(name, config, env);
    this.where = `GitHub artifacts of ${this.api.repository ?? "(GITHUB_REPOSITORY unset)"}`;
  }
  type = "github-artifact";
  where;
  expiresAfterDays;
  lockable = false;
  writeOnce = true;
  api;
  fail(doing, error) {
    return this.api.fail(this.where, doing, error);
  }
  async artifacts() {
    const all = [];
    for (let page = 1; ; page++) {
      const response = await this.api.request("GET", `/actions/artifacts?per_page=100&page=${page}`);
      const { artifacts } = await response.json();
      all.push(...artifacts.filter((a) => a.name.startsWith(PREFIX) && !a.expired));
      if (artifacts.length < 100) return all;
    }
  }
  async find(key) {
    const name = artifactName(key);
    return (await this.artifacts()).filter((a) => a.name === name).sort((a, b) => b.id - a.id)[0];
  }
  async probe() {
    if (!this.env.ACTIONS_RUNTIME_TOKEN || !this.env.ACTIONS_RESULTS_URL) {
      throw new RunError(`Target "${this.name}": GitHub artifacts can only be uploaded from inside a GitHub Actions job (ACTIONS_RUNTIME_TOKEN is not set); no copy was written there.`, {
        hint: "Run the backup in the Action (or a workflow step), or leave this target out of local runs; list, restore and prune reach artifacts from anywhere with GITHUB_TOKEN and GITHUB_REPOSITORY."
      });
    }
    this.api.repo();
  }
  async put(key, body) {
    const name = artifactName(key);
    const dir = await mkdtemp(join(this.env.RUNNER_TEMP ?? tmpdir(), "restorable-artifact-"));
    try {
      const file = join(dir, name);
      await pipeline(body, createWriteStream(file, { flags: "wx" }));
      const { size } = await stat(file);
      const { DefaultArtifactClient } = await import("./artifact-WDQOL6WD.js");
      await chatterToStderr(() => new DefaultArtifactClient().uploadArtifact(name, [file], dir, { skipArchive: true, retentionDays: this.expiresAfterDays }));
      return { bytes: size };
    } catch (error) {
      body.destroy();
      throw this.fail(`uploading ${key}`, error);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  async get(key) {
    let artifact;
    try {
      artifact = await this.find(key);
    } catch (error) {
      throw this.fail(`finding ${key}`, error);
    }
    if (!artifact) throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
    const dir = await mkdtemp(join(this.env.RUNNER_TEMP ?? tmpdir(), "restorable-artifact-"));
    try {
      const { DefaultArtifactClient } = await import("./artifact-WDQOL6WD.js");
      const [owner, repo] = this.api.repo().split("/");
      const findBy = { token: this.api.token(), workflowRunId: artifact.workflow_run?.id ?? 0, repositoryOwner: owner, repositoryName: repo };
      await chatterToStderr(() => new DefaultArtifactClient().downloadArtifact(artifact.id, { path: dir, skipDecompress: true, findBy }));
      const stream = createReadStream(join(dir, artifact.name), { highWaterMark: 1 << 20 });
      stream.once("close", () => void rm(dir, { recursive: true, force: true }));
      await new Promise((resolve3, reject) => stream.once("open", () => resolve3()).once("error", reject));
      return stream;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw this.fail(`downloading ${key}`, error);
    }
  }
  async list(prefix) {
    try {
      const newest = /* @__PURE__ */ new Map();
      for (const artifact of (await this.artifacts()).sort((a, b) => a.id - b.id)) newest.set(artifact.name, artifact);
      return [...newest.values()].map((a) => ({ key: keyOfArtifact(a.name), size: a.size_in_bytes, modified: new Date(a.created_at) })).filter((o) => o.key !== void 0 && o.key.startsWith(prefix));
    } catch (error) {
      throw this.fail(`listing ${prefix}`, error);
    }
  }
  async remove(keys) {
    if (keys.length === 0) return;
    try {
      const wanted = new Set(keys.map(artifactName));
      for (const artifact of (await this.artifacts()).filter((a) => wanted.has(a.name))) {
        await this.api.request("DELETE", `/actions/artifacts/${artifact.id}`);
      }
    } catch (error) {
      throw this.fail("removing artifacts", error);
    }
  }
};
var githubArtifact = {
  type: "github-artifact",
  schema: githubArtifactConfig,
  ...githubArtifactTraits,
  create: (config, ctx) => new GithubArtifactTarget(
    config.name,
    config,
    traitsOf(config).medium,
    traitsOf(config).offsite,
    traitsOf(config).immutable,
    ctx.env ?? process.env
  )
};

// src/targets/github-cache.ts
import { createHash } from "node:crypto";
import { createReadStream as createReadStream2, createWriteStream as createWriteStream2 } from "node:fs";
import { mkdir, rm as rm2, stat as stat2 } from "node:fs/promises";
import { tmpdir as tmpdir2 } from "node:os";
import { dirname, join as join2 } from "node:path";
import { pipeline as pipeline2 } from "node:stream/promises";
var PREFIX2 = "restorable-";
var cacheKey = (key) => PREFIX2 + key;
var keyOfCache = (name) => name.startsWith(PREFIX2) ? name.slice(PREFIX2.length) : void 0;
var GithubCacheTarget = class {
  constructor(name, config, medium, offsite, immutable, env) {
    this.name = name;
    this.config = config;
    this.medium = medium;
    this.offsite = offsite;
    this.immutable = immutable;
    this.env = env;
    this.api = new GithubApi(name, config, env);
    this.where = `GitHub Actions cache of ${this.api.repository ?? "(GITHUB_REPOSITORY unset)"}`;
  }
  type = "github-cache";
  where;
  counted = false;
  lockable = false;
  writeOnce = true;
  api;
  /** Where an object is staged to be saved, and restored: the same path for the same key, on every runner. */
  stagePath(key) {
    return join2(this.env.RUNNER_TEMP ?? tmpdir2(), "restorable-cache", createHash("sha256").update(key).digest("hex").slice(0, 24), "object");
  }
  fail(doing, error) {
    return this.api.fail(this.where, doing, error);
  }
  async caches(prefix) {
    const all = [];
    for (let page = 1; ; page++) {
      const response = await this.api.request("GET", `/actions/caches?per_page=100&page=${page}&key=${encodeURIComponent(cacheKey(prefix))}`);
      const { actions_caches: caches } = await response.json();
      all.push(...caches);
      if (caches.length < 100) return all;
    }
  }
  async probe() {
    if (!this.env.ACTIONS_RUNTIME_TOKEN || !this.env.ACTIONS_RESULTS_URL) {
      throw new RunError(`Target "${this.name}": the GitHub Actions cache exists only inside a GitHub Actions job (ACTIONS_RUNTIME_TOKEN is not set); no copy was written there.`, {
        hint: "It is a fast-restore tier for workflows and never counts toward 3-2-1; leave it out of local runs."
      });
    }
  }
  async put(key, body) {
    const path = this.stagePath(key);
    try {
      await rm2(dirname(path), { recursive: true, force: true });
      await mkdir(dirname(path), { recursive: true });
      await pipeline2(body, createWriteStream2(path, { flags: "wx" }));
      const { size } = await stat2(path);
      const cache = await import("./cache-SHIYPC3G.js");
      const id = await chatterToStderr(() => cache.saveCache([path], cacheKey(key)));
      if (id === -1) throw new RunError(`Target "${this.name}": saving ${key} to the cache failed (the cache client returned -1; see its warning above).`);
      return { bytes: size };
    } catch (error) {
      body.destroy();
      throw this.fail(`saving ${key}`, error);
    } finally {
      await rm2(dirname(path), { recursive: true, force: true });
    }
  }
  async get(key) {
    if (!this.env.ACTIONS_RUNTIME_TOKEN || !this.env.ACTIONS_RESULTS_URL) {
      throw new RunError(`Target "${this.name}": the GitHub Actions cache can be read only inside a GitHub Actions job.`, { hint: "Restore from another target (--target), or run the restore in a workflow." });
    }
    const path = this.stagePath(key);
    try {
      await rm2(dirname(path), { recursive: true, force: true });
      const cache = await import("./cache-SHIYPC3G.js");
      const hit = await chatterToStderr(() => cache.restoreCache([path], cacheKey(key), [], { lookupOnly: false }));
      if (hit !== cacheKey(key)) throw new NotFoundError(`Target "${this.name}" has no ${key} (a cache miss: evicted, another branch's, or the cache is unreachable from here).`);
      const stream = createReadStream2(path, { highWaterMark: 1 << 20 });
      stream.once("close", () => void rm2(dirname(path), { recursive: true, force: true }));
      return stream;
    } catch (error) {
      await rm2(dirname(path), { recursive: true, force: true });
      if (error instanceof NotFoundError) throw error;
      throw this.fail(`restoring ${key}`, error);
    }
  }
  async list(prefix) {
    try {
      return (await this.caches(prefix)).map((c) => ({ key: keyOfCache(c.key), size: c.size_in_bytes, modified: new Date(c.created_at) })).filter((o) => o.key !== void 0 && o.key.startsWith(prefix));
    } catch (error) {
      throw this.fail(`listing ${prefix}`, error);
    }
  }
  async remove(keys) {
    try {
      for (const key of keys) {
        await this.api.request("DELETE", `/actions/caches?key=${encodeURIComponent(cacheKey(key))}`);
      }
    } catch (error) {
      throw this.fail("removing cache entries", error);
    }
  }
};
var githubCache = {
  type: "github-cache",
  schema: githubCacheConfig,
  ...githubCacheTraits,
  create: (config, ctx) => new GithubCacheTarget(
    config.name,
    config,
    traitsOf(config).medium,
    traitsOf(config).offsite,
    traitsOf(config).immutable,
    ctx.env ?? process.env
  )
};

// src/targets/local.ts
import { mkdir as mkdir2, open, readdir, rename, rm as rm3, rmdir, stat as stat3, writeFile } from "node:fs/promises";
import { dirname as dirname2, join as join3, posix, relative, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline as pipeline3 } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
var TMP = TEMP_PREFIX;
var PROBE = `${TMP}probe-`;
var HOST = hostname().replace(/[^A-Za-z0-9.]/g, "_");
async function removeDeadProbes(root) {
  const mine = new RegExp(`^${PROBE.replace(/[.]/g, "\\.")}${HOST.replace(/[.]/g, "\\.")}-(\\d+)-[0-9a-f]{8}$`);
  for (const name of await readdir(root).catch(() => [])) {
    const pid = Number(mine.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    await rm3(join3(root, name), { force: true }).catch(() => void 0);
  }
}
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
async function fsyncPath(path) {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
async function createInFolder(path) {
  for (let attempt = 1; ; attempt++) {
    try {
      await mkdir2(dirname2(path), { recursive: true, mode: DIR_MODE });
      return await open(path, "wx", FILE_MODE);
    } catch (error) {
      const code = error.code;
      if (code !== "ENOENT" && code !== "ENOTDIR" || attempt >= 20) throw error;
    }
  }
}
async function walk(dir, out) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = error.code;
    if (code === "ENOENT" || code === "ENOTDIR") return;
    throw error;
  }
  for (const entry of entries) {
    const path = join3(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out);
    else if (entry.isFile()) out.push(path);
  }
}
var LocalTarget = class {
  constructor(name, root, medium, offsite, immutable) {
    this.name = name;
    this.root = root;
    this.medium = medium;
    this.offsite = offsite;
    this.immutable = immutable;
    this.where = root;
  }
  type = "local";
  where;
  localPath(key) {
    const normal = posix.normalize(key);
    if (normal.startsWith("../") || normal === ".." || posix.isAbsolute(normal)) throw new RunError(`Invalid object key: ${key}`);
    return join3(this.root, ...normal.split("/"));
  }
  fail(doing, error) {
    return new RunError(`Target "${this.name}" (${this.root}): ${doing} failed: ${reason(error)}`, { hint: ioHint(error), cause: error });
  }
  /**
   * The folder must exist already: a missing /mnt/nas means an unmounted
   * drive, and creating it would put the "copy" on the system disk.
   */
  async probe() {
    const existing = await stat3(this.root).catch(() => void 0);
    if (!existing) {
      throw new RunError(`Target "${this.name}": the folder ${this.root} does not exist.`, {
        hint: "Is the drive mounted? If this is the first use of this target, create the folder (mkdir -p)."
      });
    }
    if (!existing.isDirectory()) {
      throw new RunError(`Target "${this.name}" is not a folder: ${this.root}`, { hint: "Point `path` at a folder (or remove the file that is in the way)." });
    }
    const probe = join3(this.root, `${PROBE}${HOST}-${process.pid}-${randomBytes(4).toString("hex")}`);
    try {
      await removeDeadProbes(this.root);
      await writeFile(probe, "restorable write probe\n", { mode: FILE_MODE });
      await rm3(probe, { force: true });
    } catch (error) {
      throw new RunError(`Target "${this.name}" is not writable: ${this.root}: ${reason(error)}`, { hint: ioHint(error), cause: error });
    }
  }
  async put(key, body) {
    const final = this.localPath(key);
    const temp = join3(dirname2(final), `${TMP}${randomBytes(6).toString("hex")}`);
    let bytes = 0;
    try {
      const handle = await createInFolder(temp);
      body.on("data", (chunk) => bytes += chunk.length);
      await pipeline3(body, handle.createWriteStream());
      await fsyncPath(temp);
      await rename(temp, final);
      await fsyncPath(dirname2(final));
      return { bytes };
    } catch (error) {
      body.destroy();
      await rm3(temp, { force: true });
      await rmdir(dirname2(final)).catch(() => void 0);
      throw this.fail(`writing ${key}`, error);
    }
  }
  async get(key) {
    const path = this.localPath(key);
    const handle = await open(path, "r").catch((error) => {
      if (error.code === "ENOENT") throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
      throw this.fail(`reading ${key}`, error);
    });
    return handle.createReadStream({ highWaterMark: 1 << 20 });
  }
  async getRange(key, offset, length) {
    const handle = await open(this.localPath(key), "r").catch((error) => {
      if (error.code === "ENOENT") throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
      throw this.fail(`reading ${key}`, error);
    });
    return length === 0 ? (await handle.close(), Readable.from([])) : handle.createReadStream({ start: offset, end: offset + length - 1, highWaterMark: 1 << 20 });
  }
  async list(prefix) {
    if (!await stat3(this.root).then((s) => s.isDirectory(), () => false)) {
      throw new RunError(`Target "${this.name}": the folder ${this.root} does not exist.`, { hint: "Is the drive mounted? Nothing under it can be listed." });
    }
    const paths = [];
    const start = this.localPath(prefix.endsWith("/") ? prefix.slice(0, -1) || "." : dirname2(prefix) || ".");
    try {
      await walk(start, paths);
    } catch (error) {
      throw this.fail(`listing ${prefix}`, error);
    }
    const objects = [];
    for (const path of paths) {
      const key = relative(this.root, path).split(sep).join("/");
      if (!key.startsWith(prefix)) continue;
      const info = await stat3(path).catch(() => void 0);
      if (info) objects.push({ key, size: info.size, modified: info.mtime });
    }
    return objects;
  }
  async removeEmptyFolders(prefix, keep) {
    const dir = this.localPath(prefix.replace(/\/+$/, "") || ".");
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const removed = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || keep.includes(entry.name)) continue;
      if (await rmdir(join3(dir, entry.name)).then(() => true, () => false)) removed.push(entry.name);
    }
    return removed;
  }
  async remove(keys) {
    const dirs = /* @__PURE__ */ new Set();
    for (const key of keys) {
      const path = this.localPath(key);
      try {
        await rm3(path, { force: true });
      } catch (error) {
        throw this.fail(`removing ${key}`, error);
      }
      dirs.add(dirname2(path));
    }
    for (const dir of dirs) {
      for (let at = dir; at.startsWith(this.root + sep); at = dirname2(at)) {
        if (!await rmdir(at).then(() => true, () => false)) break;
      }
    }
  }
};
var local = {
  type: "local",
  schema: localConfig,
  ...localTraits,
  create: (config, ctx) => new LocalTarget(
    config.name,
    resolve(ctx.planDir, config.path),
    traitsOf(config).medium,
    traitsOf(config).offsite,
    traitsOf(config).immutable
  )
};

// src/targets/s3.ts
import { Readable as Readable2, Transform } from "node:stream";
import { pipeline as pipeline4 } from "node:stream/promises";
var TRANSIENT_NAMES = /* @__PURE__ */ new Set(["SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "ServiceUnavailable", "InternalError", "ThrottlingException", "TimeoutError"]);
function s3Transient(error) {
  const e = error;
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return isNetworkError(error) || status >= 500 || status === 429 || TRANSIENT_NAMES.has(e?.name ?? "");
}
function hintFor(error, bucket) {
  const e = error;
  const status = e?.$metadata?.httpStatusCode;
  switch (e?.name ?? e?.Code) {
    case "InvalidAccessKeyId":
    case "SignatureDoesNotMatch":
    case "InvalidClientTokenId":
    case "CredentialsProviderError":
      return "The store refused the credentials: check access_key_id/secret_access_key (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and the endpoint.";
    case "AccessDenied":
      return `The credentials may not write to bucket "${bucket}": grant s3:PutObject, GetObject, ListBucket and DeleteObject.`;
    case "NoSuchBucket":
      return `Create bucket "${bucket}" first (restorable never creates buckets), or fix the name.`;
  }
  if (status === 403) return "The store refused the request (403): check the credentials and their permissions on the bucket.";
  if (status === 404) return `Bucket "${bucket}" was not found: create it first, or check endpoint, region and path_style.`;
  if (isNetworkError(error)) return "The store could not be reached: check the endpoint, the network and that the service is up.";
  return void 0;
}
function describe(error) {
  const e = error;
  const status = e?.$metadata?.httpStatusCode;
  const text = reason(error) === "UnknownError" || !reason(error) ? `HTTP ${status ?? "?"}` : reason(error);
  return status && !text.includes(String(status)) ? `${text} (HTTP ${status})` : text;
}
var sdk;
var loadSdk = () => sdk ??= Promise.all([import("./dist-cjs-LUAOM3IJ.js").then(commonJs), import("./dist-cjs-LD65BX43.js").then(commonJs)]);
function commonJs(mod) {
  return mod.default ?? mod;
}
var S3Target = class {
  constructor(name, config, medium, offsite, immutable, env, onRetry) {
    this.name = name;
    this.config = config;
    this.medium = medium;
    this.offsite = offsite;
    this.immutable = immutable;
    this.env = env;
    this.onRetry = onRetry;
    this.prefix = config.prefix ? config.prefix.replace(/^\/+/, "").replace(/\/*$/, "/") : "";
    this.where = `s3://${config.bucket}/${this.prefix}${config.endpoint ? ` at ${new URL(config.endpoint).host}` : ""}`;
    const options = {
      region: config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
      forcePathStyle: config.path_style ?? false,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 3,
      // Without these a connection that goes silent (a dead NAT entry, a hung proxy) waits for ever.
      requestHandler: { connectionTimeout: 3e4, requestTimeout: 12e4 }
    };
    if (config.endpoint) options.endpoint = config.endpoint;
    if (config.access_key_id && config.secret_access_key) {
      options.credentials = {
        accessKeyId: config.access_key_id,
        secretAccessKey: config.secret_access_key,
        ...config.session_token ? { sessionToken: config.session_token } : {}
      };
    }
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    this.options = options;
  }
  type = "s3";
  where;
  options;
  client;
  prefix;
  async sdk() {
    const [s32, storage] = await loadSdk();
    this.client ??= new s32.S3Client(this.options);
    return { client: this.client, s3: s32, Upload: storage.Upload };
  }
  key(key) {
    return this.prefix + key;
  }
  fail(doing, error) {
    return new RunError(`Target "${this.name}" (${this.where}): ${doing} failed: ${describe(error)}`, { hint: hintFor(error, this.config.bucket), cause: error });
  }
  retry(doing, run) {
    const budget = this.config.retry_for ?? retryBudgetMs(this.env);
    const onRetry = (error, attempt, delay) => this.onRetry?.(retryMessage(this.name, error, attempt, delay, budget));
    return withRetry(run, { transient: s3Transient, totalMs: budget, place: `s3:${this.config.endpoint ?? ""}/${this.config.bucket}`, onRetry }).catch((error) => {
      if (error instanceof NotFoundError) throw error;
      throw this.fail(doing, error);
    });
  }
  async probe() {
    if (this.config.access_key_id && !this.config.secret_access_key) {
      throw new RunError(`Target "${this.name}": access_key_id is set but secret_access_key is not.`, { hint: "Set both, from ${VAR}, or neither (the standard AWS variables are then used)." });
    }
    const { client, s3: s32 } = await this.sdk();
    await this.retry("checking the bucket", () => client.send(new s32.HeadBucketCommand({ Bucket: this.config.bucket })));
  }
  async put(key, body) {
    const { client, Upload } = await this.sdk();
    let bytes = 0;
    const counted = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      }
    });
    const feeding = pipeline4(body, counted).catch(() => void 0);
    const lock = this.config.object_lock;
    const upload = new Upload({
      client,
      // 8 MiB parts, two in flight: at most ~16 MiB in memory whatever the artifact's size.
      partSize: 8 << 20,
      queueSize: 2,
      leavePartsOnError: false,
      params: {
        Bucket: this.config.bucket,
        Key: this.key(key),
        Body: counted,
        ...this.config.storage_class ? { StorageClass: this.config.storage_class } : {},
        ...lock ? {
          ObjectLockMode: lock.mode,
          ObjectLockRetainUntilDate: new Date(Date.now() + lock.days * 864e5),
          // S3 requires a checksum on writes that set a lock.
          ChecksumAlgorithm: "SHA256"
        } : {}
      }
    });
    try {
      await upload.done();
      await feeding;
      return { bytes };
    } catch (error) {
      body.destroy();
      await upload.abort().catch(() => void 0);
      throw this.fail(`writing ${key}`, error);
    }
  }
  async get(key) {
    return (await this.read(key)).body;
  }
  async getRange(key, offset, length) {
    if (length === 0) return Readable2.from([]);
    const { body, from } = await this.read(key, `bytes=${offset}-${offset + length - 1}`);
    if (from > offset) {
      body.destroy();
      throw new RunError(`Target "${this.name}": reading ${key} from byte ${offset} returned bytes from ${from} on.`, { hint: "The S3 service answers ranges wrongly; restore whole (without --path) or from another target." });
    }
    const out = slice(offset - from, length);
    body.once("error", (error) => out.destroy(error));
    out.once("close", () => body.destroy());
    return body.pipe(out);
  }
  async read(key, range) {
    const { client, s3: s32 } = await this.sdk();
    const response = await this.retry(`reading ${key}`, async () => {
      try {
        return await client.send(new s32.GetObjectCommand({ Bucket: this.config.bucket, Key: this.key(key), ...range ? { Range: range } : {} }));
      } catch (error) {
        if (error.name === "NoSuchKey") throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
        if (range && error.name === "InvalidRange") return void 0;
        throw error;
      }
    });
    if (!response) return { body: Readable2.from([]), from: 0 };
    const stream = response.Body;
    if (!(stream instanceof Readable2)) throw new RunError(`Target "${this.name}": reading ${key} returned no stream.`);
    return { body: stream, from: Number(/^bytes (\d+)-/.exec(response.ContentRange ?? "")?.[1] ?? 0) };
  }
  async list(prefix) {
    const { client, s3: s32 } = await this.sdk();
    const objects = [];
    let token;
    do {
      const page = await this.retry(
        `listing ${prefix}`,
        () => client.send(new s32.ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: this.key(prefix), ...token ? { ContinuationToken: token } : {} }))
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        objects.push({ key: item.Key.slice(this.prefix.length), size: item.Size ?? 0, modified: item.LastModified ?? /* @__PURE__ */ new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : void 0;
    } while (token);
    return objects;
  }
  async remove(keys) {
    const { client, s3: s32 } = await this.sdk();
    for (const key of keys) {
      await this.retry(`removing ${key}`, () => client.send(new s32.DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.key(key) })));
    }
  }
};
var s3 = {
  type: "s3",
  schema: s3Config,
  ...s3Traits,
  create: (config, ctx) => new S3Target(
    config.name,
    config,
    traitsOf(config).medium,
    traitsOf(config).offsite,
    traitsOf(config).immutable,
    ctx.env ?? process.env,
    ctx.onRetry
  )
};
function slice(offset, length) {
  let at = 0;
  return new Transform({
    transform(chunk, _encoding, callback) {
      const from = Math.max(0, offset - at);
      const to = Math.min(chunk.length, offset + length - at);
      at += chunk.length;
      callback(null, to > from ? chunk.subarray(from, to) : void 0);
    }
  });
}

// src/targets/sftp.ts
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { posix as posix2, resolve as resolve2 } from "node:path";
import { randomBytes as randomBytes2 } from "node:crypto";
import { pipeline as pipeline5 } from "node:stream/promises";
import { promisify } from "node:util";

// src/targets/sftp-streams.ts
import { Readable as Readable3, Writable } from "node:stream";
function settleWithin(work, ms = 5e3) {
  let timer;
  const timeout = new Promise((resolve3) => timer = setTimeout(resolve3, ms));
  return Promise.race([work.then(() => void 0, () => void 0), timeout]).finally(() => clearTimeout(timer));
}
var PIECE = 32 << 10;
var WRITES_IN_FLIGHT = 64;
function handleWriter(sftp2, handle) {
  let position = 0;
  let inflight = 0;
  let failed;
  let waiting;
  const wake = () => {
    const next = waiting;
    waiting = void 0;
    next?.();
  };
  const settled = (error) => {
    inflight--;
    if (error && !failed) failed = error;
    wake();
  };
  const dropped = () => {
    failed ??= Object.assign(new Error("the connection closed during the write"), { code: "ECONNRESET" });
    wake();
  };
  sftp2.once("close", dropped);
  const writer = new Writable({
    highWaterMark: 1 << 20,
    write(chunk, _encoding, callback) {
      let offset = 0;
      const send = () => {
        while (!failed && offset < chunk.length && inflight < WRITES_IN_FLIGHT) {
          const length = Math.min(PIECE, chunk.length - offset);
          inflight++;
          sftp2.write(handle, chunk, offset, length, position, settled);
          offset += length;
          position += length;
        }
        if (failed) callback(failed);
        else if (offset < chunk.length || inflight >= WRITES_IN_FLIGHT) waiting = send;
        else callback();
      };
      send();
    },
    final(callback) {
      const done = () => inflight === 0 || failed ? callback(failed) : waiting = done;
      done();
    }
  });
  writer.once("close", () => sftp2.off("close", dropped));
  return writer;
}
function handleReader(sftp2, handle, start, end, lost) {
  const CHUNK = 64 << 10;
  const readAt = async (position, length) => {
    const parts = [];
    for (let done = 0; done < length; ) {
      const buffer = Buffer.allocUnsafe(length - done);
      const got = await Promise.race([
        new Promise((resolve3, reject) => sftp2.read(handle, buffer, 0, length - done, position + done, (error, bytes) => error ? reject(error) : resolve3(bytes))),
        lost
      ]);
      if (got === 0) break;
      parts.push(buffer.subarray(0, got));
      done += got;
    }
    return Buffer.concat(parts);
  };
  async function* chunks() {
    const pending = [];
    let offset = start;
    const topUp = () => {
      while (offset < end && pending.length < 16) {
        const request = readAt(offset, Math.min(CHUNK, end - offset));
        request.catch(() => void 0);
        pending.push(request);
        offset += CHUNK;
      }
    };
    topUp();
    while (pending.length > 0) {
      const chunk = await pending.shift();
      topUp();
      yield chunk;
    }
  }
  return Readable3.from(chunks(), { objectMode: false, highWaterMark: 1 << 20 });
}

// src/targets/known-hosts.ts
import { createHash as createHash2, createHmac } from "node:crypto";
function hostKeyOf(blob) {
  const length = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = blob.subarray(4, 4 + length).toString("latin1") || "unknown";
  const fingerprint = `SHA256:${createHash2("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
  return { type, base64: blob.toString("base64"), fingerprint };
}
function hostEntryName(host, port) {
  return port === 22 ? host : `[${host}]:${port}`;
}
function globMatch(pattern, name) {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return regex.test(name);
}
function hostsMatch(field, name) {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (!salt || !hash) return false;
    return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
  }
  const patterns = field.split(",");
  if (patterns.some((p) => p.startsWith("!") && globMatch(p.slice(1), name))) return false;
  return patterns.some((p) => !p.startsWith("!") && globMatch(p, name));
}
function checkKnownHosts(text, name, key) {
  let listed = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0].startsWith("@") ? fields.shift() : void 0;
    const [hosts, type, base64] = fields;
    if (!hosts || !type || !base64 || !hostsMatch(hosts, name)) continue;
    if (marker === "@revoked") {
      if (base64 === key.base64) return "revoked";
      continue;
    }
    if (marker) continue;
    if (type === key.type) listed = true;
    if (type === key.type && base64 === key.base64) return "known";
  }
  return listed ? "changed" : "unknown";
}
function matchesPin(pin, key) {
  const text = pin.trim();
  if (text.startsWith("SHA256:")) return text.replace(/=+$/, "") === key.fingerprint;
  const [type, base64] = text.split(/\s+/);
  return type === key.type && base64 === key.base64;
}

// src/targets/sftp.ts
var TMP2 = TEMP_PREFIX;
var NO_SUCH_FILE = 2;
var PERMISSION_DENIED = 3;
var FAILURE = 4;
var HostKeyError = class extends RunError {
};
var IDLE_MS = 3e3;
var POOL = 4;
var FOLDERS_AT_ONCE = 16;
function sftpCode(error) {
  const code = error?.code;
  return typeof code === "number" ? code : void 0;
}
function transient2(error) {
  if (error instanceof RestorableError) return false;
  const level = error?.level;
  return isNetworkError(error) || level === "client-timeout" || level === "client-socket";
}
var SftpTarget = class {
  constructor(name, config, medium, offsite, immutable, planDir, env, onRetry) {
    this.name = name;
    this.config = config;
    this.medium = medium;
    this.offsite = offsite;
    this.immutable = immutable;
    this.planDir = planDir;
    this.env = env;
    this.onRetry = onRetry;
    this.port = config.port ?? 22;
    this.root = posix2.normalize(config.path).replace(/\/+$/, "") || "/";
    this.where = `sftp://${config.user}@${config.host}${this.port === 22 ? "" : `:${this.port}`}${this.root.startsWith("/") ? "" : "/~/"}${this.root}`;
  }
  type = "sftp";
  where;
  root;
  port;
  idle = [];
  unlinger;
  remote(key) {
    const normal = posix2.normalize(key);
    if (normal.startsWith("../") || normal === ".." || posix2.isAbsolute(normal)) throw new RunError(`Invalid object key: ${key}`);
    return posix2.join(this.root, normal);
  }
  knownHostsText() {
    const value = this.config.known_hosts;
    if (value && /\s/.test(value.trim())) return value;
    const path = value ? resolve2(this.planDir, value) : resolve2(this.env.HOME ?? homedir(), ".ssh", "known_hosts");
    try {
      return readFileSync(path, "utf8");
    } catch {
      return void 0;
    }
  }
  hostKeyProblem(key, verdict) {
    const host = hostEntryName(this.config.host, this.port);
    const pin = `host_key: "${key.type} ${key.base64}"`;
    if (verdict === "unknown") {
      return new HostKeyError(`Target "${this.name}": the host key of ${host} is unknown (${key.type} ${key.fingerprint}); nothing was sent.`, {
        hint: `Compare that fingerprint with the server's own (ssh-keygen -lf /etc/ssh/ssh_host_${key.type.replace(/^ssh-/, "")}_key.pub on the server). If it matches, pin it in the target: ${pin} (or add the key to known_hosts: ssh-keyscan -p ${this.port} ${this.config.host} >> ~/.ssh/known_hosts).`
      });
    }
    return new HostKeyError(`Target "${this.name}": the host key of ${host} (${key.type} ${key.fingerprint}) does ${verdict === "revoked" ? "appear as @revoked" : "NOT match the one pinned or in known_hosts"}; nothing was sent.`, {
      hint: "Someone may be intercepting the connection, or the server was reinstalled. Check with its admin before you change host_key or known_hosts."
    });
  }
  async connectOnce() {
    let problem;
    const verify = (blob) => {
      const key = hostKeyOf(blob);
      if (this.config.host_key !== void 0) {
        if (matchesPin(this.config.host_key, key)) return true;
        problem = this.hostKeyProblem(key, "pin-mismatch");
        return false;
      }
      const verdict = checkKnownHosts(this.knownHostsText() ?? "", hostEntryName(this.config.host, this.port), key);
      if (verdict === "known") return true;
      problem = this.hostKeyProblem(key, verdict);
      return false;
    };
    const { default: Client } = await import("./src-IXXPBFBJ.js");
    const client = new Client(this.name, { error: () => void 0, end: () => void 0, close: () => void 0 });
    try {
      const sftp2 = await client.connect({
        host: this.config.host,
        port: this.port,
        username: this.config.user,
        privateKey: this.config.private_key,
        ...this.config.passphrase ? { passphrase: this.config.passphrase } : {},
        hostVerifier: verify,
        readyTimeout: 2e4,
        // A server that stops answering is given up after about a minute, not waited on for ever.
        keepaliveInterval: 15e3,
        keepaliveCountMax: 4
      });
      client.client.setNoDelay(true);
      let markLost = () => void 0;
      const lost = new Promise((_resolve, reject) => markLost = reject);
      lost.catch(() => void 0);
      const session = { client, sftp: sftp2, closed: false, lost };
      sftp2.once("close", () => {
        session.closed = true;
        markLost(Object.assign(new Error("Connection lost: the SFTP channel closed"), { code: "ECONNRESET" }));
      });
      return session;
    } catch (error) {
      await settleWithin(client.end());
      if (problem) throw problem;
      const text = reason(error);
      if (/authentication methods failed|privateKey|parse/i.test(text)) {
        throw new RunError(`Target "${this.name}": ${this.config.user}@${this.config.host} refused the key: ${text}`, {
          hint: `Check private_key (its public half must be in ~${this.config.user}/.ssh/authorized_keys on the server) and passphrase.`,
          cause: error
        });
      }
      throw error;
    }
  }
  /** An idle session from the pool, or a new connection (retried within the budget). */
  async acquire() {
    for (let session = this.idle.pop(); session; session = this.idle.pop()) {
      clearTimeout(session.idleTimer);
      if (!session.closed) return session;
    }
    const budget = this.config.retry_for ?? retryBudgetMs(this.env);
    return withRetry(() => this.connectOnce(), {
      transient: transient2,
      totalMs: budget,
      place: `sftp://${this.config.user}@${this.config.host}:${this.port}`,
      onRetry: (error, attempt, delay) => this.onRetry?.(retryMessage(this.name, error, attempt, delay, budget))
    });
  }
  /** Gives a session that just finished an operation back to the pool. */
  release(session) {
    if (session.closed) return;
    if (this.idle.length >= POOL) {
      void settleWithin(session.client.end());
      return;
    }
    session.idleTimer = setTimeout(() => {
      const at = this.idle.indexOf(session);
      if (at >= 0) this.idle.splice(at, 1);
      void settleWithin(session.client.end());
    }, IDLE_MS);
    this.idle.push(session);
    this.unlinger ??= linger(() => this.closeIdle());
  }
  async closeIdle() {
    this.unlinger = void 0;
    const all = this.idle.splice(0);
    await Promise.all(all.map((session) => (clearTimeout(session.idleTimer), settleWithin(session.client.end()))));
  }
  /**
   * Runs `run` on a session. On success the session goes back to the pool,
   * unless `keepOpen`: then `run` has handed it to something that lives on
   * (a read stream) and releases it itself. On failure it is closed (a
   * request may still be pending on it), except after a clean "not found".
   */
  async session(doing, run, keepOpen = false) {
    let session;
    try {
      session = await this.acquire();
    } catch (error) {
      throw this.fail(doing, error);
    }
    try {
      const result = await Promise.race([run(session), session.lost]);
      if (!keepOpen) this.release(session);
      return result;
    } catch (error) {
      if (error instanceof NotFoundError) this.release(session);
      else if (!session.closed) await settleWithin(session.client.end());
      if (error instanceof NotFoundError || error instanceof RunError) throw error;
      throw this.fail(doing, error);
    }
  }
  fail(doing, error) {
    if (error instanceof RunError) return error;
    const code = sftpCode(error);
    const hint = code === PERMISSION_DENIED ? `Permission denied on the server: ${this.config.user} must be able to write ${this.root}.` : code === FAILURE ? "The server refused the write without saying why: a full disk or a quota is the usual cause. Free space there and run again." : code === NO_SUCH_FILE ? `The folder ${this.root} does not exist on the server: create it first.` : isNetworkError(error) || /No response from server|connection closed|Connection lost/i.test(reason(error)) ? "The server could not be reached or dropped the connection: check host, port and that sshd is running." : void 0;
    return new RunError(`Target "${this.name}" (${this.where}): ${doing} failed: ${reason(error)}`, { hint, cause: error });
  }
  async probe() {
    await this.session("checking the folder", async ({ sftp: sftp2 }) => {
      const stats = await promisify(sftp2.stat.bind(sftp2))(this.root).catch((error) => {
        if (sftpCode(error) === NO_SUCH_FILE) throw new RunError(`Target "${this.name}": the folder ${this.root} does not exist on ${this.config.host}.`, { hint: "Create it on the server first (restorable never creates the root folder)." });
        throw error;
      });
      if (!stats.isDirectory()) throw new RunError(`Target "${this.name}": ${this.root} on ${this.config.host} is not a folder.`);
    });
  }
  async mkdirs(sftp2, dir) {
    if (dir === this.root || dir === "/" || dir === ".") return;
    const exists = await promisify(sftp2.stat.bind(sftp2))(dir).then(() => true, () => false);
    if (exists) return;
    await this.mkdirs(sftp2, posix2.dirname(dir));
    await new Promise((resolve3, reject) => sftp2.mkdir(dir, { mode: DIR_MODE }, (error) => error ? reject(error) : resolve3())).catch(async (error) => {
      const gone = await promisify(sftp2.stat.bind(sftp2))(dir).then(() => void 0, (statError) => statError);
      if (gone === void 0) return;
      throw sftpCode(error) === FAILURE && sftpCode(gone) === NO_SUCH_FILE ? gone : error;
    });
  }
  /**
   * Creates a new file, making its folder first. Another run's remove() takes
   * away a folder it leaves empty (a plan's locks/ between two runs), and it may
   * do so between our mkdir and our open: the open (or a mkdir below it) then
   * says "no such file" and the folders are made again.
   */
  async createInFolder(sftp2, path) {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.mkdirs(sftp2, posix2.dirname(path));
        return await new Promise((resolve3, reject) => sftp2.open(path, "wx", { mode: FILE_MODE }, (error, handle) => error ? reject(error) : resolve3(handle)));
      } catch (error) {
        if (sftpCode(error) !== NO_SUCH_FILE || attempt >= 20) throw error;
      }
    }
  }
  async put(key, body) {
    const final = this.remote(key);
    const temp = posix2.join(posix2.dirname(final), `${TMP2}${randomBytes2(6).toString("hex")}`);
    let bytes = 0;
    try {
      return await this.session(`writing ${key}`, async (session) => {
        const { sftp: sftp2 } = session;
        try {
          const handle = await this.createInFolder(sftp2, temp);
          let open2 = true;
          try {
            body.on("data", (chunk) => bytes += chunk.length);
            await pipeline5(body, handleWriter(sftp2, handle));
            await promisify(sftp2.ext_openssh_fsync.bind(sftp2))(handle).catch((error) => {
              if (!/does not support/i.test(reason(error))) throw error;
            });
            open2 = false;
            await promisify(sftp2.close.bind(sftp2))(handle);
          } finally {
            if (open2 && !session.closed) await settleWithin(promisify(sftp2.close.bind(sftp2))(handle));
          }
          await promisify(sftp2.ext_openssh_rename.bind(sftp2))(temp, final);
          return { bytes };
        } catch (error) {
          if (!session.closed) await settleWithin(promisify(sftp2.unlink.bind(sftp2))(temp));
          throw error;
        }
      });
    } catch (error) {
      body.destroy();
      throw error;
    }
  }
  async get(key) {
    return this.read(key);
  }
  async getRange(key, offset, length) {
    return this.read(key, { offset, length });
  }
  async read(key, range) {
    const path = this.remote(key);
    return this.session(
      `reading ${key}`,
      async (session) => {
        const { sftp: sftp2, lost } = session;
        const handle = await promisify(sftp2.open.bind(sftp2))(path, "r").catch((error) => {
          if (sftpCode(error) === NO_SUCH_FILE) throw new NotFoundError(`Target "${this.name}" has no ${key}.`);
          throw error;
        });
        const { size } = await promisify(sftp2.fstat.bind(sftp2))(handle);
        const start = range ? Math.min(range.offset, size) : 0;
        const stream = handleReader(sftp2, handle, start, range ? Math.min(size, start + range.length) : size, lost);
        let whole = false;
        stream.once("end", () => {
          whole = true;
          void settleWithin(promisify(sftp2.close.bind(sftp2))(handle));
          this.release(session);
        });
        stream.once("close", () => {
          if (!whole && !session.closed) void settleWithin(session.client.end());
        });
        return stream;
      },
      true
    );
  }
  async list(prefix) {
    const start = prefix.endsWith("/") ? prefix.slice(0, -1) : posix2.dirname(prefix);
    return this.session(`listing ${prefix}`, async ({ sftp: sftp2 }) => {
      const objects = [];
      const readdir2 = promisify(sftp2.readdir.bind(sftp2));
      const read = async (rel) => {
        let entries;
        try {
          entries = await readdir2(rel === "." || rel === "" ? this.root : this.remote(rel));
        } catch (error) {
          if (sftpCode(error) === NO_SUCH_FILE) return [];
          throw error;
        }
        const folders = [];
        for (const entry of entries) {
          const key = rel === "." || rel === "" ? entry.filename : `${rel}/${entry.filename}`;
          if (entry.attrs.isDirectory()) folders.push(key);
          else if (entry.attrs.isFile() && key.startsWith(prefix)) objects.push({ key, size: entry.attrs.size, modified: new Date(entry.attrs.mtime * 1e3) });
        }
        return folders;
      };
      for (let level = [start]; level.length > 0; ) {
        const next = [];
        for (let at = 0; at < level.length; at += FOLDERS_AT_ONCE) {
          for (const folders of await Promise.all(level.slice(at, at + FOLDERS_AT_ONCE).map(read))) next.push(...folders);
        }
        level = next;
      }
      return objects;
    });
  }
  async removeEmptyFolders(prefix, keep) {
    const dir = this.remote(prefix.replace(/\/+$/, "") || ".");
    return this.session(`clearing empty folders under ${prefix}`, async ({ sftp: sftp2 }) => {
      const entries = await promisify(sftp2.readdir.bind(sftp2))(dir).catch(() => []);
      const removed = [];
      for (const entry of entries) {
        if (!entry.attrs.isDirectory() || keep.includes(entry.filename)) continue;
        if (await promisify(sftp2.rmdir.bind(sftp2))(posix2.join(dir, entry.filename)).then(() => true, () => false)) removed.push(entry.filename);
      }
      return removed;
    });
  }
  async remove(keys) {
    if (keys.length === 0) return;
    await this.session("removing objects", async ({ sftp: sftp2 }) => {
      const dirs = /* @__PURE__ */ new Set();
      for (const key of keys) {
        const path = this.remote(key);
        await promisify(sftp2.unlink.bind(sftp2))(path).catch((error) => {
          if (sftpCode(error) !== NO_SUCH_FILE) throw error;
        });
        dirs.add(posix2.dirname(path));
      }
      for (const dir of dirs) {
        for (let at = dir; at.startsWith(`${this.root}/`); at = posix2.dirname(at)) {
          if (!await promisify(sftp2.rmdir.bind(sftp2))(at).then(() => true, () => false)) break;
        }
      }
    });
  }
};
var sftp = {
  type: "sftp",
  schema: sftpConfig,
  ...sftpTraits,
  create: (config, ctx) => new SftpTarget(
    config.name,
    config,
    traitsOf(config).medium,
    traitsOf(config).offsite,
    traitsOf(config).immutable,
    ctx.planDir,
    ctx.env ?? process.env,
    ctx.onRetry
  )
};

// src/targets/index.ts
var adapters = { local, s3, sftp, "github-artifact": githubArtifact, "github-cache": githubCache };
function targetAdapter(config) {
  return adapters[config.type];
}
function createTarget(config, ctx) {
  return targetAdapter(config).create(config, ctx);
}

export {
  createTarget
};
