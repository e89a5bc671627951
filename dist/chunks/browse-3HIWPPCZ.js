import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  openSnapshot,
  walkSnapshot
} from "./chunk-EGIROXK7.js";
import "./chunk-7FYQJ35O.js";
import "./chunk-M3RLSYNF.js";
import "./chunk-J5Y3P22C.js";
import "./chunk-UEZIHGPL.js";
import "./chunk-YAL2274E.js";
import {
  load
} from "./chunk-RGCLE6BX.js";
import {
  F,
  ft
} from "./chunk-5YFJ2XJN.js";
import "./chunk-6LYKVDS4.js";
import "./chunk-M3FVVLCQ.js";
import "./chunk-OZNC2U3J.js";
import {
  UsageError
} from "./chunk-YOCOFQ45.js";
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

// src/commands/browse.ts
import { pipeline } from "node:stream/promises";
var clean = (path) => (path ?? "").replace(/^\.?\/+/, "").replace(/\/+$/, "");
function opened(input, io) {
  return load(input, io).then(
    (loaded) => openSnapshot(loaded, { backup: input.backup, ...input.sources[0] ? { source: input.sources[0] } : {}, ...input.target ? { target: input.target } : {} }, io)
  );
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
export {
  dump,
  exportCommand,
  ls
};
