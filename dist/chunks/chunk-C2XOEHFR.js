import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  resolveAppVersion
} from "./chunk-RQ4OLF6H.js";
import {
  buildSnapshot
} from "./chunk-ZRYGKYSX.js";
import {
  makeStaging
} from "./chunk-GTM6V2KB.js";
import {
  walkSnapshot
} from "./chunk-PDJL5LDK.js";
import {
  buildBytes,
  checkKey,
  checkRoom,
  choiceBytes,
  decoded,
  fetchVerified,
  findBackup,
  isNoSpace,
  noRoom,
  roomNeeded
} from "./chunk-SDQC2PXR.js";
import {
  FallbackReader,
  RepoReader,
  parseSnapshot
} from "./chunk-3REWNQ3V.js";
import {
  readManifest
} from "./chunk-2DH6G5LH.js";
import {
  createTarget
} from "./chunk-GOBZCQIN.js";
import {
  decryptionKeys
} from "./chunk-ZXVIM5QX.js";
import {
  noteLeftOut,
  sourceAdapter
} from "./chunk-6OV6EYEP.js";
import {
  snapshotOrder
} from "./chunk-TY4SYINN.js";
import {
  runCommand
} from "./chunk-K3PTCQNR.js";
import {
  require_picomatch
} from "./chunk-23TMSUQ2.js";
import {
  IntegrityError,
  NotFoundError,
  RefusedError,
  UsageError,
  reason
} from "./chunk-WHVU3KGO.js";
import {
  __toESM
} from "./chunk-ZJTQKECG.js";

// src/restore/path-choice.ts
var import_picomatch = __toESM(require_picomatch(), 1);
function chooser(patterns) {
  const match = (0, import_picomatch.default)(patterns.map((p) => p.replace(/^\.?\/+/, "").replace(/\/+$/, "")), { dot: true });
  return (path) => {
    const parts = path.split("/");
    for (let n = 1; n <= parts.length; n += 1) if (match(parts.slice(0, n).join("/"))) return true;
    return false;
  };
}
async function choosePaths(reader, snapshot, patterns) {
  const chosen = chooser(patterns);
  const wanted = /* @__PURE__ */ new Set();
  const counts = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const add = (path, node) => {
    if (wanted.has(path)) return;
    wanted.add(path);
    if (node.type === "dir") counts.dirs += 1;
    else if (node.type === "symlink") counts.symlinks += 1;
    else {
      counts.files += 1;
      counts.bytes += node.size ?? 0;
    }
  };
  for await (const { path, node } of walkSnapshot(reader, snapshot)) {
    if (!chosen(path)) continue;
    const parts = path.split("/");
    for (let n = 1; n < parts.length; n += 1) add(parts.slice(0, n).join("/"), { type: "dir" });
    add(path, node);
  }
  return { wanted, counts };
}

// src/restore/reference-check.ts
import { lstat } from "node:fs/promises";
import { isAbsolute, join, normalize, sep } from "node:path";
function allRowsQuery(sourceType, sql) {
  const inner = sql.trim().replace(/;+\s*$/, "");
  if (sourceType === "postgres") return `with q(p) as (
${inner}
) select coalesce(json_agg(p), '[]'::json) from q`;
  return `with q(p) as (
${inner}
) select json_group_array(p) from q`;
}
function pathsOf(value) {
  const list = typeof value === "string" ? JSON.parse(value) : value;
  if (!Array.isArray(list)) throw new Error(`expected the query to return paths, got ${JSON.stringify(value)}`);
  return list.filter((p) => typeof p === "string" && p !== "");
}
function within(root, path, strip) {
  let rel = path;
  if (strip !== void 0) {
    const prefix = strip.replace(/\/+$/, "");
    if (rel === prefix || !rel.startsWith(`${prefix}/`)) return void 0;
    rel = rel.slice(prefix.length + 1);
  }
  if (isAbsolute(rel)) return void 0;
  const clean = normalize(rel);
  if (clean === ".." || clean.startsWith(`..${sep}`)) return void 0;
  return join(root, clean);
}
var PARALLEL = 32;
var SHOWN = 5;
async function missingFiles(paths, root, spec) {
  const missing = [];
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++];
      const at = within(root, path, spec.strip_prefix);
      const found = at !== void 0 && await lstat(at).then((s) => s.isFile() || s.isSymbolicLink(), () => false);
      if (!found) missing.push(path);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, paths.length) }, worker));
  if (missing.length === 0) return void 0;
  missing.sort();
  const more = missing.length > SHOWN ? `, ... (${missing.length - SHOWN} more)` : "";
  return `${missing.length} of ${paths.length} referenced files are missing from files source "${spec.in}": ${missing.slice(0, SHOWN).join(", ")}${more}`;
}

