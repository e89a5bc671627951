import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  Bounded
} from "./chunk-25K5IZNL.js";
import {
  BlobMap,
  IdSet,
  PACK_MAGIC,
  REPO_FORMAT,
  RepoReader,
  chooseSecret,
  collectNow,
  digestOf,
  gearTable,
  listRepo,
  loadIndex,
  loadRepo,
  newConfig,
  objectKeys,
  objectRecord,
  objectSealing,
  open,
  openSecret,
  packBlob,
  parseSnapshot,
  putVerified,
  readAll,
  readConfig,
  repoKeys,
  seal,
  sha256,
  storeSecret
} from "./chunk-3REWNQ3V.js";
import {
  DRILL,
  compareBackupIds,
  faultStep,
  keyOf,
  listBackups,
  readDrill,
  readManifest,
  removeBackup
} from "./chunk-2DH6G5LH.js";
import {
  decryptionKeys
} from "./chunk-ZXVIM5QX.js";
import {
  parseCalendarSpan,
  subtractSpan
} from "./chunk-2H3FGURD.js";
import {
  IntegrityError,
  RunError,
  reason
} from "./chunk-WHVU3KGO.js";

// src/repository/cache.ts
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
function cacheDir(plan, planDir, env) {
  const base = env.RESTORABLE_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "restorable");
  const where = createHash("sha256").update(planDir).digest("hex").slice(0, 12);
  return join(base, `${plan}-${where}`);
}
async function writeAtomically(path, data) {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data, { mode: 384 });
  await rename(temp, path);
}
var Cache = class {
  constructor(dir) {
    this.dir = dir;
  }
  async ensure() {
    for (const sub of ["", "keys", "index", "files"]) await mkdir(join(this.dir, sub), { recursive: true, mode: 448 });
  }
  /** The repository secret `id` in this cache's plain text form (see repo-secret.ts), if kept here. */
  key(id) {
    return readFile(join(this.dir, "keys", id), "utf8").catch(() => void 0);
  }
  async keyIds() {
    const { readdir } = await import("node:fs/promises");
    return (await readdir(join(this.dir, "keys")).catch(() => [])).filter((n) => /^[0-9a-f]{32}$/.test(n));
  }
  saveKey(id, plain) {
    return writeAtomically(join(this.dir, "keys", id), plain);
  }
  index(id) {
    return readFile(join(this.dir, "index", id)).catch(() => void 0);
  }
  saveIndex(id, plain) {
    return writeAtomically(join(this.dir, "index", id), plain);
  }
  async forgetIndex(id) {
    await rm(join(this.dir, "index", id), { force: true });
  }
  filesPath(source) {
    return join(this.dir, "files", `${source}.ndjson`);
  }
};

