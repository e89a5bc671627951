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

/** `counted` is told the bytes read so far when they pass through this process (not for a staged file). */
export function measured<S extends Packable>(snapshot: S, counted?: (done: number) => void): { snapshot: Packable; size(): Promise<number>; counts: boolean } {
  const { file } = snapshot;
  if (file) return { snapshot: { stream: () => snapshot.stream(), file }, size: async () => (await stat(file)).size, counts: false };
  let bytes = 0;
  const stream = () => {
    const counter = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        counted?.(bytes);
        callback(null, chunk);
      },
    });
    // pipeline, as the packing pipeline did: a source that errors twice (node-tar on an unreadable folder) must not crash the run.
    pipeline(snapshot.stream(), counter, () => undefined);
    return counter;
  };
  return { snapshot: { stream }, size: async () => bytes, counts: true };
}
