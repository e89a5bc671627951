import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  interpolate,
  literalPassphrase,
  literalPasswords,
  require_dist
} from "./chunk-TBQSFWBU.js";
import {
  hasCommand,
  spawnFedReader,
  spawnReader,
  spawnTransform
} from "./chunk-K3PTCQNR.js";
import {
  Secrets
} from "./chunk-XRTEQXPF.js";
import {
  closestKey,
  keysAt
} from "./chunk-5F55Z7FC.js";
import {
  SOURCE_KINDS,
  SQL_SOURCES,
  WRITE_ONCE_TYPES,
  planSchema,
  selector,
  traitsOf
} from "./chunk-23TMSUQ2.js";
import {
  parseClockDuration
} from "./chunk-2H3FGURD.js";
import {
  PlanError,
  RunError,
  UsageError
} from "./chunk-WHVU3KGO.js";
import {
  __toESM
} from "./chunk-ZJTQKECG.js";

// src/artifacts/codec.ts
import { PassThrough } from "node:stream";
import zlib from "node:zlib";
var CHUNK = 1 << 20;
var DEFAULT_LEVEL = { zstd: 3, gzip: 6, none: 0 };
function extensionFor(algorithm) {
  return { zstd: ".zst", gzip: ".gz", none: "" }[algorithm];
}
var z = zlib;
var toolChecked;
function zstdTool() {
  toolChecked ??= hasCommand("zstd");
  return toolChecked;
}
function zstdEngine(env = process.env) {
  const inProcess = typeof z.createZstdCompress === "function";
  if (env.RESTORABLE_ZSTD === "zlib") return inProcess ? "zlib" : null;
  if (zstdTool()) return "tool";
  return inProcess && env.RESTORABLE_ZSTD !== "tool" ? "zlib" : null;
}
function noZstd() {
  return new RunError(`zstd is not available: Node.js ${process.version} has no zstd in zlib and no zstd tool is on PATH.`, {
    hint: "Install zstd (apt-get install zstd), or run on Node.js 22.15 or later."
  });
}
function describeCodec(setting) {
  if (setting.algorithm === "none") return "no compression";
  const level = setting.level ?? DEFAULT_LEVEL[setting.algorithm];
  const engine = setting.algorithm === "zstd" ? ` via ${zstdEngine() === "zlib" ? "Node zlib" : "the zstd tool"}` : "";
  return `${setting.algorithm} level ${level}${engine}`;
}
function compressor(setting) {
  const level = setting.level ?? DEFAULT_LEVEL[setting.algorithm];
  switch (setting.algorithm) {
    case "none":
      return new PassThrough();
    case "gzip":
      return zlib.createGzip({ level, chunkSize: CHUNK });
    case "zstd": {
      const engine = zstdEngine();
      if (engine === "zlib") return z.createZstdCompress({ chunkSize: CHUNK, params: { [z.constants.ZSTD_c_compressionLevel]: level } });
      if (engine === "tool") return spawnTransform("zstd", ["-q", "-c", `-${level}`, "-T0"], "zstd compression");
      throw noZstd();
    }
  }
}
function packing(snapshot, setting) {
  if (setting.algorithm === "zstd" && snapshot.file && zstdEngine() === "tool") {
    const level = setting.level ?? DEFAULT_LEVEL.zstd;
    return [spawnReader("zstd", ["-q", "-c", `-${level}`, "-T0", "--", snapshot.file], "zstd compression")];
  }
  if (setting.algorithm === "zstd" && snapshot.feed && zstdEngine() === "tool") {
    const level = setting.level ?? DEFAULT_LEVEL.zstd;
    return [spawnFedReader("zstd", ["-q", "-c", `-${level}`, "-T0"], "zstd compression", snapshot.feed)];
  }
  return [snapshot.stream(), compressor(setting)];
}
function decompressor(algorithm) {
  switch (algorithm) {
    case "none":
      return new PassThrough();
    case "gzip":
      return zlib.createGunzip({ chunkSize: CHUNK });
    case "zstd": {
      const engine = zstdEngine();
      if (engine === "zlib") return z.createZstdDecompress({ chunkSize: CHUNK });
      if (engine === "tool") return spawnTransform("zstd", ["-q", "-d", "-c"], "zstd decompression");
      throw noZstd();
    }
  }
}