// src/repository/writer.ts
var PACK_SIZE = 16 * 1024 * 1024;
var PACK_BLOBS = 16384;
var PACKS_IN_FLIGHT = 1;
var INDEX_BLOBS = 2e4;
var SLAB = PACK_SIZE + 9 * 1024 * 1024;
var spareSlabs = [];
var SPARE_SLABS = 2;
var PackBuilder = class {
  constructor(holders) {
    this.holders = holders;
  }
  slab = spareSlabs.pop() ?? Buffer.allocUnsafeSlow(SLAB);
  entries = [];
  size = 0;
  /**
   * Copies a stored blob in and returns its offset. One copy into one buffer
   * (memcpy, a few ms per pack) frees the reader's buffer at once: holding
   * views of 16 MiB read windows until their pack was stored kept several of
   * them alive per pack (361 MiB peak on a photo library).
   */
  append(bytes) {
    if (this.size + bytes.length > this.slab.length) {
      const wider = Buffer.allocUnsafeSlow(this.size + bytes.length + SLAB);
      this.slab.copy(wider, 0, 0, this.size);
      this.slab = wider;
    }
    const at = this.size;
    bytes.copy(this.slab, at);
    this.size += bytes.length;
    return at;
  }
  get bytes() {
    return this.slab.subarray(0, this.size);
  }
  /** After the pack is stored everywhere: its slab serves the next pack. */
  release() {
    if (this.slab.length === SLAB && spareSlabs.length < SPARE_SLABS) spareSlabs.push(this.slab);
    this.slab = Buffer.alloc(0);
  }
};
var RepoWriter = class _RepoWriter {
  constructor(options, secret, gear) {
    this.options = options;
    this.secret = secret;
    this.gear = gear;
  }
  blobs = new BlobMap();
  stats = { blobs_new: 0, bytes_new: 0, packs: 0, stored_bytes: 0 };
  states = /* @__PURE__ */ new Map();
  builders = /* @__PURE__ */ new Map();
  /** Blobs queued in this run's packs, and for which targets. */
  queued = /* @__PURE__ */ new Map();
  get idKey() {
    return this.secret?.idKey ?? null;
  }
  static async open(options) {
    const { plan, encryption, cache } = options;
    await cache.ensure();
    const listings = /* @__PURE__ */ new Map();
    for (const target of options.alive()) {
      try {
        const listing = await listRepo(target, plan);
        if (listing.config) await readConfig(target, plan);
        else await putVerified(target, repoKeys.config(plan), Buffer.from(`${JSON.stringify(newConfig(encryption !== void 0), null, 2)}
`));
        listings.set(target.name, listing);
      } catch (error) {
        options.drop(target, error);
      }
    }
    let secret = null;
    if (encryption) {
      const held = new Map([...listings].map(([name, l]) => [name, l.keys]));
      secret = await chooseSecret(cache, held, options.alive(), plan, encryption, options.keys);
      for (const target of options.alive()) {
        if (listings.get(target.name)?.keys.includes(secret.idKey.id)) continue;
        await storeSecret(target, plan, secret, encryption).catch((error) => options.drop(target, error));
      }
    }
    const writer = new _RepoWriter(options, secret, gearTable(secret?.idKey.key ?? null));
    const opening = { record: encryption ? objectRecord(secret, encryption) : null, keys: secret ? objectKeys(secret, options.keys) : null };
    for (const target of options.alive()) {
      try {
        const present = await loadRepo(target, plan, listings.get(target.name), cache, opening, secret?.idKey.id ?? null, writer.blobs, { onSkip: (m) => options.reporter.warn(m) });
        writer.states.set(target.name, { target, present, added: [], addedBlobs: 0 });
      } catch (error) {
        options.drop(target, error);
      }
    }
    return writer;
  }
  /**
   * Treats these packs as absent on every target, so that add() writes their
   * blobs again (prune's repacking of mostly unused packs).
   */
  forget(packs) {
    for (const state of this.states.values()) for (const id of packs) state.present.delete(id);
  }
  holders() {
    return this.options.alive().flatMap((t) => this.states.get(t.name) ?? []);
  }
  holds(state, id) {
    return this.queued.get(id)?.has(state.target.name) === true || this.blobs.inAnyOf(id, state.present);
  }
  /** Whether every target still in the run holds (or has queued) every one of `ids`. */
  heldEverywhere(ids) {
    const holders = this.holders();
    return ids.every((id) => holders.every((s) => this.holds(s, id)));
  }
  /**
   * Queues a blob for the targets that lack it. `raw` is copied (compressed
   * or not) before this returns: the caller may reuse its buffer. Waits only when a full pack must be sealed while PACKS_IN_FLIGHT others
   * are still being stored.
   */
  async add(type, id, raw) {
    while (this.sealing) await this.sealing;
    this.storing.check();
    const lacking = this.holders().filter((s) => !this.holds(s, id));
    if (lacking.length === 0) return;
    const { bytes: stored, compression } = packBlob(raw);
    const key = `${type}:${lacking.map((s) => s.target.name).join(",")}`;
    let builder = this.builders.get(key);
    if (!builder) this.builders.set(key, builder = new PackBuilder(lacking));
    builder.entries.push({ id, type, offset: builder.append(stored), length: stored.length, raw_length: raw.length, compression });
    const mark = this.queued.get(id) ?? /* @__PURE__ */ new Set();
    for (const s of lacking) mark.add(s.target.name);
    this.queued.set(id, mark);
    this.stats.blobs_new += 1;
    this.stats.bytes_new += raw.length;
    if (builder.size >= PACK_SIZE || builder.entries.length >= PACK_BLOBS) await this.startFlush(key, builder);
  }
  /** Packs being stored in the background; a sealing failure is thrown by the next add or finish (a target's failure only drops that target). */
  storing = new Bounded(PACKS_IN_FLIGHT);
  /**
   * Starts storing a full pack once fewer than PACKS_IN_FLIGHT are being
   * stored: reading and chunking the next pack overlaps the writes, fsyncs
   * and read-backs of the last one, with bounded memory.
   */
  async startFlush(key, builder) {
    this.builders.delete(key);
    const started = this.storing.start(() => this.flush(builder));
    const sealing = started.then(
      () => void 0,
      () => void 0
    );
    this.sealing = sealing;
    try {
      await started;
    } finally {
      if (this.sealing === sealing) this.sealing = void 0;
    }
  }
  /** Set while a full pack waits for a slot among those being stored (see add). */
  sealing;
  /** Seals the builder's blobs into one pack and stores it on its targets. */
  async flush(builder) {
    const { entries, holders } = builder;
    const header = Buffer.from(JSON.stringify({ format: REPO_FORMAT, key_id: this.idKey?.id ?? null, blobs: entries }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    for (const part of [header, length, PACK_MAGIC]) builder.append(part);
    const plain = builder.bytes;
    const sealed = this.options.encryption ? await seal(plain, objectSealing(this.secret, this.options.encryption)) : plain;
    const digest = digestOf([sealed]);
    const { sha256: id, length: size } = digest;
    this.stats.packs += 1;
    this.stats.stored_bytes += size;
    await Promise.all(
      holders.map(async (state) => {
        if (!this.options.alive().includes(state.target)) return;
        try {
          await putVerified(state.target, repoKeys.pack(this.options.plan, id), sealed, digest);
          state.present.add(id);
          state.added.push({ id, size, key_id: this.idKey?.id ?? null, blobs: entries });
          state.addedBlobs += entries.length;
        } catch (error) {
          if (this.options.alive().includes(state.target)) this.options.drop(state.target, error);
        }
      })
    );
    builder.release();
    for (const entry of entries) {
      this.blobs.add(id, entry);
      this.queued.delete(entry.id);
    }
    for (const state of holders) if (state.addedBlobs >= INDEX_BLOBS && this.options.alive().includes(state.target)) await this.writeIndex(state);
  }
  /** Writes one index naming the packs `state`'s target got since its last index (each already stored and verified). */
  async writeIndex(state) {
    faultStep("index");
    const index = { format: REPO_FORMAT, kind: "restorable-index", packs: state.added };
    const plain = Buffer.from(JSON.stringify(index));
    const sealed = this.options.encryption ? await seal(plain, objectSealing(this.secret, this.options.encryption)) : plain;
    const id = sha256(sealed);
    try {
      await putVerified(state.target, repoKeys.index(this.options.plan, id), sealed);
      await this.options.cache.saveIndex(id, plain);
      state.added = [];
      state.addedBlobs = 0;
    } catch (error) {
      this.options.drop(state.target, error);
    }
  }
  /** Flushes every pack, then writes each target's index of the packs it got in this run. */
  async finish() {
    for (const [key, builder] of [...this.builders]) if (builder.entries.length > 0) await this.startFlush(key, builder);
    await this.storing.drain();
    for (const state of this.holders()) if (state.added.length > 0) await this.writeIndex(state);
    await this.takeBackFromDropped();
    if (this.holders().length === 0) throw new RunError("No target took the repository's new packs.", { hint: "See the messages above for each target." });
  }
  /**
   * A target that dropped out gets no index for the packs this run put there
   * before it failed (a full disk takes some packs, then refuses one): they
   * are removed now, best effort, rather than left for a prune an hour on.
   * No snapshot can use them: only this run's index would have named them.
   */
  async takeBackFromDropped() {
    const alive = this.options.alive();
    for (const state of this.states.values()) {
      if (alive.includes(state.target) || state.added.length === 0) continue;
      await state.target.remove(state.added.map((p) => repoKeys.pack(this.options.plan, p.id))).catch(() => void 0);
      state.added = [];
    }
  }
};

// src/repository/gc.ts
var ORPHAN_GRACE_MS = 36e5;
var REPACK_BELOW = 0.5;
async function collectGarbage(input) {
  const { target, plan, encryption, keys } = input;
  const report = { packs_removed: 0, bytes_freed: 0, indexes_rewritten: 0 };
  const listing = await listRepo(target, plan);
  if (listing.packs.size === 0) return report;
  if (encryption && encryption.passphrase === void 0 && keys.identities.length === 0) {
    return { ...report, skipped: "the plan encrypts to recipients and RESTORABLE_AGE_IDENTITY is not set: pack space is reclaimed by a prune that has it" };
  }
  const snapshots = [];
  for (const { id, entry } of input.remaining) {
    const stored = await readAll(target, keyOf.file(plan, id, entry.artifact.file));
    if (sha256(stored) !== entry.artifact.sha256) throw new IntegrityError(`The snapshot object of backup ${id} on target "${target.name}" is damaged; nothing was reclaimed.`, { hint: "Run `restorable verify`." });
    snapshots.push(parseSnapshot(await open(stored, entry.artifact.encryption, keys, `The snapshot of backup ${id}`), `The snapshot of backup ${id}`));
  }
  const used = new IdSet();
  const readers = /* @__PURE__ */ new Map();
  for (const snapshot of snapshots) {
    const kid = snapshot.key_id ?? "";
    if (!readers.has(kid)) readers.set(kid, await RepoReader.open(target, plan, snapshot, encryption, keys, { listing, trees: true }));
    const reader = readers.get(kid);
    const walk = async (treeId) => {
      if (!used.add(treeId)) return;
      for (const node of (await reader.tree(treeId)).nodes) {
        if (node.type === "dir") await walk(node.subtree);
        else if (node.type === "file") for (const blob of node.content) used.add(blob);
      }
    };
    await walk(snapshot.root);
  }
  readers.clear();
  collectNow();
  const secrets = /* @__PURE__ */ new Map();
  const secretOf = async (kid) => {
    if (!kid || !encryption) return null;
    if (!secrets.has(kid)) secrets.set(kid, await openSecret(target, plan, kid, encryption, keys));
    return secrets.get(kid);
  };
  const indexed = /* @__PURE__ */ new Set();
  const doomed = /* @__PURE__ */ new Set();
  const sparse = /* @__PURE__ */ new Map();
  const unread = [];
  const readIndexes = async () => {
    const rewrites2 = [];
    unread.length = 0;
    for (const indexId of listing.indexes.keys()) {
      const first = await loadIndexHead(target, plan, indexId, encryption, secretOf, keys, listing.keys);
      if (!first) {
        unread.push(indexId);
        continue;
      }
      for (const pack of first.index.packs) {
        indexed.add(pack.id);
        if (!listing.packs.has(pack.id) || doomed.has(pack.id)) continue;
        const live = pack.blobs.filter((b) => used.has(b.id));
        if (live.length === 0) doomed.add(pack.id);
        else if (live.reduce((sum, b) => sum + b.length, 0) < pack.blobs.reduce((sum, b) => sum + b.length, 0) * REPACK_BELOW) {
          sparse.set(pack.id, { kid: pack.key_id, blobs: live.map((b) => ({ id: b.id, type: b.type })) });
        }
      }
      const keep = first.index.packs.filter((p) => listing.packs.has(p.id) && !doomed.has(p.id));
      if (keep.length !== first.index.packs.length) rewrites2.push({ id: indexId, keep, kid: first.kid });
    }
    return rewrites2;
  };
  let rewrites = await readIndexes();
  if (unread.length === 0) {
    const objects = await target.list(repoKeys.packs(plan));
    for (const object of objects) {
      const id = object.key.slice(object.key.lastIndexOf("/") + 1);
      if (listing.packs.has(id) && !indexed.has(id) && input.now.getTime() - object.modified.getTime() > ORPHAN_GRACE_MS) doomed.add(id);
    }
  } else {
    report.skipped = `index ${unread.join(", ")} does not open with this run's keys: packs no readable index names are kept (they may hold blobs in use); run \`restorable verify --deep\``;
  }
  if (unread.length === 0 && sparse.size > 0) {
    if (!input.apply) {
      for (const id of sparse.keys()) doomed.add(id);
      report.packs_repacked = sparse.size;
    } else {
      const repacked = await repack(input, snapshots, sparse);
      if (repacked.length > 0) {
        for (const id of repacked) doomed.add(id);
        report.packs_repacked = repacked.length;
        rewrites = await readIndexes();
      }
    }
  }
  for (const id of doomed) report.bytes_freed += listing.packs.get(id) ?? 0;
  report.packs_removed = doomed.size;
  report.indexes_rewritten = rewrites.length;
  if (!input.apply) return report;
  faultStep("prune");
  await target.remove([...doomed].map((id) => repoKeys.pack(plan, id)));
  for (const rewrite of rewrites) {
    if (rewrite.keep.length > 0) {
      const plain = Buffer.from(JSON.stringify({ format: REPO_FORMAT, kind: "restorable-index", packs: rewrite.keep }));
      const secret = await secretOf(rewrite.kid);
      const sealed = encryption && secret ? await seal(plain, objectSealing(secret, encryption)) : plain;
      faultStep("prune");
      await putVerified(target, repoKeys.index(plan, sha256(sealed)), sealed);
    }
    faultStep("prune");
    await target.remove([repoKeys.index(plan, rewrite.id)]);
  }
  return report;
}
async function repack(input, snapshots, sparse) {
  const { target, plan, encryption, keys } = input;
  let failure;
  const writer = await RepoWriter.open({
    plan,
    targets: [target],
    encryption,
    keys: encryption?.passphrase !== void 0 ? keys : keys.identities.length > 0 ? keys : null,
    cache: input.cache,
    reporter: input.reporter,
    drop: (_t, error) => failure ??= error,
    alive: () => failure === void 0 ? [target] : []
  });
  if (failure !== void 0) throw failure;
  const kid = writer.idKey?.id ?? null;
  const moving = [...sparse].filter(([, pack]) => pack.kid === kid);
  const snapshot = snapshots.find((s) => (s.key_id ?? null) === kid);
  if (moving.length === 0 || !snapshot) return [];
  writer.forget(new Set(moving.map(([id]) => id)));
  const reader = await RepoReader.open(target, plan, snapshot, encryption, keys);
  faultStep("prune");
  for (const [, pack] of moving) for (const blob of pack.blobs) await writer.add(blob.type, blob.id, await reader.blob(blob.id));
  await writer.finish();
  if (failure !== void 0) throw failure;
  return moving.map(([id]) => id);
}
async function loadIndexHead(target, plan, id, encryption, secretOf, keys, kids) {
  let index;
  if (!encryption) index = await loadIndex(target, plan, id, null, { record: null, keys: null });
  else {
    for (const kid of kids) {
      const secret = await secretOf(kid);
      const opening = { record: objectRecord(secret, encryption), keys: secret?.identity ? { identities: [secret.identity] } : keys };
      index = await loadIndex(target, plan, id, null, opening).catch(() => void 0);
      if (index) break;
    }
  }
  if (!index) return void 0;
  return { index, kid: index.packs[0]?.key_id ?? null };
}

// src/retention/retention.ts
var pad = (n, width = 2) => String(n).padStart(width, "0");
function isoWeek(t) {
  const thursday = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 3 - (t.getUTCDay() + 6) % 7));
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 864e5));
  return `${year}-W${pad(week)}`;
}
var bucketOf = {
  hourly: (t) => `${t.toISOString().slice(0, 13)}:00Z`,
  daily: (t) => t.toISOString().slice(0, 10),
  weekly: isoWeek,
  monthly: (t) => t.toISOString().slice(0, 7),
  yearly: (t) => String(t.getUTCFullYear())
};
var bucketRules = Object.keys(bucketOf);
function decideRetention(backups, policy, options = {}) {
  for (const b of backups) {
    if (Number.isNaN(b.time.getTime())) throw new Error(`backup ${b.id} has an invalid time`);
  }
  const protect = new Set(options.protect ?? []);
  const byId = (a, b) => compareBackupIds(b.id, a.id);
  const sorted = [...backups].sort(
    (a, b) => b.time.getTime() - a.time.getTime() || Number(protect.has(b.id)) - Number(protect.has(a.id)) || byId(a, b)
  );
  const decisions = sorted.map((b) => ({ id: b.id, time: b.time, keep: false, reasons: [] }));
  const newest = decisions[0];
  if (!newest) return [];
  const empty = !policy || Object.values(policy).every((value) => value === void 0);
  if (empty) return decisions.map((d) => ({ ...d, keep: true, reasons: ["no retention policy"] }));
  if (policy.keep_last !== void 0) {
    for (const d of decisions.slice(0, policy.keep_last)) d.reasons.push(`last ${policy.keep_last}`);
  }
  for (const rule of bucketRules) {
    const limit = policy[`keep_${rule}`];
    if (!limit) continue;
    const seen = /* @__PURE__ */ new Set();
    for (const d of decisions) {
      if (seen.size >= limit) break;
      const bucket = bucketOf[rule](d.time);
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      d.reasons.push(`${rule} ${bucket}`);
    }
    if (seen.size < limit) decisions.at(-1).reasons.push(`oldest (${rule}: ${seen.size} of ${limit})`);
  }
  if (policy.keep_within !== void 0) {
    const span = parseCalendarSpan(policy.keep_within);
    if (!span) throw new Error(`invalid retention.keep_within: ${JSON.stringify(policy.keep_within)}`);
    const cutoff = subtractSpan(newest.time, span).getTime();
    for (const d of decisions) if (d.time.getTime() >= cutoff) d.reasons.push(`within ${policy.keep_within}`);
  }
  newest.reasons.push("newest backup");
  for (const d of decisions) {
    if (protect.has(d.id)) d.reasons.push("protected");
    d.keep = d.reasons.length > 0;
  }
  return decisions;
}

