import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/repository/walk.ts
async function* walkSnapshot(reader, snapshot, under = "") {
  async function* folder(treeId, prefix) {
    for (const node of (await reader.tree(treeId)).nodes) {
      const path = prefix ? `${prefix}/${node.name}` : node.name;
      const inside = under === "" || path === under || path.startsWith(`${under}/`);
      const above = under.startsWith(`${path}/`);
      if (inside) yield { path, node };
      if (node.type === "dir" && (inside || above)) yield* folder(node.subtree, path);
    }
  }
  yield* folder(snapshot.root, "");
}

export {
  walkSnapshot
};
