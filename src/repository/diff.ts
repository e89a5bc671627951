/**
 * What changed between two snapshots of one source: paths added, removed and
 * changed, with sizes. Folders whose tree ids are equal are the same down to
 * the last byte and are not read, so comparing two backups of a large,
 * mostly unchanged library reads only the folders that changed. That holds
 * within one repository key; snapshots made under different keys (a host
 * that lost its cache, encrypted plans) name the same content differently,
 * so their files are compared by size, mode and mtime instead.
 */
import type { SnapshotObject, TreeNode } from './format.js';
import type { BlobSource } from './reader.js';

export interface Side {
  reader: BlobSource;
  snapshot: SnapshotObject;
}

export type Change =
  | { kind: 'added' | 'removed'; path: string; type: TreeNode['type']; size: number }
  | { kind: 'changed'; path: string; type: TreeNode['type']; size: number; was: number; what: ('content' | 'type' | 'mode' | 'mtime' | 'owner' | 'target')[] };

const sizeOf = (node: TreeNode) => (node.type === 'file' ? node.size : 0);

export async function* diffSnapshots(from: Side, to: Side): AsyncGenerator<Change> {
  const sameKey = (from.snapshot.key_id ?? null) === (to.snapshot.key_id ?? null);

  async function* all(side: Side, node: TreeNode, path: string, kind: 'added' | 'removed'): AsyncGenerator<Change> {
    yield { kind, path, type: node.type, size: sizeOf(node) };
    if (node.type !== 'dir') return;
    for (const child of (await side.reader.tree(node.subtree)).nodes) yield* all(side, child, `${path}/${child.name}`, kind);
  }

  function differences(a: TreeNode, b: TreeNode): Extract<Change, { kind: 'changed' }>['what'] {
    const what: Extract<Change, { kind: 'changed' }>['what'] = [];
    if (a.type === 'file' && b.type === 'file') {
      const same = sameKey ? a.content.length === b.content.length && a.content.every((id, i) => id === b.content[i]) : a.size === b.size && a.mtime_ns === b.mtime_ns;
      if (!same) what.push('content');
    }
    if (a.type === 'symlink' && b.type === 'symlink' && a.target !== b.target) what.push('target');
    if (a.mode !== b.mode) what.push('mode');
    if (a.mtime_ns !== b.mtime_ns && a.type !== 'dir') what.push('mtime');
    if (a.uid !== b.uid || a.gid !== b.gid) what.push('owner');
    return what;
  }

  async function* folders(a: string, b: string, prefix: string): AsyncGenerator<Change> {
    if (sameKey && a === b) return;
    const [left, right] = await Promise.all([from.reader.tree(a), to.reader.tree(b)]);
    const before = new Map(left.nodes.map((n) => [n.name, n]));
    const after = new Map(right.nodes.map((n) => [n.name, n]));
    const names = [...new Set([...before.keys(), ...after.keys()])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (const name of names) {
      const path = prefix ? `${prefix}/${name}` : name;
      const x = before.get(name);
      const y = after.get(name);
      if (!x) yield* all(to, y!, path, 'added');
      else if (!y) yield* all(from, x, path, 'removed');
      else if (x.type !== y.type) {
        yield* all(from, x, path, 'removed');
        yield* all(to, y, path, 'added');
      } else {
        const what = differences(x, y);
        if (what.length > 0) yield { kind: 'changed', path, type: y.type, size: sizeOf(y), was: sizeOf(x), what };
        if (x.type === 'dir' && y.type === 'dir') yield* folders(x.subtree, y.subtree, path);
      }
    }
  }

  yield* folders(from.snapshot.root, to.snapshot.root, '');
}
