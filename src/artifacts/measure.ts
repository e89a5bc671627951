/**
 * The decoded size of an artifact, measured while the snapshot is packed (the
 * manifest records it; see `decoded_bytes`). A snapshot staged as a file is
 * measured by its size. A stream is counted on its way through; a tool that
 * would write straight into the compressor's stdin (pg_dump into zstd) is
 * read through this process instead, since nothing else can count what
 * passes through a pipe between two children.
 */
import { stat } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';

interface Packable {
  stream(): Readable;
  file?: string;
  feed?(stdin: Writable): void;
}

export function measured<S extends Packable>(snapshot: S): { snapshot: Packable; size(): Promise<number> } {
  const { file } = snapshot;
  if (file) return { snapshot: { stream: () => snapshot.stream(), file }, size: async () => (await stat(file)).size };
  let bytes = 0;
  async function* counted(source: Readable) {
    for await (const chunk of source) {
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }
  return { snapshot: { stream: () => Readable.from(counted(snapshot.stream()), { objectMode: false }) }, size: async () => bytes };
}