// src/plan/load.ts
var import_yaml = __toESM(require_dist(), 1);
import { createHash as createHash2 } from "node:crypto";
import { readFile } from "node:fs/promises";
import { dirname, resolve as resolve2 } from "node:path";

// src/plan/rules.ts
import { isAbsolute, relative, resolve, sep } from "node:path";

// src/artifacts/ssh-keys.ts
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
var KEY_TYPE = "ssh-ed25519";
var PassphraseProtected = class extends Error {
  constructor(cipher) {
    super(`it is protected by a passphrase (${cipher})`);
    this.cipher = cipher;
  }
};
var Reader = class {
  constructor(buf) {
    this.buf = buf;
  }
  at = 0;
  bytes(n) {
    if (this.at + n > this.buf.length) throw new Error("it is truncated");
    return this.buf.subarray(this.at, this.at += n);
  }
  u32() {
    return this.bytes(4).readUInt32BE(0);
  }
  string() {
    return this.bytes(this.u32());
  }
  text() {
    return this.string().toString("latin1");
  }
  get done() {
    return this.at === this.buf.length;
  }
};
var u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
var str = (value) => {
  const b = typeof value === "string" ? Buffer.from(value) : value;
  return Buffer.concat([u32(b.length), b]);
};
var b64url = (b) => b.toString("base64url");
function fingerprint(blob) {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}
function ed25519Blob(raw) {
  return Buffer.concat([str(KEY_TYPE), str(raw)]);
}
function publicFromBlob(blob) {
  const reader = new Reader(blob);
  const type = reader.text();
  if (type !== KEY_TYPE) throw new Error(/^[a-z0-9@.-]+$/.test(type) ? `it is a ${type} key; restorable signs with ssh-ed25519 keys only` : "it is not a well-formed ssh-ed25519 key");
  const raw = reader.string();
  if (raw.length !== 32 || !reader.done) throw new Error("it is not a well-formed ssh-ed25519 key");
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url(raw) }, format: "jwk" });
  return { blob, key, fingerprint: fingerprint(blob) };
}
function parsePublicKey(line) {
  const [type, data] = line.trim().split(/\s+/);
  if (type !== KEY_TYPE || !data) throw new Error("expected an OpenSSH public key line: ssh-ed25519 AAAA... (the .pub file ssh-keygen writes)");
  const blob = Buffer.from(data, "base64");
  if (blob.toString("base64").replace(/=+$/, "") !== data.replace(/=+$/, "")) throw new Error("its base64 part is damaged");
  return publicFromBlob(blob);
}
function openSshPrivate(text) {
  const body = text.replace(/-----(BEGIN|END) OPENSSH PRIVATE KEY-----/g, "").replace(/\s+/g, "");
  const r = new Reader(Buffer.from(body, "base64"));
  if (r.bytes(15).toString("latin1") !== "openssh-key-v1\0") throw new Error("it is not an OpenSSH private key");
  const cipher = r.text();
  const kdf = r.text();
  r.string();
  if (cipher !== "none" || kdf !== "none") {
    throw new PassphraseProtected(cipher);
  }
  if (r.u32() !== 1) throw new Error("it holds more than one key");
  const blob = r.string();
  const p = new Reader(r.string());
  if (p.u32() !== p.u32()) throw new Error("its check numbers differ (a damaged key)");
  const type = p.text();
  if (type !== KEY_TYPE) throw new Error(`it is a ${type} key; restorable signs with ssh-ed25519 keys only`);
  const pub = p.string();
  const secret = p.string();
  if (pub.length !== 32 || secret.length !== 64) throw new Error("it is not a well-formed ssh-ed25519 key");
  const key = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: b64url(secret.subarray(0, 32)), x: b64url(pub) }, format: "jwk" });
  return { key, blob };
}
function readPrivateKey(text) {
  if (text.includes("-----BEGIN OPENSSH PRIVATE KEY-----")) return openSshPrivate(text);
  if (text.includes("-----BEGIN PRIVATE KEY-----")) {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType !== "ed25519") throw new Error(`it is a ${key.asymmetricKeyType} key; restorable signs with Ed25519 keys only`);
    const jwk = createPublicKey(key).export({ format: "jwk" });
    return { key, blob: ed25519Blob(Buffer.from(jwk.x, "base64url")) };
  }
  if (/ENCRYPTED PRIVATE KEY/.test(text)) throw new PassphraseProtected("PKCS#8");
  throw new Error("expected an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----, from ssh-keygen -t ed25519)");
}

