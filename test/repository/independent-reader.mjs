// A reader of restorable's repository format written from docs/repository.md
// alone (no restorable code): rebuilds one snapshot of an unencrypted local
// repository into a folder. Usage: node independent-reader.mjs TARGET PLAN BACKUP SOURCE OUT
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';

const [target, plan, backup, source, out] = process.argv.slice(2);
const repo = join(target, plan, 'repo');
const sha = (b) => createHash('sha256').update(b).digest('hex');
const packs = new Map();
for (const dir of readdirSync(join(repo, 'data'))) for (const id of readdirSync(join(repo, 'data', dir))) packs.set(id, statSync(join(repo, 'data', dir, id)).size);
const blobs = new Map();
for (const id of readdirSync(join(repo, 'index'))) {
  const bytes = readFileSync(join(repo, 'index', id));
  if (sha(bytes) !== id) throw new Error(`index ${id} damaged`);
  for (const pack of JSON.parse(bytes).packs) if (packs.get(pack.id) === pack.size) for (const b of pack.blobs) blobs.set(b.id, { pack: pack.id, ...b });
}
const blob = (id) => {
  const b = blobs.get(id);
  const pack = readFileSync(join(repo, 'data', b.pack.slice(0, 2), b.pack));
  if (sha(pack) !== b.pack) throw new Error(`pack ${b.pack} damaged`);
  const stored = pack.subarray(b.offset, b.offset + b.length);
  const raw = b.compression === 'zstd' ? zlib.zstdDecompressSync(stored) : stored;
  if (raw.length !== b.raw_length || sha(raw) !== id) throw new Error(`blob ${id} damaged`);
  return raw;
};
const snapshot = JSON.parse(readFileSync(join(target, plan, backup, `${source}.snapshot.json`)));
const build = (treeId, dir) => {
  mkdirSync(dir, { recursive: true });
  for (const node of JSON.parse(blob(treeId)).nodes) {
    if (['', '.', '..'].includes(node.name) || /[/\0]/.test(node.name)) throw new Error('unsafe name');
    const path = join(dir, node.name);
    if (node.type === 'dir') build(node.subtree, path);
    else if (node.type === 'file') {
      writeFileSync(path, Buffer.concat(node.content.map(blob)));
      chmodSync(path, node.mode);
    } else symlinkSync(node.target, path);
  }
};
build(snapshot.root, out);
