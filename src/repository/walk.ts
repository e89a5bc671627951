/** A snapshot's entries in tree order (a folder before what it holds), with their paths, for ls, dump and export. */
import type { SnapshotObject, TreeNode } from './format.js';
import type { BlobSource } from './reader.js';

export interface WalkedNode {
  /** `/`-separated, relative to the source's folder. */
  path: string;
  node: TreeNode;
}

export async function* walkSnapshot(reader: BlobSource, snapshot: SnapshotObject, under = ''): AsyncGenerator<WalkedNode> {
  async function* folder(treeId: string, prefix: string): AsyncGenerator<WalkedNode> {
    for (const node of (await reader.tree(treeId)).nodes) {
      const path = prefix ? `${prefix}/${node.name}` : node.name;
      const inside = under === '' || path === under || path.startsWith(`${under}/`);
      const above = under.startsWith(`${path}/`);
      if (inside) yield { path, node };
      if (node.type === 'dir' && (inside || above)) yield* folder(node.subtree, path);
    }
  }
  yield* folder(snapshot.root, '');
}
