import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  buildSnapshot
} from "./chunk-ZRYGKYSX.js";
import "./chunk-25K5IZNL.js";
import {
  counting,
  matchBackupId
} from "./chunk-SDQC2PXR.js";
import {
  matching,
  mismatch,
  readBack
} from "./chunk-O2QLNILF.js";
import {
  RepoReader,
  listRepo,
  parseSnapshot,
  readAll,
  repoKeys,
  sha256
} from "./chunk-3REWNQ3V.js";
import {
  loadRecovered,
  selectTargets
} from "./chunk-RQSM67IX.js";
import {
  compareBackupIds,
  keyOf,
  listBackups,
  readManifest
} from "./chunk-2DH6G5LH.js";
import {
  plural
} from "./chunk-S5JFW3LE.js";
import {
  formatBytes
} from "./chunk-LMSXXO5M.js";
import "./chunk-GOBZCQIN.js";
import "./chunk-5QPPHHFV.js";
import "./chunk-CMYD6MRD.js";
import "./chunk-IIVFCJRN.js";
import {
  decryptionKeys,
  decryptor
} from "./chunk-ZXVIM5QX.js";
import {
  refusal
} from "./chunk-6OV6EYEP.js";
import {
  rt
} from "./chunk-XI4MDY3P.js";
import {
  decompressor
} from "./chunk-TY4SYINN.js";
import "./chunk-TBQSFWBU.js";
import "./chunk-K3PTCQNR.js";
import {
  Secrets
} from "./chunk-XRTEQXPF.js";
import "./chunk-5F55Z7FC.js";
import "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import "./chunk-QVOAAX5T.js";
import {
  IntegrityError,
  KeyError,
  NotFoundError,
  RunError,
  UsageError,
  reason
} from "./chunk-WHVU3KGO.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";

// src/commands/verify.ts
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

// src/repository/check.ts
function parseSample(text, now = /* @__PURE__ */ new Date()) {
  const share = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (share) {
    const percent = Number(share[1]);
    if (!(percent > 0 && percent <= 100)) return void 0;
    const of2 = Math.max(1, Math.round(100 / percent));
    const day = Math.floor(now.getTime() / 864e5);
    return { part: day % of2 + 1, of: of2 };
  }
  const slice = /^(\d+)\/(\d+)$/.exec(text);
  if (!slice) return void 0;
  const [part, of] = [Number(slice[1]), Number(slice[2])];
  return part >= 1 && part <= of ? { part, of } : void 0;
}
var inSample = (id, sample) => !sample || parseInt(id.slice(0, 8), 16) % sample.of + 1 === sample.part;
async function checkObjects(target, plan, sample) {
  const report = { indexes: 0, packs: 0, skipped: 0, bytes: 0, problems: [] };
  const listing = await listRepo(target, plan);
  const check = async (key, id, size, what) => {
    try {
      const bytes = await readAll(target, key);
      report.bytes += bytes.length;
      if (bytes.length !== size) report.problems.push(`${what} ${id.slice(0, 12)} read ${bytes.length} bytes, listed as ${size}`);
      else if (sha256(bytes) !== id) report.problems.push(`${what} ${id.slice(0, 12)} is damaged: its sha256 differs from its name`);
    } catch (error) {
      report.problems.push(`${what} ${id.slice(0, 12)} cannot be read: ${reason(error)}`);
    }
  };
  for (const [id, size] of listing.indexes) {
    report.indexes += 1;
    await check(repoKeys.index(plan, id), id, size, "index");
  }
  for (const [id, size] of listing.packs) {
    if (!inSample(id, sample)) {
      report.skipped += 1;
      continue;
    }
    report.packs += 1;
    await check(repoKeys.pack(plan, id), id, size, "pack");
  }
  return report;
}

