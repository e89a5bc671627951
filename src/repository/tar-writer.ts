/**
 * A plain tar stream of a snapshot (`restorable export`): ustar headers from
 * node-tar's encoder, with a PAX header where a field does not fit (long
 * paths, large sizes, sub-second mtimes), so GNU tar and bsdtar read it.
 */
import { Readable } from 'node:stream';
import { Header, Pax } from 'tar';
import type { SnapshotObject } from './format.js';
import type { BlobSource } from './reader.js';
import { walkSnapshot } from './walk.js';

const BLOCK = 512;
const pad = (n: number) => Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);

function header(data: ConstructorParameters<typeof Header>[0] & object): Buffer {
  const block = Buffer.alloc(BLOCK);
  const head = new Header(data);
  head.encode(block);
  if (!head.needPax) return block;
  return Buffer.concat([new Pax({ ...data, atime: undefined, ctime: undefined } as ConstructorParameters<typeof Pax>[0]).encode(), block]);
}

export function exportTar(reader: BlobSource, snapshot: SnapshotObject): Readable {
  async function* blocks(): AsyncGenerator<Buffer> {
    const mtime = (ns: string) => new Date(Number(BigInt(ns) / 1_000_000n));
    for await (const { path, node } of walkSnapshot(reader, snapshot)) {
      const common = { mode: node.mode, uid: node.uid, gid: node.gid, mtime: mtime(node.mtime_ns) };
      if (node.type === 'dir') yield header({ ...common, path: `${path}/`, type: 'Directory', size: 0 });
      else if (node.type === 'symlink') yield header({ ...common, path, type: 'SymbolicLink', linkpath: node.target, size: 0 });
      else {
        yield header({ ...common, path, type: 'File', size: node.size });
        for (const id of node.content) yield await reader.blob(id);
        yield pad(node.size);
      }
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  return Readable.from(blocks(), { objectMode: false });
}