// src/retention/plan-wide.ts
var NEWER_THAN_MET = "newer than every backup that met the copy rule";
function decidePlanRetention(backups, policy, options = {}) {
  const protect = options.protect ?? [];
  const all = backups;
  backups = backups.filter((b) => b.holders.length > 0);
  const met = backups.filter((b) => b.met);
  const decisions = /* @__PURE__ */ new Map();
  if (met.length === 0) {
    for (const d of decideRetention(backups, policy, { protect })) decisions.set(d.id, d);
  } else {
    for (const d of decideRetention(met, policy, { protect })) decisions.set(d.id, d);
    const newestMet = Math.max(...met.map((b) => b.time.getTime()));
    const newer = backups.filter((b) => !b.met && b.time.getTime() > newestMet);
    for (const d of decideRetention(newer, policy, { protect })) {
      decisions.set(d.id, { ...d, reasons: d.reasons.map((r) => r === "no retention policy" ? r : `${r} (${NEWER_THAN_MET})`) });
    }
    for (const b of backups) {
      if (decisions.has(b.id)) continue;
      const reasons = protect.includes(b.id) ? ["protected"] : !policy || Object.values(policy).every((v) => v === void 0) ? ["no retention policy"] : [];
      decisions.set(b.id, { id: b.id, time: b.time, keep: reasons.length > 0, reasons });
    }
  }
  const drilled = backups.filter((b) => b.drill?.ok).sort((a, b) => b.time.getTime() - a.time.getTime() || compareBackupIds(b.id, a.id))[0];
  if (drilled) {
    const d = decisions.get(drilled.id);
    d.reasons.push("newest backup that passed a drill");
    d.keep = true;
  }
  const sorted = [...all].sort((a, b) => b.time.getTime() - a.time.getTime() || compareBackupIds(b.id, a.id));
  const spare = /* @__PURE__ */ new Map();
  for (const target of new Set(sorted.flatMap((b) => b.damaged ?? []))) {
    const newestDamaged = sorted.findIndex((b) => b.damaged?.includes(target));
    if (sorted.slice(0, newestDamaged).some((b) => decisions.get(b.id)?.keep && b.holders.includes(target))) continue;
    const fallback = sorted.slice(newestDamaged + 1).find((b) => b.holders.includes(target));
    if (!fallback || decisions.get(fallback.id).keep) continue;
    spare.set(fallback.id, [...spare.get(fallback.id) ?? [], target]);
  }
  return sorted.filter((b) => decisions.has(b.id)).map((b) => {
    const d = decisions.get(b.id);
    const spareOn = spare.get(b.id) ?? [];
    const reasons = spareOn.length > 0 ? [...d.reasons, `kept on ${spareOn.join(", ")} only: the newest readable copy there (a newer copy's manifest is damaged)`] : d.reasons;
    return { ...d, reasons, holders: [...b.holders], missing: d.keep ? b.copies.filter((t) => !b.holders.includes(t)) : [], spareOn };
  });
}