// src/report/collected.ts
var CollectedReporter = class {
  constructor(secrets = new Secrets()) {
    this.secrets = secrets;
  }
  events = [];
  r(text) {
    return this.secrets.redact(text);
  }
  info(message) {
    this.events.push({ kind: "info", message: this.r(message) });
  }
  warn(message) {
    this.events.push({ kind: "warn", message: this.r(message) });
  }
  error(message, hint) {
    this.events.push({ kind: "error", message: this.r(message), ...hint ? { hint: this.r(hint) } : {} });
  }
  debug(message) {
    this.events.push({ kind: "debug", message: this.r(message) });
  }
  stepStarted(id, title) {
    this.events.push({ kind: "stepStarted", id, title });
  }
  stepFinished(id, status, ms, note) {
    this.events.push({ kind: "stepFinished", id, status, ms, ...note ? { note: this.r(note) } : {} });
  }
  progress() {
  }
  output(text) {
    this.events.push({ kind: "output", message: this.r(text) });
  }
  /** Every message, one per line: what a user would have seen. */
  text() {
    return this.events.map((e) => "message" in e ? e.message : "title" in e ? e.title : `${e.id} ${e.status} ${e.note ?? ""}`).join("\n");
  }
};

// src/commands/verify.ts
async function deepCheck(target, loaded, id, entry, keys, onBytes) {
  const { encryption, file, compression } = entry.artifact;
  let decodedBytes = 0;
  const count = new Transform({ transform: (chunk, _e, callback) => (decodedBytes += chunk.length, callback(null, chunk)) });
  const opening = encryption ? [decryptor(encryption, keys(), `The artifact ${file} of backup ${id}`)] : [];
  const stored = await target.get(keyOf.file(loaded.plan.name, id, file));
  let readFailed = false;
  stored.once("error", () => readFailed = true);
  if (entry.storage === "repository") return deepRepository(target, loaded, id, entry, stored, [matching(entry), ...opening], keys);
  await pipeline([stored, counting(onBytes), matching(entry), ...opening, decompressor(compression.algorithm), count, entry.kind === "files" ? archiveCheck(file) : discard()]).catch((error) => {
    if (!readFailed && error instanceof RunError && !(error instanceof IntegrityError)) throw new IntegrityError(`${file} does not decode: ${reason(error)}`);
    throw error;
  });
  return decodedBytes;
}
async function deepRepository(target, loaded, id, entry, stored, opening, keys) {
  const parts = [];
  await pipeline([stored, ...opening, new Writable({ write: (chunk, _e, callback) => (parts.push(chunk), callback()) })]);
  const snapshot = parseSnapshot(Buffer.concat(parts), `The snapshot object ${entry.artifact.file} of backup ${id}`);
  const reader = await RepoReader.open(target, loaded.plan.name, snapshot, loaded.plan.encryption, entry.artifact.encryption ? keys() : { identities: [] });
  const { counts } = await buildSnapshot({ reader, snapshot, into: "", source: entry.name, reporter: new CollectedReporter(), signal: new AbortController().signal, dryRun: true });
  return counts.bytes;
}
var discard = () => new Writable({ write: (_chunk, _e, callback) => callback() });
function archiveCheck(file) {
  const parser = new rt({
    strict: true,
    onReadEntry(entry) {
      const why = refusal({ path: entry.path, type: entry.type, linkpath: entry.linkpath });
      if (why) parser.abort(new IntegrityError(`${file} holds an unsafe archive: ${why}.`));
      entry.resume();
    }
  });
  return parser;
}
async function checkArtifact(target, loaded, id, entry, deep, keys, reporter) {
  const { file, bytes } = entry.artifact;
  const report = { file, ok: true, bytes };
  const progress = (what) => (done) => reporter.progress(`${what}:${target.name}:${id}:${file}`, done, bytes, `${what === "read" ? "reading" : "decoding"} ${file} on ${target.name}`);
  try {
    const problem = mismatch(entry, await readBack(target, loaded.plan.name, id, entry, void 0, progress("read")));
    if (problem) return { ...report, ok: false, problem };
    if (deep) report.decoded_bytes = await deepCheck(target, loaded, id, entry, keys, progress("decode"));
    return report;
  } catch (error) {
    if (error instanceof KeyError) throw error;
    return { ...report, ok: false, problem: reason(error), ...error instanceof RunError ? { unreadable: true } : {} };
  }
}
function line(copy) {
  const bad = [...copy.problems, ...copy.artifacts.filter((a) => !a.ok).map((a) => a.file)];
  const objects = copy.repository ? ` (${copy.repository.indexes} indexes, ${copy.repository.packs} packs, ${copy.repository.bytes} bytes${copy.repository.skipped ? `; ${copy.repository.skipped} packs outside the sample` : ""})` : "";
  const head = `${copy.target}: ${copy.backup}${objects}: ${copy.ok ? `ok${copy.deep ? " (deep)" : ""}` : `${copy.unreadable ? "UNREADABLE" : "DAMAGED"}: ${bad.join(", ")}`}`;
  const parts = copy.artifacts.map((a) => `  ${a.file}: ${a.ok ? `ok, ${a.bytes} bytes, sha256 matches${a.decoded_bytes !== void 0 ? `, decoded to ${a.decoded_bytes} bytes` : ""}` : `${a.unreadable ? "UNREADABLE" : "DAMAGED"}: ${a.problem}`}`);
  return [head, ...copy.problems.map((p) => `  ${p}`), ...parts].join("\n");
}
async function holdingsOf(targets, plan) {
  return Promise.all(
    targets.map(
      (target) => listBackups(target, plan).then(
        (backups) => ({ target, complete: backups.filter((b) => b.complete) }),
        (error) => ({ target, error: reason(error) })
      )
    )
  );
}
async function checkCopy(target, loaded, id, deep, keys, claims, reporter) {
  const copy = { target: target.name, backup: id, ok: true, deep, artifacts: [], problems: [] };
  try {
    const manifest = await readManifest(target, loaded.plan.name, id, loaded.plan.signing);
    for (const c of manifest.copies) if (c.counted !== false && !(c.expires_at && Date.parse(c.expires_at) < Date.now())) claims.push({ id, by: target.name, on: c.target });
    for (const entry of manifest.sources) copy.artifacts.push(await checkArtifact(target, loaded, id, entry, deep, keys, reporter));
  } catch (error) {
    if (error instanceof KeyError) throw error;
    copy.problems.push(reason(error));
    if (error instanceof RunError) copy.unreadable = true;
  }
  copy.ok = copy.problems.length === 0 && copy.artifacts.every((a) => a.ok);
  const damaged = copy.artifacts.some((a) => !a.ok && !a.unreadable) || copy.problems.length > 0 && !copy.unreadable;
  if (!copy.ok && !damaged) copy.unreadable = true;
  else delete copy.unreadable;
  return copy;
}
function missingCopies(claims, listed) {
  const missing = /* @__PURE__ */ new Map();
  for (const { id, by, on } of claims) {
    if (!listed.has(on) || listed.get(on).has(id) || missing.has(`${id} ${on}`)) continue;
    missing.set(`${id} ${on}`, `backup ${id}: its manifest on "${by}" names a copy on "${on}", which "${on}" does not hold (pruned there, or lost)`);
  }
  return [...missing.values()];
}
function sampleOf(text) {
  if (text === void 0) return void 0;
  const sample = parseSample(text);
  if (!sample) throw new UsageError(`--sample ${text} is not a share of the repository.`, { hint: "Give a percentage (10%: a slice of ten, another each day) or a slice (3/7: the third of seven)." });
  return sample;
}
async function checkRepository(target, plan, sample) {
  const copy = { target: target.name, backup: "repository", ok: true, deep: false, artifacts: [], problems: [] };
  try {
    const objects = await checkObjects(target, plan, sample);
    copy.problems.push(...objects.problems);
    copy.ok = objects.problems.length === 0;
    copy.repository = { indexes: objects.indexes, packs: objects.packs, skipped: objects.skipped, bytes: objects.bytes };
  } catch (error) {
    copy.ok = false;
    copy.unreadable = true;
    copy.problems.push(reason(error));
  }
  return copy;
}
var verify = async (input, io) => {
  const loaded = await loadRecovered(input, io);
  const { plan } = loaded;
  let keys;
  const getKeys = () => keys ??= decryptionKeys(io.env, plan.encryption, loaded.secrets);
  const reports = [];
  const report = (copy) => {
    reports.push(copy);
    if (!input.json) io.reporter.output(line(copy));
  };
  const claims = [];
  const repository = plan.sources.some((s) => s.type === "files" && s.storage === "repository");
  const sample = sampleOf(input.sample);
  const listed = /* @__PURE__ */ new Map();
  const holdings = await holdingsOf(selectTargets(loaded, input.target, io.env, io.reporter), plan.name);
  const latest = holdings.flatMap((h) => h.complete ?? []).sort((a, b) => compareBackupIds(b.id, a.id))[0]?.id;
  const everywhere = [...new Set(holdings.flatMap((h) => h.complete ?? []).map((b) => b.id))];
  const wanted = input.backup === "latest" ? latest : input.backup === "all" ? void 0 : matchBackupId(everywhere, input.backup) ?? input.backup;
  for (const { target, complete, error } of holdings) {
    if (!complete) {
      report({ target: target.name, backup: input.backup, ok: false, unreadable: true, deep: input.deep, artifacts: [], problems: [error] });
      continue;
    }
    listed.set(target.name, new Set(complete.map((b) => b.id)));
    const chosen = input.backup === "all" ? complete : complete.filter((b) => b.id === wanted);
    if (chosen.length === 0 && input.backup === "latest" && latest && !input.json) io.reporter.output(`${target.name}: ${latest}: not on this target`);
    for (const backup of chosen) report(await checkCopy(target, loaded, backup.id, input.deep, getKeys, claims, io.reporter));
    if (repository && chosen.length > 0) report(await checkRepository(target, plan.name, sample));
  }
  for (const text of missingCopies(claims, listed)) io.reporter.warn(`Missing copy: ${text}.`);
  if (reports.length === 0) throw new NotFoundError(`No backup matching "${input.backup}" was found to verify.`, { hint: "Run `restorable list`." });
  const bad = reports.filter((r) => !r.ok && !r.unreadable);
  const unread = reports.filter((r) => r.unreadable);
  if (!input.json) {
    const bytes = reports.reduce((sum, r) => sum + r.artifacts.filter((a) => a.ok).reduce((s, a) => s + a.bytes, 0), 0);
    const ok = reports.length - bad.length - unread.length;
    io.reporter.output(`Total: ${plural(reports.length, "copy", "copies")} checked${input.deep ? " deep" : ""}: ${ok} ok (${formatBytes(bytes)} read), ${bad.length} damaged, ${unread.length} unreadable.`);
  }
  if (bad.length === 0 && unread.length > 0) {
    throw new RunError(`${unread.length} of ${reports.length} cop${reports.length === 1 ? "y" : "ies"} could not be read: ${unread.map((r) => `${r.backup} on ${r.target}`).join(", ")}; the others verified.`, {
      hint: "See the reasons above; a GitHub cache can be read only inside a workflow job (--target NAME verifies one target)."
    });
  }
  if (bad.length > 0) {
    throw new IntegrityError(`${bad.length} of ${reports.length} cop${reports.length === 1 ? "y is" : "ies are"} damaged: ${bad.map((r) => `${r.backup} on ${r.target}`).join(", ")}.`, {
      hint: "Restore from a copy that verified (--target NAME); the next backup writes fresh copies."
    });
  }
  return { ok: true, deep: input.deep, copies: reports };
};
export {
  verify
};
