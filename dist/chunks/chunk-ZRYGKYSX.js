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
  announce,
  nodeName
} from "./chunk-3REWNQ3V.js";
import {
  IntegrityError
} from "./chunk-WHVU3KGO.js";

// src/repository/restore.ts
import { chmod, chown, lutimes, mkdir, open, rm, symlink, utimes } from "node:fs/promises";
import { join, posix } from "node:path";
var asRoot = typeof process.getuid === "function" && process.getuid() === 0;
var nsToDate = (ns) => {
  const n = BigInt(ns);
  return Number(n / 1000000000n) + (Number(n % 1000000000n / 1000n) * 1e3 + 500) / 1e9;
};
function linkProblem(at, target, links) {
  if (target === "" || posix.isAbsolute(target)) return "it is absolute";
  const parts = posix.dirname(at) === "." ? [] : posix.dirname(at).split("/");
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return "it points outside the folder";
      parts.pop();
      continue;
    }
    parts.push(part);
    if (links.has(parts.join("/")) && parts.join("/") !== at) return `it passes through the symlink ${parts.join("/")}`;
  }
  return void 0;
}
var SMALL_FILES_IN_FLIGHT = 16;
var LARGE_FILES_IN_FLIGHT = 4;
var SMALL_FILE = 1024 * 1024;
var FILES_PER_BATCH = 1e4;
async function buildSnapshot(options) {
  const { reader, snapshot, into, signal, dryRun } = options;
  const counts = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  let dropped = 0;
  const links = [];
  const folders = [];
  async function setMeta(path, meta) {
    if (asRoot) await chown(path, meta.uid, meta.gid);
    await chmod(path, meta.mode & 4095);
    const t = nsToDate(meta.mtime_ns);
    await utimes(path, t, t);
  }
  async function folder(treeId, abs, rel) {
    const listing = await reader.tree(treeId);
    for (const node of listing.nodes) {
      signal.throwIfAborted();
      if (!nodeName.safeParse(node.name).success) throw new IntegrityError(`The snapshot of "${options.source}" holds an unsafe name in ${rel || "."}.`);
      const path = join(abs, node.name);
      const relPath = rel ? `${rel}/${node.name}` : node.name;
      if (options.only && !options.only(relPath, node.type === "dir")) continue;
      if (node.type === "dir") {
        counts.dirs += 1;
        if (!dryRun) await mkdir(path, { mode: 448 });
        await folder(node.subtree, path, relPath);
        folders.push({ path, mode: node.mode, mtime: node.mtime_ns, uid: node.uid, gid: node.gid });
      } else if (node.type === "file") {
        counts.files += 1;
        pending.push({ path, relPath, node });
        if (pending.length >= FILES_PER_BATCH) await writeBatch();
      } else {
        counts.symlinks += 1;
        links.push({ rel: relPath, target: node.target, mtime: node.mtime_ns, uid: node.uid, gid: node.gid });
      }
    }
  }
  async function writeOne({ path, relPath, node }) {
    let written = 0;
    const handle = dryRun ? void 0 : await open(path, "wx", 384);
    try {
      for (const id of node.content) {
        const bytes = await reader.blob(id);
        if (handle) await handle.write(bytes, 0, bytes.length, written);
        written += bytes.length;
        options.progress?.(bytes.length);
      }
    } finally {
      await handle?.close();
    }
    if (written !== node.size) throw new IntegrityError(`The snapshot of "${options.source}" gives ${relPath} ${node.size} bytes, but its blobs hold ${written}.`);
    counts.bytes += written;
    if (!dryRun) await setMeta(path, node);
  }
  async function writeBatch() {
    const rank = /* @__PURE__ */ new Map();
    const keyed = pending.map((file) => {
      const at = file.node.content.length > 0 ? reader.where?.(file.node.content[0]) : void 0;
      if (at && !rank.has(at.pack)) rank.set(at.pack, rank.size);
      return { file, pack: at ? rank.get(at.pack) : -1, offset: at?.offset ?? 0 };
    });
    pending = [];
    keyed.sort((a, b) => a.pack - b.pack || a.offset - b.offset);
    announce(reader, keyed.flatMap(({ file }) => file.node.content));
    for (const { file } of keyed) await (file.node.size <= SMALL_FILE ? writers : largeWriters).start(() => writeOne(file));
  }
  let pending = [];
  const writers = new Bounded(SMALL_FILES_IN_FLIGHT);
  const largeWriters = new Bounded(LARGE_FILES_IN_FLIGHT);
  if (!dryRun) await mkdir(into, { mode: 448 });
  try {
    await folder(snapshot.root, into, "");
    await writeBatch();
    await writers.drain();
    await largeWriters.drain();
    const linkSet = new Set(links.map((l) => l.rel));
    for (const link of links) {
      const problem = linkProblem(link.rel, link.target, linkSet);
      if (problem) {
        options.reporter.warn(`Files source "${options.source}": dropped the symlink ${link.rel} -> ${link.target}: ${problem}.`);
        dropped += 1;
        continue;
      }
      if (dryRun) continue;
      const path = join(into, link.rel);
      await symlink(link.target, path);
      if (asRoot) await import("node:fs/promises").then((fs) => fs.lchown(path, link.uid, link.gid));
      const t = nsToDate(link.mtime);
      await lutimes(path, t, t);
    }
    if (!dryRun) {
      for (const f of folders) await setMeta(f.path, { mode: f.mode, mtime_ns: f.mtime, uid: f.uid, gid: f.gid });
      await setMeta(into, snapshot.root_meta);
    }
  } catch (error) {
    await writers.settle();
    await largeWriters.settle();
    if (!dryRun) await rm(into, { recursive: true, force: true });
    throw error;
  }
  const expected = snapshot.counts;
  if (options.only) return { counts, dropped };
  if (counts.files !== expected.files || counts.dirs !== expected.dirs || counts.symlinks !== expected.symlinks || counts.bytes !== expected.bytes) {
    if (!dryRun) await rm(into, { recursive: true, force: true });
    throw new IntegrityError(`The snapshot of "${options.source}" does not hold what it says: built ${JSON.stringify(counts)}, its record says ${JSON.stringify(expected)}.`, { hint: "Nothing was restored from it; use another backup (--backup ID)." });
  }
  return { counts, dropped };
}

export {
  buildSnapshot
};
