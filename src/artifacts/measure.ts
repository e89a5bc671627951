/**
 * The decoded size of an artifact, measured while the snapshot is packed (the
 * manifest records it; see `decoded_bytes`). A snapshot staged as a file is
 * measured by its size. A stream is counted on its way through; a tool that
 * would write straight into the compressor's stdin (pg_dump into zstd) is
 * read through this process instead, since nothing else can count what
 * passes through a pipe between two children.
 */
import { stat } from 'node:fs/promises';
import { Transform, pipeline, type Readable, type Writable } from 'node:stream';

interface Packable {
  stream(): Readable;
  file?: string;
  feed?(stdin: Writable): void;
}

export function measured<S extends Packable>(snapshot: S): { snapshot: Packable; size(): Promise<number> } {
  const { file } = snapshot;
  if (file) return { snapshot: { stream: () => snapshot.stream(), file }, size: async () => (await stat(file)).size };
  let bytes = 0;
  const stream = () => {
    const counter = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    // pipeline, as the packing pipeline did: a source that errors twice (node-tar on an unreadable folder) must not crash the run.
    pipeline(snapshot.stream(), counter, () => undefined);
    return counter;
  };
  return { snapshot: { stream }, size: async () => bytes };
}
