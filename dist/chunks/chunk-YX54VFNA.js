import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  besideName,
  describeConnection,
  dropDatabase,
  explainClientError,
  parseConnection,
  sourceAdapter,
  withClient
} from "./chunk-6OV6EYEP.js";

// src/restore/points.ts
import { lstat, readdir, rm, statfs } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

// src/sources/pg-points.ts
var SUFFIX = /_before_(\d{8})t(\d{6})z_([0-9a-f]+)$/;
function adminOf(config) {
  return config.databases === "all" || Array.isArray(config.databases) || config.globals ? config.maintenance_database : parseConnection(config).database;
}
async function listPgRestorePoints(config) {
  const conn = parseConnection(config);
  const live = config.databases === "all" ? null : Array.isArray(config.databases) ? config.databases : [conn.database];
  const admin = adminOf(config);
  const rows = await withClient(conn, admin, (client) => client.query("select datname, pg_database_size(oid)::text as bytes from pg_database where datname ~ '_before_[0-9]{8}t[0-9]{6}z_[0-9a-f]+$' order by datname")).catch((error) => {
    throw explainClientError(error, conn, admin);
  });
  const points = [];
  for (const row of rows.rows) {
    const m = SUFFIX.exec(row.datname);
    if (!m) continue;
    const tag = `${m[1]}T${m[2]}Z-${m[3]}`;
    if (live && !live.some((db) => besideName(db, "before", tag) === row.datname)) continue;
    points.push({ database: row.datname, tag, bytes: Number(row.bytes), where: describeConnection(conn, row.datname) });
  }
  return points;
}
async function dropPgRestorePoint(config, database) {
  const conn = parseConnection(config);
  await withClient(conn, adminOf(config), (client) => dropDatabase(client, database)).catch((error) => {
    throw explainClientError(error, conn, adminOf(config));
  });
}

// src/restore/points.ts
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
async function findRestorePoints(loaded, options = {}) {
  const points = [];
  if (options.databases !== false) {
    for (const source of loaded.plan.sources) {
      if (source.type !== "postgres") continue;
      for (const point of await listPgRestorePoints(source)) {
        points.push({ restore: point.tag, source: source.name, path: point.where, database: point.database, made_at: timeOf(point.tag), bytes: point.bytes });
      }
    }
  }
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
async function removeRestorePoint(loaded, point) {
  if (point.database === void 0) return rm(point.path, { recursive: true, force: true });
  const source = loaded.plan.sources.find((s) => s.name === point.source);
  if (source?.type === "postgres") await dropPgRestorePoint(source, point.database);
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