// src/restore/healthchecks.ts
function kindOf(check) {
  return "sql" in check ? "sql" : "http" in check ? "http" : "command";
}
function meets(value, expect) {
  if ("equals" in expect) return String(value) === String(expect.equals);
  if ("contains" in expect) return String(value).includes(expect.contains);
  if (value === null || value === void 0 || typeof value === "string" && value.trim() === "") return false;
  const n = Number(value);
  return !Number.isNaN(n) && (expect.min === void 0 || n >= expect.min) && (expect.max === void 0 || n <= expect.max);
}
function sourceEnv(ctx) {
  const env = { ...ctx.env, RESTORABLE_MODE: ctx.mode, RESTORABLE_PLAN: ctx.plan.name };
  for (const [name, location] of ctx.locations) env[`RESTORABLE_SOURCE_${name.toUpperCase().replace(/-/g, "_")}`] = location;
  return env;
}
async function attempt(check, ctx) {
  if ("sql" in check) {
    const source = ctx.configs?.get(check.source) ?? ctx.plan.sources.find((s) => s.name === check.source);
    const { expect } = check;
    if ("files_exist" in expect) {
      const paths = pathsOf(await sourceAdapter(source).query(source, ctx.locations.get(source.name), allRowsQuery(source.type, check.sql)));
      const files = ctx.configs?.get(expect.files_exist.in) ?? ctx.plan.sources.find((s) => s.name === expect.files_exist.in);
      const root = ctx.locations.get(files.name) ?? sourceAdapter(files).liveLocation(files, { planDir: ctx.planDir });
      return missingFiles(paths, root, expect.files_exist);
    }
    const value = await sourceAdapter(source).query(source, ctx.locations.get(source.name), check.sql);
    return meets(value, expect) ? void 0 : `got ${JSON.stringify(value)}, expected ${JSON.stringify(expect)}`;
  }
  if ("http" in check) {
    const response = await fetch(check.http.url, { signal: AbortSignal.timeout(check.timeout) });
    const body = check.http.contains === void 0 ? "" : await response.text();
    if (response.status !== check.http.status) return `HTTP ${response.status}, expected ${check.http.status}`;
    return check.http.contains === void 0 || body.includes(check.http.contains) ? void 0 : `the response does not contain ${JSON.stringify(check.http.contains)}`;
  }
  const result = await runCommand(check.command, { cwd: ctx.planDir, timeoutMs: check.timeout, env: sourceEnv(ctx), signal: ctx.signal });
  if (result.timedOut) return `timed out after ${check.timeout / 1e3}s`;
  const output = (result.stderr || result.stdout).split("\n").map((line) => line.trim()).filter(Boolean).slice(-3).join(" | ");
  return result.code === 0 ? void 0 : `exit ${result.code ?? result.signal}${output ? `: ${output}` : ""}`;
}
async function runOne(check, ctx) {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if ("http" in check && ctx.mode === "drill") {
    return { name: check.name, status: "skipped", ms: 0, detail: "http checks need the running app; a drill restores into a scratch place" };
  }
  let detail = "";
  for (let round = 0; round <= check.retries; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, check.interval));
    try {
      const failure = await attempt(check, ctx);
      if (failure === void 0) return { name: check.name, status: "ok", ms: elapsed(), detail: round > 0 ? `passed on try ${round + 1}` : "passed" };
      detail = failure;
    } catch (error) {
      detail = reason(error);
    }
    if (ctx.signal.aborted) break;
  }
  return { name: check.name, status: "failed", ms: elapsed(), detail: `${detail}${check.retries > 0 ? ` (after ${check.retries + 1} tries)` : ""}` };
}
async function runHealthChecks(ctx) {
  const results = [];
  for (const check of ctx.plan.restore.healthchecks) {
    if ("source" in check && !ctx.locations.has(check.source)) continue;
    if (ctx.kinds && !ctx.kinds.includes(kindOf(check))) continue;
    const result = await runOne(check, ctx);
    const line = `health check "${result.name}": ${result.status} (${result.detail}, ${result.ms} ms)`;
    if (result.status === "failed") ctx.reporter.warn(line);
    else ctx.reporter.info(line);
    results.push(result);
  }
  return results;
}

