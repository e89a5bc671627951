import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  sourceAdapter
} from "./chunk-5UY4FWFW.js";

// src/restore/points.ts
import { lstat, readdir, rm, statfs } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
var TAG = /^(\d{8}T\d{6}Z)-[0-9a-f]+$/;
function timeOf(tag) {
  const m = TAG.exec(tag)?.[1];
  if (!m) return void 0;
  return `${m.slice(0, 4)}-${m.slice(4, 6)}-${m.slice(6, 8)}T${m.slice(9, 11)}:${m.slice(11, 13)}:${m.slice(13, 15)}Z`;
}
async function sizeOf(path, seen = /* @__PURE__ */ new Set()) {
  const info = await lstat(path).catch(() => void 0);
  if (!info) return 0;
  const inode = `${info.dev}:${info.ino}`;
  if (seen.has(inode)) return 0;
  seen.add(inode);
  if (!info.isDirectory()) return info.isFile() ? info.size : 0;
  let bytes = 0;
  for (const name of await readdir(path).catch(() => [])) bytes += await sizeOf(join(path, name), seen);
  return bytes;
}
function livePaths(loaded) {
  return loaded.plan.sources.filter((s) => s.type === "files" || s.type === "sqlite").map((s) => ({ source: s.name, live: sourceAdapter(s).liveLocation(s, { planDir: loaded.dir }) }));
}
async function findRestorePoints(loaded) {
  const points = [];
  for (const { source, live } of livePaths(loaded)) {
    const prefix = `.${basename(live)}.restorable-restore-point-`;
    for (const name of await readdir(dirname(live)).catch(() => [])) {
      if (!name.startsWith(prefix)) continue;
      const restore = name.slice(prefix.length);
      const made = timeOf(restore);
      if (!made) continue;
      const path = join(dirname(live), name);
      points.push({ restore, source, path, made_at: made, bytes: await sizeOf(path) });
    }
  }
  return points.sort((a, b) => a.restore < b.restore ? -1 : a.restore > b.restore ? 1 : a.source.localeCompare(b.source));
}
async function removeRestorePoint(point) {
  await rm(point.path, { recursive: true, force: true });
}
async function crowdedDisks(points, share) {
  const byDevice = /* @__PURE__ */ new Map();
  for (const point of points) {
    const dev = (await lstat(point.path).catch(() => void 0))?.dev;
    if (dev === void 0) continue;
    const entry = byDevice.get(dev) ?? { path: dirname(point.path), bytes: 0 };
    entry.bytes += point.bytes;
    byDevice.set(dev, entry);
  }
  const crowded = [];
  for (const { path, bytes } of byDevice.values()) {
    const fs = await statfs(path).catch(() => void 0);
    if (!fs) continue;
    const diskBytes = fs.blocks * fs.bsize;
    if (diskBytes > 0 && bytes / diskBytes > share) crowded.push({ path, bytes, diskBytes });
  }
  return crowded;
}

export {
  findRestorePoints,
  removeRestorePoint,
  crowdedDisks
};
