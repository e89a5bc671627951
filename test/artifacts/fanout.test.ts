/**
 * fanout(): one stream written to several consumers with shared backpressure.
 * Every healthy consumer sees every byte; a failing consumer is cut loose; a
 * slow consumer slows the producer instead of letting memory grow; when every
 * consumer has failed the writing side fails with AllBranchesFailed; when the
 * source fails, no consumer may look complete.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AllBranchesFailed, fanout } from '../../src/artifacts/fanout.js';

const MB = 1 << 20;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The data as a stream of uneven chunks (1 byte up to 200 KB), so chunk boundaries vary. */
function chunked(data: Buffer): Readable {
  return Readable.from(
    (function* () {
      let at = 0;
      let size = 1;
      while (at < data.length) {
        yield data.subarray(at, at + size);
        at += size;
        size = (size * 7 + 13) % (200 * 1024) || 1;
      }
    })(),
  );
}

/** A consumer that hashes everything it reads and resolves with the hex digest. */
async function hashing(input: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of input) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-fanout-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('fanout', () => {
  it('gives three different consumers identical bytes for a multi-MB stream', async () => {
    const data = randomBytes(8 * MB + 12345);
    const file = join(dir, 'copy.bin');
    const { sink, results } = fanout<string>([
      { name: 'hash', consume: hashing },
      {
        name: 'file',
        consume: async (input) => {
          await pipeline(input, createWriteStream(file));
          return hashing(createReadStream(file));
        },
      },
      {
        name: 'slow',
        consume: async (input) => {
          const hash = createHash('sha256');
          for await (const chunk of input) {
            hash.update(chunk as Buffer);
            await sleep(1);
          }
          return hash.digest('hex');
        },
      },
    ]);

    await pipeline(chunked(data), sink);
    const settled = await results;

    expect(settled.map((r) => r.name)).toEqual(['hash', 'file', 'slow']);
    for (const result of settled) {
      expect(result.error).toBeUndefined();
      expect(result.value).toBe(sha256(data));
    }
  });

  it('cuts loose a consumer that throws half-way; the others still get every byte', async () => {
    const data = randomBytes(16 * MB);
    let brokenRead = 0;
    const { sink, results } = fanout<string>([
      { name: 'a', consume: hashing },
      {
        name: 'broken',
        consume: async (input) => {
          for await (const chunk of input) {
            brokenRead += (chunk as Buffer).length;
            if (brokenRead >= 8 * MB) throw new Error('disk went away');
          }
          return 'never';
        },
      },
      { name: 'b', consume: hashing },
    ]);

    await pipeline(chunked(data), sink); // the source side does not fail while a branch is alive
    const [a, broken, b] = await results;

    expect(broken!.value).toBeUndefined();
    expect((broken!.error as Error).message).toBe('disk went away');
    expect(brokenRead).toBeLessThan(data.length);
    expect(a).toEqual({ name: 'a', value: sha256(data) });
    expect(b).toEqual({ name: 'b', value: sha256(data) });
  });

  it('lets the slowest consumer hold the producer back (bounded buffering for a 64 MB stream)', async () => {
    const total = 64 * MB;
    const chunk = randomBytes(64 * 1024);
    let produced = 0;
    let slowConsumed = 0;
    let maxAhead = 0;
    const source = Readable.from(
      (function* () {
        while (produced < total) {
          maxAhead = Math.max(maxAhead, produced - slowConsumed);
          produced += chunk.length;
          yield chunk;
        }
      })(),
    );
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(data: Buffer, _encoding, callback) {
        slowConsumed += data.length;
        setTimeout(callback, 1); // about 64 MB/s at best
      },
    });
    const counting = async (input: Readable) => {
      let bytes = 0;
      for await (const data of input) bytes += (data as Buffer).length;
      return bytes;
    };
    const { sink, results } = fanout<number>([
      { name: 'fast', consume: counting },
      {
        name: 'slow',
        consume: async (input) => {
          await pipeline(input, slow);
          return slowConsumed;
        },
      },
    ]);

    await pipeline(source, sink);
    const settled = await results;

    expect(settled.map((r) => r.value)).toEqual([total, total]);
    expect(produced).toBe(total);
    // sink (1 MB) + branch PassThrough (1 MB each side) + the source's own buffer: a few MB, never the whole stream
    expect(maxAhead).toBeGreaterThan(0);
    expect(maxAhead).toBeLessThan(6 * MB);
  });

  it('rejects the pipeline with AllBranchesFailed when every consumer fails', async () => {
    const data = randomBytes(8 * MB);
    let produced = 0;
    const source = chunked(data).on('data', (c: Buffer) => (produced += c.length));
    const failAfter = (bytes: number, message: string) => async (input: Readable) => {
      let read = 0;
      for await (const c of input) {
        read += (c as Buffer).length;
        if (read >= bytes) throw new Error(message);
      }
      return read;
    };
    const { sink, results } = fanout<number>([
      { name: 'nas', consume: failAfter(1 * MB, 'nas failed') },
      { name: 'usb', consume: failAfter(2 * MB, 'usb failed') },
    ]);

    const streamed = pipeline(source, sink);
    await expect(streamed).rejects.toBeInstanceOf(AllBranchesFailed);
    await expect(streamed).rejects.toThrow(/every branch failed: nas, usb/);
    const settled = await results;
    expect(settled.map((r) => (r.error as Error).message)).toEqual(['nas failed', 'usb failed']);
    expect(settled.every((r) => r.value === undefined)).toBe(true);
    // The source stopped early instead of being drained into nowhere.
    expect(produced).toBeLessThan(data.length);
  });

  it('rejects with AllBranchesFailed when consumers fail before reading anything', async () => {
    const { sink, results } = fanout<never>([
      { name: 'one', consume: () => Promise.reject(new Error('cannot open one')) },
      { name: 'two', consume: () => Promise.reject(new Error('cannot open two')) },
    ]);
    await expect(pipeline(chunked(randomBytes(4 * MB)), sink)).rejects.toBeInstanceOf(AllBranchesFailed);
    expect((await results).map((r) => (r.error as Error).message)).toEqual(['cannot open one', 'cannot open two']);
  });

  it('rejects every consumer when the source errors, so no copy looks complete', async () => {
    const good = randomBytes(3 * MB);
    const source = Readable.from(
      (function* () {
        yield good.subarray(0, MB);
        yield good.subarray(MB, 2 * MB);
        yield good.subarray(2 * MB);
        throw new Error('snapshot broke');
      })(),
    );
    const seen: number[] = [0, 0, 0];
    const counting = (i: number) => async (input: Readable) => {
      for await (const c of input) seen[i]! += (c as Buffer).length;
      return seen[i]!;
    };
    const file = join(dir, 'partial.bin');
    const { sink, results } = fanout<number>([
      { name: 'first', consume: counting(0) },
      { name: 'second', consume: counting(1) },
      {
        name: 'file',
        consume: async (input) => {
          await pipeline(input, createWriteStream(file));
          return 1;
        },
      },
    ]);

    await expect(pipeline(source, sink)).rejects.toThrow('snapshot broke');
    const settled = await results;

    for (const result of settled) {
      expect(result.value, `${result.name} must not complete`).toBeUndefined();
      expect(result.error, `${result.name} must fail`).toBeDefined();
    }
  });

  it('passes an empty stream through as an empty stream to every consumer', async () => {
    const { sink, results } = fanout<string>([
      { name: 'a', consume: hashing },
      { name: 'b', consume: hashing },
    ]);
    await pipeline(Readable.from([]), sink);
    expect((await results).map((r) => r.value)).toEqual([sha256(Buffer.alloc(0)), sha256(Buffer.alloc(0))]);
  });
  it('cuts loose a consumer that stops taking data (a stalled connection), and the others finish', async () => {
    const data = randomBytes(8 * MB);
    const { sink, results } = fanout(
      [
        { name: 'healthy', consume: hashing },
        // Reads one chunk, then hangs for ever without failing: a dead connection with no timeout of its own.
        { name: 'stalled', consume: async (input: Readable) => (input.read(), new Promise<string>(() => undefined)) },
      ],
      { stallMs: 300 },
    );
    await pipeline(chunked(data), sink);
    const settled = await results;
    expect(settled[0]).toEqual({ name: 'healthy', value: sha256(data) });
    expect(settled[1]!.name).toBe('stalled');
    expect(String(settled[1]!.error)).toMatch(/took no data for 0 s/);
  });
});