// src/restore/build.ts
import { dirname, isAbsolute as isAbsolute2 } from "node:path";

// src/restore/snapshot-object.ts
import { text } from "node:stream/consumers";
async function snapshotOf(plan, backupId, selected, keys) {
  const { entry, artifact, config } = selected;
  const what = `The snapshot object ${entry.artifact.file} of backup ${backupId}`;
  const snapshot = parseSnapshot(Buffer.from(await text(decoded(artifact, entry, keys))), what);
  if (snapshot.backup_id !== backupId || snapshot.source !== config.name || snapshot.plan !== plan) {
    throw new IntegrityError(`${what} belongs to ${snapshot.plan}/${snapshot.backup_id}/${snapshot.source}.`, { hint: "The backup folder holds another backup's snapshot; use another backup (--backup ID)." });
  }
  return snapshot;
}

// src/restore/materialize.ts
async function openRepository(plan, { target, keys, manifest }, selected) {
  const snapshot = await snapshotOf(plan.name, manifest.backup_id, selected, keys);
  return { snapshot, reader: await RepoReader.open(target, plan.name, snapshot, plan.encryption, keys) };
}
async function materialize(plan, prepared, selected, into) {
  const { config, adapter, entry, artifact } = selected;
  const { target, keys, ctx } = prepared;
  if (entry.storage !== "repository") {
    const { bytes } = entry.artifact;
    const stream = decoded(artifact, entry, keys, (done) => ctx.reporter.progress(`build:${config.name}`, done, bytes, `restoring ${config.name}`));
    return adapter.materialize(config, stream, into, ctx).finally(() => stream.destroy());
  }
  const { snapshot, reader: primary } = selected.opened ?? await openRepository(plan, prepared, selected);
  const others = async () => {
    const readers = [];
    for (const config2 of plan.targets.filter((t) => t.name !== target.name)) {
      const other = createTarget(config2, { planDir: ctx.planDir, env: prepared.env, onRetry: (message) => ctx.reporter.warn(message) });
      const reader2 = await RepoReader.open(other, plan.name, snapshot, plan.encryption, keys).catch(() => void 0);
      if (reader2) readers.push(reader2);
    }
    return readers;
  };
  const reader = new FallbackReader(primary, others, (message) => ctx.reporter.warn(message));
  const only = selected.choice && ((path) => selected.choice.wanted.has(path));
  const { dropped } = await buildSnapshot({ reader, snapshot, into, source: config.name, reporter: ctx.reporter, signal: ctx.signal, ...only ? { only } : {} });
  noteLeftOut(into, dropped);
}

// src/restore/build.ts
function builtDifferences(entry, found) {
  if (found.unsound !== null) return [found.unsound];
  const differences = [];
  if (found.schemaVersion !== void 0 && found.schemaVersion !== entry.schema_version) {
    differences.push(`schema version ${found.schemaVersion ?? "none"}, the manifest says ${entry.schema_version ?? "none"}`);
  }
  for (const [key, recorded] of Object.entries(entry.counts)) {
    const got = found.counts[key];
    if (got !== void 0 && got !== recorded) differences.push(`${got} ${key}, the manifest says ${recorded}`);
  }
  return differences;
}
async function buildChecked(plan, prepared, item, into, purpose) {
  const { config, adapter, entry } = item;
  await materialize(plan, prepared, item, into).catch((error) => {
    if (!isNoSpace(error)) throw error;
    const place = isAbsolute2(into) ? dirname(into) : `${prepared.stagingDir} or the PostgreSQL server's data folder`;
    throw noRoom(`source "${config.name}"`, place, roomNeeded(entry), error, { staging: !isAbsolute2(into) || into.startsWith(prepared.stagingDir) });
  });
  if (!adapter.inspectBuilt) return;
  let differences;
  try {
    const expected = item.choice ? { ...entry, counts: item.choice.counts } : entry;
    differences = builtDifferences(expected, await adapter.inspectBuilt(config, into, prepared.ctx, purpose));
  } catch (error) {
    await adapter.discard(into, config).catch(() => void 0);
    throw error;
  }
  if (differences.length === 0) return;
  await adapter.discard(into, config).catch((error) => prepared.ctx.reporter.warn(`Could not remove the refused build at ${into}: ${reason(error)}`));
  throw new IntegrityError(
    `The restored data of source "${config.name}" is not what backup ${prepared.manifest.backup_id} recorded: ${differences.join("; ")}. It was discarded; the live data was not touched.`,
    {
      hint: "The artifact passed its checksum, so it was stored this way: altered on the target, or not made by restorable. Restore another backup (--backup ID) or another target's copy (--target NAME), and run `restorable verify`."
    }
  );
}