// src/retention/prune.ts
var INCOMPLETE_GRACE_MS = 24 * 36e5;
function repositoryPruneOf(plan, planDir, env, secrets, reporter) {
  if (!plan.sources.some((s) => s.type === "files" && s.storage === "repository")) return void 0;
  let keys = plan.encryption?.passphrase !== void 0 ? { passphrase: plan.encryption.passphrase, identities: [] } : { identities: [] };
  try {
    keys = decryptionKeys(env, plan.encryption, secrets);
  } catch {
  }
  return { encryption: plan.encryption, keys, cache: new Cache(cacheDir(plan.name, planDir, env)), reporter };
}
async function readHolding(target, plan) {
  const backups = await listBackups(target, plan);
  const damaged = /* @__PURE__ */ new Map();
  const manifests = /* @__PURE__ */ new Map();
  const drills = /* @__PURE__ */ new Map();
  for (const backup of backups.filter((b) => b.complete)) {
    try {
      manifests.set(backup.id, await readManifest(target, plan, backup.id));
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      damaged.set(backup.id, reason(error));
      continue;
    }
    if (backup.objects.some((o) => o.key === keyOf.file(plan, backup.id, DRILL))) {
      const drill = await readDrill(target, plan, backup.id);
      if (drill) drills.set(backup.id, { ok: drill.ok, at: drill.at });
    }
  }
  return { holding: { target, backups, damaged, manifests }, manifests, drills };
}
async function prunePlan(targets, plan, policy, options) {
  const failed = [];
  const holdings = [];
  const byId = /* @__PURE__ */ new Map();
  for (const target of targets) {
    let read;
    try {
      read = await readHolding(target, plan);
    } catch (error) {
      failed.push({ target: target.name, error: reason(error) });
      continue;
    }
    holdings.push(read.holding);
    for (const [id, manifest] of read.manifests) {
      const backup = byId.get(id) ?? { id, time: read.holding.backups.find((b) => b.id === id).time, holders: [], copies: [], met: manifest.policy.met };
      backup.holders.push(target.name);
      for (const copy of manifest.copies) if (!backup.copies.includes(copy.target)) backup.copies.push(copy.target);
      backup.met ||= manifest.policy.met;
      const drill = read.drills.get(id);
      if (drill && (!backup.drill || drill.at > backup.drill.at)) backup.drill = drill;
      byId.set(id, backup);
    }
  }
  const readable = new Set(holdings.map((h) => h.target.name));
  for (const backup of byId.values()) backup.copies = backup.copies.filter((t) => readable.has(t));
  for (const { target, backups, damaged } of holdings) {
    for (const id of damaged.keys()) {
      const backup = byId.get(id) ?? { id, time: backups.find((b) => b.id === id).time, holders: [], copies: [], met: false };
      backup.damaged = [...backup.damaged ?? [], target.name];
      byId.set(id, backup);
    }
  }
  const decisions = decidePlanRetention([...byId.values()], policy, options.protect ? { protect: options.protect } : {});
  const applyTo = new Set((options.applyTo ?? targets).map((t) => t.name));
  const reports = [];
  for (const { target, backups, damaged, manifests } of holdings) {
    if (!applyTo.has(target.name)) continue;
    const here = (d) => d.holders.includes(target.name);
    const keptHere = (d) => d.keep || d.spareOn.includes(target.name);
    const kept = decisions.filter((d) => keptHere(d) && here(d)).map((d) => ({ ...strip(d), keep: true }));
    const removed = decisions.filter((d) => !keptHere(d) && here(d)).map(strip);
    for (const [id, problem] of damaged) {
      kept.push({ id, time: backups.find((b) => b.id === id).time, keep: true, reasons: [`its manifest is damaged: kept, not counted (${problem})`] });
    }
    const stale = backups.filter((b) => !b.complete && options.now.getTime() - b.time.getTime() > INCOMPLETE_GRACE_MS && !options.protect?.includes(b.id));
    try {
      if (options.apply) {
        for (const id of removed.map((d) => d.id)) await removeBackup(target, plan, id, backups.find((b) => b.id === id).objects);
        for (const backup of stale) {
          faultStep("prune");
          await target.remove(backup.objects.map((o) => o.key));
        }
      }
    } catch (error) {
      failed.push({ target: target.name, error: reason(error) });
      continue;
    }
    const missing = decisions.filter((d) => d.missing.includes(target.name)).map((d) => d.id);
    const report = { target: target.name, kept, removed, incomplete: stale.map((b) => b.id), missing };
    if (options.repository) {
      try {
        report.repository = await reclaim(target, plan, manifests, damaged, new Set(removed.map((d) => d.id)), options.repository, options);
      } catch (error) {
        failed.push({ target: target.name, error: `reclaiming repository space: ${reason(error)}` });
      }
    }
    reports.push(report);
  }
  return { decisions, targets: reports, failed };
}
async function reclaim(target, plan, manifests, damaged, gone, repository, options) {
  if (damaged.size > 0) return { packs_removed: 0, bytes_freed: 0, indexes_rewritten: 0, skipped: "a backup with a damaged manifest is kept, and its snapshot may use any pack" };
  const remaining = [...manifests].filter(([id]) => !gone.has(id)).flatMap(([id, m]) => m.sources.filter((e) => e.storage === "repository").map((entry) => ({ id, entry })));
  return collectGarbage({ target, plan, remaining, ...repository, now: options.now, apply: options.apply });
}
var strip = (d) => ({ id: d.id, time: d.time, keep: d.keep, reasons: d.reasons });

export {
  cacheDir,
  Cache,
  RepoWriter,
  repositoryPruneOf,
  prunePlan
};