// src/plan/order.ts
function dependencies(source, all) {
  if (source.after) return source.after;
  if (SOURCE_KINDS[source.type] !== "files") return [];
  return all.filter((s) => SOURCE_KINDS[s.type] === "database").map((s) => s.name);
}
function snapshotOrder(sources) {
  const done = /* @__PURE__ */ new Set();
  const order = [];
  while (order.length < sources.length) {
    const next = sources.find((s) => !done.has(s.name) && dependencies(s, sources).every((d) => done.has(d) || !sources.some((x) => x.name === d)));
    if (!next) {
      const stuck = sources.filter((s) => !done.has(s.name)).map((s) => s.name);
      throw new Error(`the sources ${stuck.join(", ")} wait for each other (after:)`);
    }
    done.add(next.name);
    order.push(next);
  }
  return order;
}

// src/plan/policy.ts
function requirement(rule) {
  if (rule === "3-2-1") return { copies: 3, media: 2, offsite: 1, immutable: 0 };
  if (rule === "3-2-1-1-0") return { copies: 3, media: 2, offsite: 1, immutable: 1 };
  return rule;
}
function ruleName(rule) {
  if (typeof rule === "string") return rule;
  return `${rule.copies} copies, ${rule.media} media, ${rule.offsite} offsite${rule.immutable ? `, ${rule.immutable} immutable` : ""}`;
}
var LIVE = { medium: "disk", offsite: false, immutable: false };
function counts(copy, now = /* @__PURE__ */ new Date()) {
  if (copy.counted === false) return false;
  return !copy.expiresAt || Date.parse(copy.expiresAt) > now.getTime();
}
function evaluate(rule, copies, now = /* @__PURE__ */ new Date()) {
  const required = requirement(rule);
  const all = [LIVE, ...copies.filter((copy) => counts(copy, now))];
  const have = {
    copies: all.length,
    media: new Set(all.map((c) => c.medium)).size,
    offsite: all.filter((c) => c.offsite).length,
    immutable: all.filter((c) => c.immutable).length
  };
  const labels = {
    copies: "copies (the live data counts as one)",
    media: "kinds of media (disk, removable-disk, object, cloud-drive...)",
    offsite: "offsite copies",
    immutable: "immutable copies"
  };
  const missing = Object.keys(required).filter((key) => have[key] < required[key]).map((key) => `${have[key]} of ${required[key]} ${labels[key]}`);
  return { required, have, met: missing.length === 0, missing };
}

