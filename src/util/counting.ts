/** A pass-through that tells how many bytes went through so far (progress of a stream nobody else counts). */
import { Transform } from 'node:stream';

export function counting(onBytes: (done: number) => void): Transform {
  let done = 0;
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      onBytes(done);
      callback(null, chunk);
    },
  });
}
