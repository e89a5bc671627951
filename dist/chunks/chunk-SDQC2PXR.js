import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  matching,
  mismatch,
  readBack
} from "./chunk-O2QLNILF.js";
import {
  compareBackupIds,
  keyOf,
  listBackups
} from "./chunk-2DH6G5LH.js";
import {
  decryptor,
  openable
} from "./chunk-ZXVIM5QX.js";
import {
  decompressor
} from "./chunk-TY4SYINN.js";
import {
  IntegrityError,
  NotFoundError,
  RunError,
  UsageError,
  reason
} from "./chunk-WHVU3KGO.js";

// src/util/counting.ts
import { Transform } from "node:stream";
function counting(onBytes) {
  let done = 0;
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk, _encoding, callback) {
      done += chunk.length;
      onBytes(done);
      callback(null, chunk);
    }
  });
}

// src/restore/locate.ts
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { PassThrough, Transform as Transform2 } from "node:stream";

// src/restore/room.ts
import { stat, statfs } from "node:fs/promises";
import { dirname } from "node:path";
function mib(bytes) {
  return bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
function buildBytes(entry, blockSize = 4096) {
  const decoded2 = entry.storage === "repository" ? entry.counts.bytes : entry.artifact.decoded_bytes;
  if (decoded2 === void 0) return null;
  return entry.kind === "files" ? withBlocks(decoded2, entry.counts, blockSize) : decoded2;
}
function choiceBytes({ counts }, blockSize = 4096) {
  return withBlocks(counts.bytes, counts, blockSize);
}
function withBlocks(bytes, counts, blockSize) {
  return bytes + ((counts.files ?? 0) + (counts.dirs ?? 0) + (counts.symlinks ?? 0)) * blockSize;
}
function roomNeeded(entry) {
  const bytes = buildBytes(entry);
  if (bytes !== null) return `about ${mib(bytes)}`;
  return `more than ${mib(entry.counts.bytes ?? entry.artifact.bytes)}`;
}
async function existing(path) {
  for (let at = path; ; at = dirname(at)) {
    if (await stat(at).then(() => true, () => false)) return at;
    if (dirname(at) === at) return at;
  }
}
async function checkRoom(needs) {
  const byDevice = /* @__PURE__ */ new Map();
  for (const need of needs) {
    const at = await existing(need.place);
    const { dev } = await stat(at);
    if (!byDevice.has(dev)) {
      const fs = await statfs(at);
      byDevice.set(dev, { free: fs.bavail * fs.bsize, needs: [], place: need.place });
    }
    byDevice.get(dev).needs.push(need);
  }
  for (const { free, needs: here, place } of byDevice.values()) {
    const total = here.reduce((sum, n) => sum + n.bytes, 0);
    if (free >= total * 1.02 + 2 ** 20) continue;
    throw new RunError(
      `Not enough room to restore: ${here.map((n) => `${n.what} needs about ${mib(n.bytes)} in ${n.place}`).join("; ")}; that file system has ${mib(free)} free. Nothing was changed.`,
      { hint: `Free about ${mib(total * 1.02 + 2 ** 20 - free)} on the file system of ${place}${here.some((n) => n.what.startsWith("the download")) ? ", or point --staging at a folder with more room" : ""}, then run again.` }
    );
  }
}
function noRoom(what, place, needed, cause, options = {}) {
  return new RunError(`The disk is full: ${what} needs ${needed} in ${place}, and the disk filled while restoring it. The partial copy was removed; the live data was not touched.`, {
    hint: `Free that much on the file system of ${place}${options.staging ? " (or point --staging at a folder with more room)" : ""}, then run again.`,
    cause
  });
}
function isNoSpace(error) {
  for (let at = error; at; at = at.cause) {
    const code = at.code;
    if (code === "ENOSPC" || code === "SQLITE_FULL" || /ENOSPC|no space left on device|database or disk is full/i.test(String(at.message ?? ""))) return true;
  }
  return false;
}

// src/restore/locate.ts
function matchBackupId(ids, selector) {
  if (ids.includes(selector)) return selector;
  if (selector.length < 4) return void 0;
  const matches = ids.filter((id) => id.startsWith(selector) || id.endsWith(`-${selector}`));
  if (matches.length > 1) throw new UsageError(`"${selector}" matches ${matches.length} backups: ${matches.slice(0, 5).join(", ")}${matches.length > 5 ? ", ..." : ""}.`, { hint: "Give more of the id (or the whole id, from `restorable list`)." });
  return matches[0];
}
async function findBackup(targets, plan, selector, reporter, only) {
  const candidates = only ? targets.filter((t) => t.name === only) : targets;
  if (only && candidates.length === 0) throw new UsageError(`The plan has no target named "${only}".`, { hint: `Targets: ${targets.map((t) => t.name).join(", ")}` });
  const holdings = await Promise.all(
    candidates.map(async (target) => {
      try {
        return { target, ids: (await listBackups(target, plan)).filter((b) => b.complete).map((b) => b.id) };
      } catch (error) {
        reporter.warn(`Cannot list target "${target.name}": ${reason(error)}`);
        return { target, ids: [] };
      }
    })
  );
  const all = [...new Set(holdings.flatMap((h) => h.ids))].sort((a, b) => compareBackupIds(b, a));
  const id = selector === "latest" ? all[0] : matchBackupId(all, selector);
  if (!id) {
    const where = candidates.map((t) => t.name).join(", ");
    throw new NotFoundError(selector === "latest" ? `No complete backup of plan "${plan}" was found on ${where}.` : `Backup ${selector} was not found on ${where}.`, {
      hint: "Run `restorable list` to see the backups each target holds."
    });
  }
  return { id, holders: holdings.filter((h) => h.ids.includes(id)).map((h) => h.target) };
}
async function fetchVerified(target, plan, id, entry, stagingDir, reporter) {
  const path = target.localPath ? target.localPath(keyOf.file(plan, id, entry.artifact.file)) : join(stagingDir, entry.artifact.file);
  const { file, bytes } = entry.artifact;
  const onBytes = reporter && ((done) => reporter.progress(`check:${target.name}:${file}`, done, bytes, `checking ${file} on ${target.name}`));
  const read = await readBack(target, plan, id, entry, target.localPath ? void 0 : path, onBytes).catch((error) => {
    throw isNoSpace(error) ? noRoom(`the download of ${entry.artifact.file}`, stagingDir, mib(entry.artifact.bytes), error, { staging: true }) : error;
  });
  const problem = mismatch(entry, read);
  if (problem) {
    throw new IntegrityError(`The artifact ${entry.artifact.file} of backup ${id} on target "${target.name}" is damaged: ${problem}`, {
      hint: "Nothing was restored. Use a copy on another target (--target NAME) or another backup (--backup ID), and run `restorable verify`."
    });
  }
  return path;
}
function decoded(path, entry, keys, onRead) {
  const decoder = decompressor(entry.artifact.compression.algorithm);
  const { encryption, file, decoded_bytes: limit } = entry.artifact;
  const opening = encryption ? [decryptor(encryption, keys ?? { identities: [] }, `The artifact ${file}`)] : [];
  const output = limit === void 0 ? decoder : new PassThrough({ highWaterMark: 1 << 20 });
  const bounds = limit === void 0 ? [] : [bounded(file, limit), output];
  pipeline([createReadStream(path, { highWaterMark: 1 << 20 }), ...onRead ? [counting(onRead)] : [], matching(entry), ...opening, decoder, ...bounds]).catch((error) => output.destroy(error));
  return output;
}
function bounded(file, limit) {
  let bytes = 0;
  const wrong = (what) => new IntegrityError(`The artifact ${file} ${what} than the ${limit} bytes its manifest records; stopped before restoring it.`, {
    hint: "Its checksum matched, so it was stored this way: altered on the target, or not made by restorable. Nothing of it went live; use another backup (--backup ID) or another target (--target NAME)."
  });
  return new Transform2({
    highWaterMark: 1 << 20,
    transform(chunk, _encoding, callback) {
      bytes += chunk.length;
      callback(bytes > limit ? wrong("decodes to more") : null, chunk);
    },
    flush(callback) {
      callback(bytes < limit ? wrong("decodes to less") : null);
    }
  });
}
async function checkKey(path, entry, keys, id) {
  const { encryption, file } = entry.artifact;
  if (encryption) await openable(path, encryption, keys, `The artifact ${file} of backup ${id}`);
}

export {
  counting,
  buildBytes,
  choiceBytes,
  roomNeeded,
  checkRoom,
  noRoom,
  isNoSpace,
  matchBackupId,
  findBackup,
  fetchVerified,
  decoded,
  checkKey
};