// src/plan/rules.ts
var error = (path, message) => ({ path, message, severity: "error" });
var warning = (path, message) => ({ path, message, severity: "warning" });
function duplicates(names, list) {
  return names.flatMap(
    (name, index) => names.indexOf(name) === index ? [] : [error([list, index, "name"], `the name "${name}" is used twice in ${list}`)]
  );
}
var uniqueNames = (plan) => [
  ...duplicates(plan.sources.map((s) => s.name), "sources"),
  ...duplicates(plan.targets.map((t) => t.name), "targets")
];
var ordering = (plan) => {
  const names = new Set(plan.sources.map((s) => s.name));
  const problems = plan.sources.flatMap(
    (source, index) => (source.after ?? []).flatMap((other, at) => {
      if (other === source.name) return [error(["sources", index, "after", at], `source "${source.name}" cannot come after itself`)];
      if (!names.has(other)) return [error(["sources", index, "after", at], `no source is named "${other}"`)];
      return [];
    })
  );
  if (names.size < plan.sources.length) return problems;
  try {
    snapshotOrder(plan.sources);
  } catch (cycle) {
    problems.push(error(["sources"], cycle.message));
  }
  return problems;
};
var healthCheckSources = (plan) => plan.restore.healthchecks.flatMap((check, index) => {
  if (!("source" in check)) return [];
  const source = plan.sources.find((s) => s.name === check.source);
  const path = ["restore", "healthchecks", index, "source"];
  if (!source) return [error(path, `no source is named "${check.source}" (sources: ${plan.sources.map((s) => s.name).join(", ")})`)];
  if (!SQL_SOURCES.has(source.type)) return [error(path, `source "${check.source}" is of type ${source.type}, which cannot run sql checks`)];
  if ("sql" in check && "files_exist" in check.expect) {
    const where = check.expect.files_exist.in;
    const files = plan.sources.find((s) => s.name === where);
    const at = ["restore", "healthchecks", index, "expect", "files_exist", "in"];
    if (!files || files.type !== "files") return [error(at, `files_exist needs a files source; ${files ? `"${where}" is of type ${files.type}` : `no source is named "${where}"`}`)];
  }
  return [];
});
var staticPolicy = (plan) => {
  const copies = plan.targets.map((config) => {
    const { medium, offsite, immutable, counted } = traitsOf(config);
    return { target: config.name, medium, offsite, immutable, ...counted ? {} : { counted: false } };
  });
  const verdict = evaluate(plan.policy.rule, copies);
  if (verdict.met) return [];
  return [
    error(
      ["targets"],
      `the declared targets cannot meet the ${ruleName(plan.policy.rule)} rule even if every copy succeeds: ${verdict.missing.join("; ")}. Add targets, or declare what a target really is (medium: removable-disk for a USB disk, medium: cloud-drive, offsite: true), or relax policy.rule.`
    )
  ];
};
var zstdAvailable = (plan, ctx) => plan.compression.algorithm === "zstd" && !ctx.zstd ? [error(["compression", "algorithm"], `zstd is not available here: Node.js ${process.version} has no zstd in zlib (22.15+ does) and no zstd tool is on PATH. Install zstd (apt-get install zstd) or use algorithm: gzip`)] : [];
function within(parent, child) {
  const rel = relative(parent, child);
  return rel === "" || !rel.startsWith("..") && !isAbsolute(rel);
}
function remotePlace(t) {
  const trimmed = (prefix) => (prefix ?? "").replace(/^\/+|\/+$/g, "");
  if (t.type === "s3") return `s3 ${t.endpoint ?? "aws"} ${t.bucket} ${trimmed(t.prefix)}`;
  if (t.type === "sftp") return `sftp ${t.host}:${t.port ?? 22} ${t.path.replace(/\/+$/, "")}`;
  return void 0;
}
var distinctPlaces = (plan, ctx) => {
  const locals = plan.targets.flatMap((t, index) => t.type === "local" ? [{ index, path: resolve(ctx.planDir, t.path) }] : []);
  const problems = [];
  const remotes = plan.targets.map(remotePlace);
  remotes.forEach((place, index) => {
    const twin = place === void 0 ? -1 : remotes.indexOf(place);
    if (twin >= 0 && twin < index) problems.push(error(["targets", index], `this is the same place as targets[${twin}] (${place}): two copies in one place are one copy`));
  });
  locals.forEach((a, i) => {
    const twin = locals.slice(0, i).find((b) => b.path === a.path);
    if (twin) problems.push(error(["targets", a.index, "path"], `this is the same folder as targets[${twin.index}]: two copies in one place are one copy`));
    plan.sources.forEach((source) => {
      if (source.type === "files" && within(resolve(ctx.planDir, source.path), a.path)) {
        problems.push(error(["targets", a.index, "path"], `this target lies inside files source "${source.name}": each backup would include the previous ones`));
      }
    });
  });
  return problems;
};
function walkTakes(folder, rel) {
  const takes = selector(folder);
  const parts = rel.split(sep);
  return parts.every((_, i) => takes(parts.slice(0, i + 1).join("/"), i < parts.length - 1));
}
var nestedSources = (plan, ctx) => plan.sources.flatMap((folder, index) => {
  if (folder.type !== "files") return [];
  const root = resolve(ctx.planDir, folder.path);
  return plan.sources.flatMap((db) => db.type !== "files" && "path" in db ? [{ db, path: resolve(ctx.planDir, db.path) }] : []).filter(({ path }) => within(root, path) && ["", "-wal", "-shm", "-journal"].some((suffix) => walkTakes(folder, relative(root, path) + suffix))).map(
    ({ db, path }) => error(["sources", index, "path"], `this folder contains the ${db.type} source "${db.name}": its live file (or its -wal, -shm) would be copied raw. Exclude it, e.g. exclude: ["${relative(root, path).split(sep).join("/")}*"]`)
  );
});
var retentionSanity = (plan) => {
  const r = plan.retention;
  if (!r || Object.values(r).every((value) => value === void 0)) return [];
  const keeps = [r.keep_last, r.keep_hourly, r.keep_daily, r.keep_weekly, r.keep_monthly, r.keep_yearly].some((n) => (n ?? 0) > 0);
  return keeps || r.keep_within ? [] : [warning(["retention"], "this retention keeps only the newest backup: prune will remove every other one")];
};
var passphraseStrength = (plan) => plan.encryption?.passphrase !== void 0 && plan.encryption.passphrase.length < 12 ? [error(["encryption", "passphrase"], "the passphrase is shorter than 12 characters: anyone holding a copy could guess it offline. Use a long random one (e.g. `age-keygen` recipients instead, or 5+ random words)")] : [];
var repositoryTargets = (plan) => {
  const once = plan.targets.filter((t) => WRITE_ONCE_TYPES.has(t.type)).map((t) => t.name);
  if (once.length === 0) return [];
  return plan.sources.flatMap(
    (source, index) => source.type === "files" && source.storage === "repository" ? [error(["sources", index, "storage"], `storage: repository cannot be written to ${once.join(", ")} (GitHub artifacts and caches take each key once); use storage: tar for this plan (the default when a plan has such a target)`)] : []
  );
};
var signingKey = (plan) => {
  if (!plan.signing) return [];
  try {
    parsePublicKey(plan.signing.public_key);
    return [];
  } catch (problem) {
    return [error(["signing", "public_key"], `this is not a usable signing key: ${problem.message}`)];
  }
};
var rules = [repositoryTargets, passphraseStrength, signingKey, uniqueNames, ordering, healthCheckSources, staticPolicy, zstdAvailable, distinctPlaces, nestedSources, retentionSanity];
function checkRules(plan, ctx) {
  return rules.flatMap((rule) => rule(plan, ctx));
}

