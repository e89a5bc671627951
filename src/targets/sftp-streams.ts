/**
 * Moving bytes over an open SFTP handle with many requests in flight. ssh2's
 * own streams wait for each answer before the next request, which caps a
 * link at one packet per round trip (measured here: 20 MiB written in 11.6 s,
 * read in 1.2 s; with 16 in flight 0.4 s and 0.3 s).
 */
import { Readable, Writable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';

/** Cleanup on a connection that may be dead: its callbacks may never come, so give up after a while. */
export function settleWithin(work: Promise<unknown>, ms = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.then(() => undefined, () => undefined), timeout]).finally(() => clearTimeout(timer));
}

/**
 * ssh2 sends a write longer than one packet as a chain, each part after the
 * last one's answer, so a 16 MiB pack handed over whole would be hundreds of
 * round trips in a row on a distant server. Pieces of OpenSSH's own sftp
 * client size, 64 in flight as it does, keep the link full whatever the
 * caller's chunk sizes (on loopback the difference does not show).
 */
const PIECE = 32 << 10;
const WRITES_IN_FLIGHT = 64;

/** Writes to an open handle with up to 64 requests in flight, at explicit offsets. */
export function handleWriter(sftp: SFTPWrapper, handle: Buffer): Writable {
  let position = 0;
  let inflight = 0;
  let failed: Error | undefined;
  let waiting: (() => void) | undefined;
  const wake = () => {
    const next = waiting;
    waiting = undefined;
    next?.();
  };
  const settled = (error?: Error | null) => {
    inflight--;
    if (error && !failed) failed = error;
    wake();
  };
  // A dropped connection may never answer the writes in flight: fail them, do not wait forever.
  const dropped = () => {
    failed ??= Object.assign(new Error('the connection closed during the write'), { code: 'ECONNRESET' });
    wake();
  };
  sftp.once('close', dropped);
  const writer = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      let offset = 0;
      const send = () => {
        while (!failed && offset < chunk.length && inflight < WRITES_IN_FLIGHT) {
          const length = Math.min(PIECE, chunk.length - offset);
          inflight++;
          sftp.write(handle, chunk, offset, length, position, settled);
          offset += length;
          position += length;
        }
        if (failed) callback(failed);
        else if (offset < chunk.length || inflight >= WRITES_IN_FLIGHT) waiting = send;
        else callback();
      };
      send();
    },
    final(callback) {
      const done = () => (inflight === 0 || failed ? callback(failed) : (waiting = done));
      done();
    },
  });
  writer.once('close', () => sftp.off('close', dropped));
  return writer;
}

/** Reads a file from `start` to `end` (exclusive) with up to 16 requests in flight, in order (ssh2's read stream has one). */
export function handleReader(sftp: SFTPWrapper, handle: Buffer, start: number, end: number, lost: Promise<never>): Readable {
  const CHUNK = 64 << 10;
  const readAt = async (position: number, length: number): Promise<Buffer> => {
    const parts: Buffer[] = [];
    // A server may answer with fewer bytes than asked: ask again for the rest.
    for (let done = 0; done < length; ) {
      const buffer = Buffer.allocUnsafe(length - done);
      // A read asked for after the connection closed is never answered: `lost` fails it.
      const got = await Promise.race([
        new Promise<number>((resolve, reject) => sftp.read(handle, buffer, 0, length - done, position + done, (error, bytes) => (error ? reject(error) : resolve(bytes)))),
        lost,
      ]);
      if (got === 0) break;
      parts.push(buffer.subarray(0, got));
      done += got;
    }
    return Buffer.concat(parts);
  };
  async function* chunks(): AsyncGenerator<Buffer> {
    const pending: Promise<Buffer>[] = [];
    let offset = start;
    const topUp = () => {
      while (offset < end && pending.length < 16) {
        const request = readAt(offset, Math.min(CHUNK, end - offset));
        request.catch(() => undefined); // awaited in order below; a later one failing first must not go unhandled
        pending.push(request);
        offset += CHUNK;
      }
    };
    topUp();
    while (pending.length > 0) {
      const chunk = await pending.shift()!;
      topUp();
      yield chunk;
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 << 20 });
}
