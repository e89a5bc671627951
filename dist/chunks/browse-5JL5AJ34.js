import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  openSnapshot
} from "./chunk-M3HDCPT3.js";
import {
  walkSnapshot
} from "./chunk-PDJL5LDK.js";
import "./chunk-SDQC2PXR.js";
import "./chunk-O2QLNILF.js";
import {
  announce
} from "./chunk-3REWNQ3V.js";
import "./chunk-2DH6G5LH.js";
import "./chunk-GOBZCQIN.js";
import "./chunk-5QPPHHFV.js";
import "./chunk-CMYD6MRD.js";
import "./chunk-IIVFCJRN.js";
import "./chunk-ZXVIM5QX.js";
import {
  F,
  ft
} from "./chunk-XI4MDY3P.js";
import {
  load
} from "./chunk-TY4SYINN.js";
import "./chunk-TBQSFWBU.js";
import "./chunk-K3PTCQNR.js";
import "./chunk-XRTEQXPF.js";
import "./chunk-5F55Z7FC.js";
import "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import "./chunk-QVOAAX5T.js";
import {
  UsageError
} from "./chunk-WHVU3KGO.js";
import "./chunk-ZJTQKECG.js";

// src/repository/tar-writer.ts
import { Readable } from "node:stream";
var BLOCK = 512;
var pad = (n) => Buffer.alloc((BLOCK - n % BLOCK) % BLOCK);
function header(data) {
  const block = Buffer.alloc(BLOCK);
  const head = new F(data);
  head.encode(block);
  if (!head.needPax) return block;
  return Buffer.concat([new ft({ ...data, atime: void 0, ctime: void 0 }).encode(), block]);
}
function exportTar(reader, snapshot) {
  async function* blocks() {
    const mtime = (ns) => new Date(Number(BigInt(ns) / 1000000n));
    for await (const { path, node } of walkSnapshot(reader, snapshot)) {
      const common = { mode: node.mode, uid: node.uid, gid: node.gid, mtime: mtime(node.mtime_ns) };
      if (node.type === "dir") yield header({ ...common, path: `${path}/`, type: "Directory", size: 0 });
      else if (node.type === "symlink") yield header({ ...common, path, type: "SymbolicLink", linkpath: node.target, size: 0 });
      else {
        yield header({ ...common, path, type: "File", size: node.size });
        for (const id of node.content) yield await reader.blob(id);
        yield pad(node.size);
      }
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  return Readable.from(blocks(), { objectMode: false });
}

// src/repository/diff.ts
var sizeOf = (node) => node.type === "file" ? node.size : 0;
async function* diffSnapshots(from, to) {
  const sameKey = (from.snapshot.key_id ?? null) === (to.snapshot.key_id ?? null);
  async function* all(side, node, path, kind) {
    yield { kind, path, type: node.type, size: sizeOf(node) };
    if (node.type !== "dir") return;
    for (const child of (await side.reader.tree(node.subtree)).nodes) yield* all(side, child, `${path}/${child.name}`, kind);
  }
  function differences(a, b) {
    const what = [];
    if (a.type === "file" && b.type === "file") {
      const same = sameKey ? a.content.length === b.content.length && a.content.every((id, i) => id === b.content[i]) : a.size === b.size && a.mtime_ns === b.mtime_ns;
      if (!same) what.push("content");
    }
    if (a.type === "symlink" && b.type === "symlink" && a.target !== b.target) what.push("target");
    if (a.mode !== b.mode) what.push("mode");
    if (a.mtime_ns !== b.mtime_ns && a.type !== "dir") what.push("mtime");
    if (a.uid !== b.uid || a.gid !== b.gid) what.push("owner");
    return what;
  }
  async function* folders(a, b, prefix) {
    if (sameKey && a === b) return;
    const [left, right] = await Promise.all([from.reader.tree(a), to.reader.tree(b)]);
    const before = new Map(left.nodes.map((n) => [n.name, n]));
    const after = new Map(right.nodes.map((n) => [n.name, n]));
    const names = [.../* @__PURE__ */ new Set([...before.keys(), ...after.keys()])].sort((x, y) => x < y ? -1 : x > y ? 1 : 0);
    for (const name of names) {
      const path = prefix ? `${prefix}/${name}` : name;
      const x = before.get(name);
      const y = after.get(name);
      if (!x) yield* all(to, y, path, "added");
      else if (!y) yield* all(from, x, path, "removed");
      else if (x.type !== y.type) {
        yield* all(from, x, path, "removed");
        yield* all(to, y, path, "added");
      } else {
        const what = differences(x, y);
        if (what.length > 0) yield { kind: "changed", path, type: y.type, size: sizeOf(y), was: sizeOf(x), what };
        if (x.type === "dir" && y.type === "dir") yield* folders(x.subtree, y.subtree, path);
      }
    }
  }
  yield* folders(from.snapshot.root, to.snapshot.root, "");
}

// src/commands/browse.ts
import { pipeline } from "node:stream/promises";
var clean = (path) => (path ?? "").replace(/^\.?\/+/, "").replace(/\/+$/, "");
async function opened(input, io, backup = input.backup, loaded) {
  return openSnapshot(loaded ?? await load(input, io), { backup, ...input.sources[0] ? { source: input.sources[0] } : {}, ...input.target ? { target: input.target } : {} }, io);
}
function stdoutOf(io) {
  if (!io.stdout) throw new UsageError("This command writes to standard output, which this shell does not offer.", { hint: "Run it with the CLI." });
  return io.stdout;
}
var ls = async (input, io) => {
  const { backupId, source, reader, snapshot } = await opened(input, io);
  const under = clean(input.path);
  const entries = [];
  for await (const { path, node } of walkSnapshot(reader, snapshot, under)) {
    const mtime = new Date(Number(BigInt(node.mtime_ns) / 1000000n)).toISOString();
    entries.push({ path, type: node.type, mode: node.mode.toString(8).padStart(4, "0"), size: node.type === "file" ? node.size : 0, mtime, ...node.type === "symlink" ? { target: node.target } : {} });
  }
  if (under && entries.length === 0) throw new UsageError(`Backup ${backupId} has no path ${under} in source "${source}".`, { hint: "Run `restorable ls` without a path to see what it holds." });
  if (!input.json) {
    const lines = entries.map((e) => `${e.type.padEnd(7)} ${e.mode} ${String(e.size).padStart(12)} ${e.mtime}  ${e.path}${e.target !== void 0 ? ` -> ${e.target}` : ""}`);
    io.reporter.output(lines.join("\n"));
  }
  return { backup: backupId, source, entries };
};
var dump = async (input, io) => {
  const path = clean(input.path);
  if (!path) throw new UsageError("dump needs the path of a file in the snapshot: restorable dump --source NAME PATH > file");
  const out = stdoutOf(io);
  const { backupId, source, reader, snapshot } = await opened(input, io);
  for await (const { path: at, node } of walkSnapshot(reader, snapshot, path)) {
    if (at !== path) continue;
    if (node.type !== "file") throw new UsageError(`${path} is a ${node.type === "dir" ? "folder" : "symlink"} in backup ${backupId}.`, { hint: "Use `restorable export` for a folder (a tar), or `restorable ls` to look." });
    announce(reader, node.content);
    for (const id of node.content) {
      const bytes = await reader.blob(id);
      if (!out.write(bytes)) await new Promise((resolve) => out.once("drain", resolve));
    }
    return { backup: backupId, source, path, bytes: node.size };
  }
  throw new UsageError(`Backup ${backupId} has no file ${path} in source "${source}".`, { hint: "Run `restorable ls` to see what it holds." });
};
var exportCommand = async (input, io) => {
  const out = stdoutOf(io);
  if (out.isTTY) throw new UsageError("export writes a tar to standard output: redirect it to a file.", { hint: "restorable export --source NAME > snapshot.tar" });
  const { backupId, source, reader, snapshot } = await opened(input, io);
  await pipeline(exportTar(reader, snapshot), out, { end: false });
  return { backup: backupId, source, counts: snapshot.counts };
};
var MARK = { added: "+", removed: "-", changed: "M" };
var diff = async (input, io) => {
  const [first, second] = input.compare ?? ["", ""];
  const loaded = await load(input, io);
  const from = await opened(input, io, first, loaded);
  const to = await opened(input, io, second, loaded);
  if (from.source !== to.source) throw new UsageError(`The two backups were opened for different sources ("${from.source}", "${to.source}").`, { hint: "Name the source with --source." });
  const changes = [];
  for await (const change of diffSnapshots(from, to)) changes.push(change);
  const total = (kind) => {
    const some = changes.filter((c) => c.kind === kind && c.type !== "dir");
    return { paths: some.length, bytes: some.reduce((sum, c) => sum + c.size, 0) };
  };
  const totals = { added: total("added"), removed: total("removed"), changed: total("changed") };
  if (!input.json) {
    const lines = changes.map((c) => `${MARK[c.kind]} ${c.path}${c.type === "dir" ? "/" : ""}${c.kind === "changed" ? `  (${c.what.join(", ")}${c.what.includes("content") ? `: ${c.was} -> ${c.size} bytes` : ""})` : c.type === "file" ? `  (${c.size} bytes)` : ""}`);
    lines.push(`${from.backupId} -> ${to.backupId} (source "${to.source}"): ${totals.added.paths} added (${totals.added.bytes} bytes), ${totals.removed.paths} removed (${totals.removed.bytes} bytes), ${totals.changed.paths} changed; folders not counted.`);
    io.reporter.output(lines.join("\n"));
  }
  return { from: from.backupId, to: to.backupId, source: to.source, changes, totals };
};
export {
  diff,
  dump,
  exportCommand,
  ls
};
