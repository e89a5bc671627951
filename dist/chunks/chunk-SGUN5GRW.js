import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  IdSet,
  REPO_FORMAT,
  RepoReader,
  collectNow,
  listRepo,
  loadIndex,
  objectRecord,
  objectSealing,
  open,
  openSecret,
  parseSnapshot,
  putVerified,
  readAll,
  repoKeys,
  seal,
  sha256
} from "./chunk-QKU6AHZX.js";
import {
  DRILL,
  faultStep,
  keyOf,
  listBackups,
  readDrill,
  readManifest,
  removeBackup
} from "./chunk-ENB4YJAF.js";
import {
  decryptionKeys
} from "./chunk-HSVOLJ6P.js";
import {
  parseCalendarSpan,
  subtractSpan
} from "./chunk-PVABFY66.js";
import {
  IntegrityError,
  reason
} from "./chunk-WHVU3KGO.js";

// src/repository/gc.ts
var ORPHAN_GRACE_MS = 36e5;
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
  const rewrites = [];
  const unread = [];
  for (const indexId of listing.indexes.keys()) {
    const first = await loadIndexHead(target, plan, indexId, encryption, secretOf, keys, listing.keys);
    if (!first) {
      unread.push(indexId);
      continue;
    }
    for (const pack of first.index.packs) {
      indexed.add(pack.id);
      if (listing.packs.has(pack.id) && !pack.blobs.some((b) => used.has(b.id))) doomed.add(pack.id);
    }
    const keep = first.index.packs.filter((p) => listing.packs.has(p.id) && !doomed.has(p.id));
    if (keep.length !== first.index.packs.length) rewrites.push({ id: indexId, keep, kid: first.kid });
  }
  if (unread.length === 0) {
    const objects = await target.list(repoKeys.packs(plan));
    for (const object of objects) {
      const id = object.key.slice(object.key.lastIndexOf("/") + 1);
      if (listing.packs.has(id) && !indexed.has(id) && input.now.getTime() - object.modified.getTime() > ORPHAN_GRACE_MS) doomed.add(id);
    }
  } else {
    report.skipped = `index ${unread.join(", ")} does not open with this run's keys: packs no readable index names are kept (they may hold blobs in use); run \`restorable verify --deep\``;
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
  const byId = (a, b) => a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
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
  const drilled = backups.filter((b) => b.drill?.ok).sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1))[0];
  if (drilled) {
    const d = decisions.get(drilled.id);
    d.reasons.push("newest backup that passed a drill");
    d.keep = true;
  }
  const sorted = [...all].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));
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
function repositoryPruneOf(plan, env, secrets) {
  if (!plan.sources.some((s) => s.type === "files" && s.storage === "repository")) return void 0;
  let keys = plan.encryption?.passphrase !== void 0 ? { passphrase: plan.encryption.passphrase, identities: [] } : { identities: [] };
  try {
    keys = decryptionKeys(env, plan.encryption, secrets);
  } catch {
  }
  return { encryption: plan.encryption, keys };
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
  repositoryPruneOf,
  prunePlan
};
