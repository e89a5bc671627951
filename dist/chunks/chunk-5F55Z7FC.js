import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  planSchema
} from "./chunk-23TMSUQ2.js";
import {
  external_exports
} from "./chunk-QVOAAX5T.js";

// src/plan/suggest.ts
var root;
function expand(node) {
  if (!node || typeof node !== "object") return [];
  if (node.$ref?.startsWith("#/$defs/")) return expand(root.$defs?.[node.$ref.slice(8)]);
  const branches = [...node.oneOf ?? [], ...node.anyOf ?? [], ...node.allOf ?? []];
  return [node, ...branches.flatMap(expand)];
}
function keysAt(path) {
  root ??= external_exports.toJSONSchema(planSchema, { io: "input", unrepresentable: "any" });
  let nodes = expand(root);
  for (const segment of path) {
    nodes = nodes.flatMap((n) => expand(typeof segment === "number" ? n.items : n.properties?.[segment]));
  }
  return [...new Set(nodes.flatMap((n) => Object.keys(n.properties ?? {})))];
}
function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const saved = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length];
}
function closestKey(key, allowed) {
  const ranked = allowed.map((k) => [k, distance(key.toLowerCase(), k.toLowerCase())]).sort((a, b) => a[1] - b[1]);
  const best = ranked[0];
  return best && best[1] <= Math.min(2, Math.max(1, Math.floor(key.length / 3))) ? best[0] : void 0;
}

export {
  keysAt,
  closestKey
};
