import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  createTarget
} from "./chunk-GOBZCQIN.js";
import {
  sourceAdapter
} from "./chunk-6OV6EYEP.js";
import {
  load,
  retriesTo
} from "./chunk-TY4SYINN.js";
import {
  external_exports
} from "./chunk-QVOAAX5T.js";
import {
  RunError,
  UsageError,
  reason
} from "./chunk-WHVU3KGO.js";

// src/restore/journal.ts
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, unlink } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
var owner = external_exports.object({ host: external_exports.string(), pid: external_exports.number().int(), started: external_exports.string().nullable() });
var journalBody = external_exports.object({
  version: external_exports.literal(1),
  plan: external_exports.string(),
  backup_id: external_exports.string(),
  tag: external_exports.string(),
  owner,
  started_at: external_exports.string(),
  phase: external_exports.enum(["building", "swapping", "swapped", "rolling-back"]),
  sources: external_exports.array(
    external_exports.object({
      name: external_exports.string(),
      type: external_exports.string(),
      /** Where the restored data was built (a path, or a database location). */
      staged: external_exports.string(),
      point: external_exports.string().nullable(),
      leftover: external_exports.string().optional(),
      /** The adapter's own steps (see SwapPlan in sources/source.ts). */
      steps: external_exports.array(external_exports.unknown()),
      done: external_exports.number().int()
    })
  )
});
function journalPath(loaded) {
  return join(loaded.dir, ".restorable", `restore-journal.${loaded.plan.name}.json`);
}
function processStart(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}
function me() {
  return { host: hostname(), pid: process.pid, started: processStart(process.pid) };
}
function alive(who) {
  if (who.host !== hostname()) return true;
  try {
    process.kill(who.pid, 0);
  } catch (error) {
    if (error.code !== "EPERM") return false;
  }
  return who.started === null || processStart(who.pid) === who.started;
}
async function syncFolder(dir) {
  const handle = await open(dir, "r");
  await handle.sync().finally(() => handle.close());
}
async function writeWhole(path, body, durable) {
  const temp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  const handle = await open(temp, "w", 384);
  try {
    await handle.writeFile(`${JSON.stringify(body, null, 2)}
`);
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  if (durable) await syncFolder(dirname(path));
}
var RestoreJournal = class _RestoreJournal {
  constructor(path, body) {
    this.path = path;
    this.body = body;
  }
  static async begin(loaded, run) {
    const path = journalPath(loaded);
    try {
      await mkdir(dirname(path), { recursive: true, mode: 448 });
      if (await readFile(path).then(() => true, () => false)) {
        throw new RunError(`An earlier restore's journal is still at ${path}: its restore was not settled.`, { hint: "Run `restorable list` to settle it (it says what it does), then restore again." });
      }
      const body = {
        version: 1,
        plan: loaded.plan.name,
        backup_id: run.backupId,
        tag: run.tag,
        owner: me(),
        started_at: (/* @__PURE__ */ new Date()).toISOString(),
        phase: "building",
        sources: run.sources.map((s) => ({ ...s, point: null, steps: [], done: 0 }))
      };
      await writeWhole(path, body, true);
      return new _RestoreJournal(path, body);
    } catch (error) {
      if (error instanceof RunError) throw error;
      throw new RunError(`Could not write the restore journal ${path}: ${reason(error)}. Nothing was changed.`, {
        hint: "A restore records what it changes there first, so that a crash can be undone: make the folder writable.",
        cause: error
      });
    }
  }
  /** Every source's swap, in the order given at `begin`, before the first step is made. */
  planned(swaps) {
    this.body.sources = this.body.sources.map((s, index) => {
      const { point, leftover, steps } = swaps[index];
      return { ...s, point, steps, ...leftover ? { leftover } : {} };
    });
    this.body.phase = "swapping";
    return writeWhole(this.path, this.body, true);
  }
  progress(source, done) {
    this.body.sources[source].done = done;
    return writeWhole(this.path, this.body, false);
  }
  phase(phase) {
    this.body.phase = phase;
    return writeWhole(this.path, this.body, true);
  }
  async remove() {
    await unlink(this.path);
    await syncFolder(dirname(this.path));
  }
};
async function recoverInterrupted(loaded, reporter) {
  const path = journalPath(loaded);
  const text = await readFile(path, "utf8").catch((error) => {
    if (error.code === "ENOENT") return void 0;
    throw new RunError(`Cannot read the restore journal ${path}: ${reason(error)}`, { hint: "Make it readable: it says how to undo an interrupted restore." });
  });
  if (text === void 0) return { action: "none" };
  let body;
  try {
    body = journalBody.parse(JSON.parse(text));
  } catch (error) {
    throw new RunError(`The restore journal ${path} is damaged (${reason(error)}): an interrupted restore may have left data half swapped.`, {
      hint: "Look at the restore points beside the live data (names with .restorable-restore-point-) and put them back by hand, then remove the journal."
    });
  }
  const who = `run ${body.owner.pid} on ${body.owner.host}, started ${body.started_at}`;
  if (alive(body.owner)) {
    const message = body.owner.host === hostname() ? `A restore of backup ${body.backup_id} is running (${who}); its journal is left alone.` : `A restore of backup ${body.backup_id} by another host was interrupted or is running (${who}): run restorable there to settle it.`;
    reporter.warn(message);
    return { action: "left", backupId: body.backup_id, message };
  }
  const claim = await claimJournal(path);
  if (!claim) return { action: "left", backupId: body.backup_id };
  try {
    return await settle(loaded, body, path, who, reporter);
  } finally {
    await claim();
  }
}
async function claimJournal(path) {
  const file = `${path}.claim`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, "wx", 384);
      await handle.writeFile(JSON.stringify(me()));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      const holder = owner.safeParse(JSON.parse(await readFile(file, "utf8").catch(() => "null") || "null"));
      if (holder.success && alive(holder.data)) return void 0;
      await rm(file, { force: true });
    }
  }
  return void 0;
}
async function settle(loaded, body, path, who, reporter) {
  const ctx = { planDir: loaded.dir, stagingDir: tmpdir(), reporter, signal: new AbortController().signal };
  const names = body.sources.map((s) => s.name);
  const points = body.sources.flatMap((s) => s.point ? [`${s.name}: ${s.point}`] : []);
  const configOf = (name, type) => {
    const config = loaded.plan.sources.find((s) => s.name === name && s.type === type);
    if (!config) throw new RunError(`The interrupted restore changed source "${name}" (${type}), which the plan no longer has.`, { hint: `Put the plan's source back as it was, or settle it by hand from the journal ${path}.` });
    return config;
  };
  if (body.phase === "swapped") {
    for (const s of body.sources) if (s.leftover) await rm(s.leftover, { recursive: true, force: true });
    await unlink(path);
    const message2 = `An interrupted restore of backup ${body.backup_id} (${who}) had swapped in every source (${names.join(", ")}); it stands. The health checks that need the running app may not have run: check the app.${points.length > 0 ? ` The previous state is kept at ${points.join("; ")}.` : ""}`;
    reporter.warn(message2);
    return { action: "finished", backupId: body.backup_id, sources: names, restorePoints: points, message: message2 };
  }
  const stuck = [];
  for (const s of [...body.sources].reverse()) {
    try {
      const config = configOf(s.name, s.type);
      const adapter = sourceAdapter(config);
      await adapter.undoSteps(config, s.steps, ctx);
      await adapter.discard(s.staged, config);
    } catch (error) {
      stuck.push(`${s.name}: ${reason(error)}`);
    }
  }
  if (stuck.length > 0) {
    throw new RunError(`An interrupted restore of backup ${body.backup_id} (${who}) could not be fully rolled back: ${stuck.join("; ")}. The journal ${path} is kept; the next run tries again.`, {
      hint: `The previous state is whole in its restore point${points.length > 0 ? ` (${points.join("; ")})` : ""}: if this keeps failing, move it back by hand.`
    });
  }
  await unlink(path);
  if (body.phase === "building") {
    const message2 = `A restore of backup ${body.backup_id} (${who}) was interrupted before it changed any live data; what it had built beside the live data was removed.`;
    reporter.warn(message2);
    return { action: "rolled-back", backupId: body.backup_id, sources: names, restorePoints: [], message: message2 };
  }
  const hooks = loaded.plan.hooks.pre_restore.length > 0 ? " Its pre_restore hooks had run and its post_restore hooks did not: start the app if it is stopped." : "";
  const message = `An interrupted restore of backup ${body.backup_id} (${who}) was rolled back: ${names.join(", ")} ${names.length > 1 ? "are" : "is"} as before that restore${points.length > 0 ? ` (taken back from ${points.join("; ")})` : ""}.${hooks}`;
  reporter.warn(message);
  return { action: "rolled-back", backupId: body.backup_id, sources: names, restorePoints: points, message };
}

// src/commands/targets.ts
async function loadRecovered(input, io) {
  const loaded = await load(input, io);
  await recoverInterrupted(loaded, io.reporter);
  return loaded;
}
function allTargets({ plan, dir }, env, reporter) {
  return plan.targets.map((config) => createTarget(config, { planDir: dir, env, ...retriesTo(reporter) }));
}
function selectTargets({ plan, dir }, name, env, reporter) {
  const chosen = plan.targets.filter((t) => name === void 0 || t.name === name);
  if (chosen.length === 0) throw new UsageError(`The plan has no target named "${name}".`, { hint: `Targets: ${plan.targets.map((t) => t.name).join(", ")}` });
  return chosen.map((config) => createTarget(config, { planDir: dir, ...env ? { env } : {}, ...retriesTo(reporter) }));
}

export {
  RestoreJournal,
  loadRecovered,
  allTargets,
  selectTargets
};