// src/plan/load.ts
function formatPath(path) {
  return path.reduce((out, part) => typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${part}` : part, "");
}
var Locator = class {
  constructor(file, doc, lines) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }
  at(offset) {
    if (offset === void 0) return this.file;
    const { line, col } = this.lines.linePos(offset);
    return `${this.file}:${line}:${col}`;
  }
  /** The position of `path`, or of its nearest existing parent; of the key itself when `key` is given. */
  where(path, key) {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (!(0, import_yaml.isNode)(node)) continue;
      if (key !== void 0 && depth === path.length && (0, import_yaml.isMap)(node)) {
        const pair = node.items.find((item) => (0, import_yaml.isPair)(item) && (0, import_yaml.isScalar)(item.key) && item.key.value === key);
        if (pair && (0, import_yaml.isNode)(pair.key)) return this.at(pair.key.range?.[0]);
      }
      return this.at(node.range?.[0]);
    }
    return this.file;
  }
};
function closestBranch(branches) {
  const score = (issues) => issues.length + 10 * issues.filter((i) => i.code === "unrecognized_keys").length;
  const depth = (issues) => Math.max(0, ...issues.map((i) => i.path.length));
  return [...branches].sort((a, b) => score(a) - score(b) || depth(b) - depth(a))[0] ?? [];
}
function flatten(issues, prefix = []) {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "invalid_union" && issue.errors.length > 0) return flatten(closestBranch(issue.errors), path);
    return [{ path, issue }];
  });
}
function describe(issue) {
  if (issue.code === "invalid_union" && "options" in issue) {
    return `expected one of: ${issue.options.map(String).join(", ")}`;
  }
  return issue.message.replace(/^Invalid input: /, "");
}
var RULE_KEYS = ["copies", "media", "offsite", "immutable", "verified_errors"];
function unknownKey(path, key) {
  if (path.length === 1 && path[0] === "policy" && RULE_KEYS.includes(key)) {
    return `unknown key "${key}": the numbers of a rule go under rule, as in policy: {rule: {${key}: ...}} (or rule: 3-2-1)`;
  }
  const meant = closestKey(key, keysAt(path));
  return `unknown key "${key}"${meant ? `: did you mean "${meant}"?` : ""}`;
}
function schemaProblems(issues, locate) {
  return flatten(issues).flatMap(({ path, issue }) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        where: locate.where(path, key),
        path: formatPath([...path, key]),
        message: unknownKey(path, key),
        severity: "error"
      }));
    }
    return [{ where: locate.where(path), path: formatPath(path), message: describe(issue), severity: "error" }];
  });
}
async function loadPlan(path, options) {
  const file = resolve2(path);
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (error2) {
    const missing = error2.code === "ENOENT";
    throw new PlanError(missing ? `No plan file at ${file}.` : `Cannot read the plan ${file}: ${error2.message}`, [], {
      hint: missing ? 'Write a restorable.yml (see "A plan" at https://github.com/restorable/restorable#a-plan) or pass --plan FILE.' : void 0
    });
  }
  return parsePlan(text, file, options);
}
var MAX_PLAN_DEPTH = 64;
var tooDeep = `the plan is nested more than ${MAX_PLAN_DEPTH} levels deep (a plan needs about 6): is this the right file, or did a generator loop?`;
function isStackOverflow(error2) {
  return error2 instanceof RangeError || /Maximum call stack size exceeded/.test(String(error2?.message));
}
function deepestPath(data) {
  const stack = [{ value: data, path: [] }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    if (next.path.length > MAX_PLAN_DEPTH) return next.path.slice(0, MAX_PLAN_DEPTH);
    if (Array.isArray(next.value)) next.value.forEach((value, i) => stack.push({ value, path: [...next.path, i] }));
    else if (next.value !== null && typeof next.value === "object") for (const [key, value] of Object.entries(next.value)) stack.push({ value, path: [...next.path, key] });
  }
  return void 0;
}
function toData(doc, locate, fail) {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error2) {
    if (isStackOverflow(error2)) throw fail([{ where: locate.at(0), path: "", message: tooDeep, severity: "error" }]);
    const message = error2.message;
    let at = 0;
    (0, import_yaml.visit)(doc, {
      Alias(_key, node) {
        if (message.includes(`: ${node.source}`) || !at) at = node.range?.[0] ?? at;
      }
    });
    throw fail([{ where: locate.at(at), path: "", message: message.split("\n")[0], severity: "error" }]);
  }
}
function parsePlan(text, file, options) {
  const lines = new import_yaml.LineCounter();
  const doc = (0, import_yaml.parseDocument)(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const locate = new Locator(file, doc, lines);
  const fail = (problems2) => {
    const errors = problems2.filter((p) => p.severity === "error");
    return new PlanError(`The plan ${file} has ${errors.length} problem${errors.length === 1 ? "" : "s"}.`, problems2);
  };
  const overflow = doc.errors.find((e) => isStackOverflow(e));
  if (overflow) throw fail([{ where: locate.at(overflow.pos[0]), path: "", message: tooDeep, severity: "error" }]);
  if (doc.errors.length > 0) {
    const shown = doc.errors.slice(0, 5).map((e) => ({ where: locate.at(e.pos[0]), path: "", message: e.message.split("\n")[0], severity: "error" }));
    if (doc.errors.length > shown.length) shown.push({ where: file, path: "", message: `and ${doc.errors.length - shown.length} more YAML errors after those`, severity: "error" });
    const error2 = fail(shown);
    if (/\{[^}\n]*[:,]\s*\$\{/.test(text)) throw new PlanError(error2.message, error2.problems, { hint: 'A ${VAR} inside {...} must be quoted: {path: "${DIR}"} (or write the map as indented lines).' });
    throw error2;
  }
  const raw = toData(doc, locate, fail);
  const deep = deepestPath(raw);
  if (deep) throw fail([{ where: locate.where(deep), path: `${formatPath(deep.slice(0, 3))}...`, message: tooDeep, severity: "error" }]);
  const secrets = options.secrets ?? new Secrets();
  const unset = [];
  const values = interpolate(raw, options.env ?? process.env, secrets, unset);
  const problems = [
    ...literalPasswords(raw).map((p) => ({
      where: locate.where(p),
      path: formatPath(p),
      message: "a password is written into this URL in clear; put it in the environment and write ${VAR} instead",
      severity: "error"
    })),
    ...literalPassphrase(raw).map((p) => ({
      where: locate.where(p),
      path: formatPath(p),
      message: "the passphrase is written in clear; put it in the environment and write ${VAR} instead (nothing else in the value)",
      severity: "error"
    })),
    ...unset.map((u) => ({
      where: locate.where(u.path),
      path: formatPath(u.path),
      message: `the environment variable ${u.variable} is not set (write \${${u.variable}:-default} for a default)`,
      severity: "error"
    }))
  ];
  const parsed = planSchema.safeParse(defaultStorage(values));
  if (!parsed.success) throw fail([...problems, ...schemaProblems(parsed.error.issues, locate)]);
  const dir = dirname(file);
  problems.push(
    ...checkRules(parsed.data, { planDir: dir, ...options.capabilities }).filter((p) => !unset.some((u) => formatPath(u.path) === formatPath(p.path))).map((p) => ({
      where: locate.where(p.path),
      path: formatPath(p.path),
      message: p.message,
      severity: p.severity
    }))
  );
  if (problems.some((p) => p.severity === "error")) throw fail(problems);
  return {
    plan: parsed.data,
    file,
    dir,
    hash: createHash2("sha256").update(text).digest("hex"),
    secrets,
    warnings: problems
  };
}
function defaultStorage(values) {
  if (typeof values !== "object" || values === null) return values;
  const { sources, targets } = values;
  if (!Array.isArray(sources)) return values;
  const writeOnce = Array.isArray(targets) && targets.some((t) => WRITE_ONCE_TYPES.has(t?.type));
  return {
    ...values,
    sources: sources.map((s) => s && typeof s === "object" && s.type === "files" && !("storage" in s) ? { ...s, storage: writeOnce ? "tar" : "repository" } : s)
  };
}

// src/commands/context.ts
async function load(input, io) {
  const loaded = await loadPlan(input.planPath, { env: io.env, secrets: io.secrets, capabilities: { zstd: zstdEngine(io.env) !== null } });
  for (const warning2 of loaded.warnings) io.reporter.warn(`${warning2.where}: ${warning2.path}: ${warning2.message}`);
  io.onPlan?.(loaded);
  return loaded;
}
function restoreRequest(input, io) {
  return {
    backup: input.backup,
    sources: input.sources,
    ...input.target ? { target: input.target } : {},
    allowVersionMismatch: input.allowVersionMismatch,
    reporter: io.reporter,
    signal: io.signal,
    env: io.env,
    ...input.stagingRoot ? { stagingRoot: input.stagingRoot } : {},
    ...input.to !== void 0 ? { to: destination(input.to, io) } : {},
    ...io.partial ? { partial: io.partial } : {}
  };
}
function destination(raw, io) {
  if (literalPasswords(raw).length > 0) {
    throw new UsageError("--to holds a password in clear: it would show in process listings.", { hint: "Leave it out and set PGPASSWORD, or write ${VAR} in the URL (single-quoted: '...${VAR}...') and set VAR." });
  }
  const unset = [];
  const url = interpolate(raw, io.env, io.secrets, unset);
  if (unset.length > 0) throw new UsageError(`--to uses \${${unset[0].variable}}, which is not set.`, { hint: "Set it in the environment." });
  return url;
}
function waitMsOf(text, label) {
  if (text === void 0 || text === "") return 0;
  const ms = parseClockDuration(text);
  if (ms === void 0) throw new UsageError(`${label} ${text}: expected a duration such as 30s, 10m or 1h.`);
  return ms;
}
function retriesTo(reporter) {
  return reporter ? { onRetry: (message) => reporter.warn(message) } : {};
}

export {
  requirement,
  ruleName,
  counts,
  evaluate,
  extensionFor,
  describeCodec,
  packing,
  decompressor,
  KEY_TYPE,
  PassphraseProtected,
  Reader,
  u32,
  str,
  fingerprint,
  parsePublicKey,
  readPrivateKey,
  snapshotOrder,
  load,
  restoreRequest,
  waitMsOf,
  retriesTo
};