// src/restore/prepare.ts
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname as dirname2, isAbsolute as isAbsolute3, join as join2 } from "node:path";
function select(loaded, located, names) {
  const { plan } = loaded;
  for (const name of names) {
    if (!plan.sources.some((s) => s.name === name)) throw new UsageError(`The plan has no source named "${name}".`, { hint: `Sources: ${plan.sources.map((s) => s.name).join(", ")}` });
    if (!located.manifest.sources.some((s) => s.name === name)) {
      throw new UsageError(`Backup ${located.manifest.backup_id} holds no source named "${name}".`, { hint: `It holds: ${located.manifest.sources.map((s) => s.name).join(", ")}` });
    }
  }
  const wanted = snapshotOrder(plan.sources).filter((s) => names.length === 0 ? true : names.includes(s.name));
  return wanted.flatMap((config) => {
    const entry = located.manifest.sources.find((s) => s.name === config.name);
    if (!entry) return [];
    if (entry.type !== config.type) {
      throw new IntegrityError(`Backup ${located.manifest.backup_id} holds a ${entry.type} artifact for source "${config.name}", which is ${config.type} in the plan.`, {
        hint: "Restore it with a plan whose source has the same type; an artifact is never restored into another engine."
      });
    }
    return [{ config, entry }];
  });
}
async function versionProblems(loaded, located, chosen, ctx, env, mode) {
  const problems = [];
  const current = await resolveAppVersion(loaded.plan, loaded.dir, env).catch(() => null);
  const saved = located.manifest.app_version;
  if (current && saved && current !== saved) problems.push(`the backup was made by app version ${saved}; the plan says ${current} now`);
  if (mode === "drill") return problems;
  for (const { config, entry } of chosen) {
    const live = await sourceAdapter(config).currentSchemaVersion(config, ctx).catch(() => null);
    if (live !== null && entry.schema_version !== null && live !== entry.schema_version) {
      problems.push(`source "${config.name}" is at schema version ${live}; the backup is at ${entry.schema_version}`);
    }
  }
  return problems;
}
async function prepare(loaded, request, mode) {
  const { plan, dir } = loaded;
  const targets = request.targets ?? plan.targets.map((config) => createTarget(config, { planDir: dir, env: request.env, onRetry: (message) => request.reporter.warn(message) }));
  const { id, holders } = await findBackup(targets, plan.name, request.backup, request.reporter, request.target);
  const stagingDir = await makeStaging(request.stagingRoot, mode).catch((error) => {
    throw isNoSpace(error) ? noRoom("the staging folder", request.stagingRoot ?? tmpdir(), "a few KiB", error, { staging: true }) : error;
  });
  const cleanup = () => rm(stagingDir, { recursive: true, force: true });
  const ctx = { planDir: dir, stagingDir, reporter: request.reporter, signal: request.signal };
  let versionsChecked = false;
  let firstDamage;
  let keys;
  const onDamage = (error, index) => {
    if (!(error instanceof IntegrityError || error instanceof NotFoundError)) throw error;
    firstDamage ??= error;
    const next = holders[index + 1];
    request.reporter.warn(`${error.message}${next ? ` Trying the copy on target "${next.name}".` : ""}`);
  };
  try {
    for (const [index, target] of holders.entries()) {
      const manifest = await readManifest(target, plan.name, id, plan.signing).catch((error) => onDamage(error, index));
      if (!manifest) continue;
      const located = { target, manifest };
      const chosen = await retarget(onlyPaths(select(loaded, located, request.sources), request.paths, request.sources.length > 0, id), request.to);
      if (!versionsChecked) {
        await checkVersions(loaded, located, chosen, ctx, request, mode);
        for (const { config } of chosen) await sourceAdapter(config).checkRestore?.(config, ctx, mode);
        versionsChecked = true;
      }
      if (!request.paths) await checkRoom(needs(located, chosen, ctx, mode));
      const selected = await fetchAll(located, chosen, join2(stagingDir, target.name), request.reporter).catch((error) => onDamage(error, index));
      if (!selected) continue;
      keys ??= selected.some((s) => s.entry.artifact.encryption) ? decryptionKeys(request.env, plan.encryption, loaded.secrets) : { identities: [] };
      const opened = await openAll(selected, keys, id).catch((error) => onDamage(error, index));
      if (!opened) continue;
      const chose = request.paths ? await choose(loaded, located, selected[0], keys, request.paths).catch((error) => onDamage(error, index)) : true;
      if (!chose) continue;
      if (request.paths) await checkRoom(needs(located, chosen, ctx, mode, selected[0].choice));
      request.reporter.info(`Backup ${id} from target "${target.name}" (made ${manifest.finished_at}, app ${manifest.app_version ?? "unknown"}): ${selected.length} artifact(s) verified.`);
      return { ...located, selected, stagingDir, ctx, keys, env: request.env, cleanup };
    }
    throw firstDamage;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
function needs({ target }, chosen, ctx, mode, choice) {
  const list = [];
  for (const { config, entry } of chosen) {
    const bytes = choice ? choiceBytes(choice) : buildBytes(entry);
    const live = sourceAdapter(config).liveLocation(config, ctx);
    const local = isAbsolute3(live);
    const place = local && mode === "restore" ? dirname2(live) : ctx.stagingDir;
    if (bytes !== null && (local || /\.tar(\.|$)/.test(entry.artifact.file))) list.push({ place, bytes, what: `source "${config.name}"` });
    if (!target.localPath) list.push({ place: ctx.stagingDir, bytes: entry.artifact.bytes, what: `the download of ${entry.artifact.file}` });
  }
  return list;
}
function onlyPaths(chosen, paths, named, id) {
  if (!paths) return chosen;
  const repos = chosen.filter((c) => c.entry.storage === "repository");
  if (repos.length === 1 && (!named || chosen.length === 1)) return repos;
  throw new UsageError(
    repos.length === 0 ? `--path restores paths of a repository source (storage: repository); ${chosen.map((c) => `"${c.config.name}"`).join(", ")} in backup ${id} ${chosen.length === 1 ? "is not one" : "are not"}.` : `--path restores paths of one source: name it with --source (${repos.map((c) => c.config.name).join(", ")}).`,
    { hint: "A tar backup or a database restores whole: `restorable restore --source NAME`." }
  );
}
async function choose(loaded, { target, manifest }, selected, keys, paths) {
  const snapshot = await snapshotOf(loaded.plan.name, manifest.backup_id, selected, keys);
  const reader = await RepoReader.open(target, loaded.plan.name, snapshot, loaded.plan.encryption, keys);
  selected.choice = await choosePaths(reader, snapshot, paths);
  selected.opened = { snapshot, reader };
  if (selected.choice.wanted.size === 0) {
    throw new UsageError(`No path of backup ${manifest.backup_id} (source "${selected.config.name}") matches ${paths.join(", ")}.`, { hint: "Run `restorable ls` to see what it holds; nothing was changed." });
  }
  return true;
}
async function retarget(chosen, to) {
  if (to === void 0) return chosen;
  const movable = chosen.filter((c) => sourceAdapter(c.config).retarget);
  if (chosen.length !== 1 || movable.length !== 1) {
    throw new UsageError(`--to restores one PostgreSQL source; this restore selects ${chosen.map((c) => `${c.config.name} (${c.config.type})`).join(", ")}.`, { hint: "Pick the source with --source NAME." });
  }
  const { config, entry } = chosen[0];
  return [{ config: await sourceAdapter(config).retarget(config, to), entry }];
}
async function fetchAll({ target, manifest }, chosen, scratch, reporter) {
  await mkdir(scratch);
  const selected = [];
  for (const { config, entry } of chosen) {
    const artifact = await fetchVerified(target, manifest.plan.name, manifest.backup_id, entry, scratch, reporter);
    selected.push({ config, adapter: sourceAdapter(config), entry, artifact });
  }
  return selected;
}
async function openAll(selected, keys, id) {
  for (const { entry, artifact } of selected) await checkKey(artifact, entry, keys, id);
  return true;
}
async function checkVersions(loaded, located, chosen, ctx, request, mode) {
  const problems = await versionProblems(loaded, located, chosen, ctx, request.env, mode);
  for (const problem of problems) request.reporter.warn(`Version mismatch: ${problem}.`);
  if (problems.length > 0 && mode === "restore" && !request.allowVersionMismatch) {
    throw new RefusedError(`Refusing to restore over a different version: ${problems.join("; ")}.`, {
      hint: "Check that the app can run on this data (or downgrade it first), then run again with --allow-version-mismatch."
    });
  }
}

export {
  choosePaths,
  runHealthChecks,
  buildChecked,
  prepare
};
