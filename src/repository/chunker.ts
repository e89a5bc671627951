/**
 * Content-defined chunking (FastCDC with normalized chunking, Xia et al. 2016).
 * A cut point depends only on the bytes around it, so inserting or changing
 * bytes in the middle of a large file moves the boundaries near the change
 * and nowhere else: the other chunks keep their ids and are not stored again.
 *
 * The gear table is derived from a seed. Unkeyed repositories use a fixed
 * seed; encrypted ones derive it from the repository's id key, so chunk
 * sizes seen on a target do not fingerprint known files (restic does the
 * same with a per-repository polynomial).
 */
import { createHash, createHmac } from 'node:crypto';

export interface ChunkerParams {
  min: number;
  avg: number;
  max: number;
}

/** About 1 MiB on average; a file smaller than `min` is one chunk. */
export const DEFAULT_CHUNKER: ChunkerParams = { min: 512 * 1024, avg: 1024 * 1024, max: 8 * 1024 * 1024 };

export type Gear = Uint32Array;

export function gearTable(key: Buffer | null): Gear {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i += 1) {
    const label = `restorable gear ${i}`;
    const digest = key ? createHmac('sha256', key).update(label).digest() : createHash('sha256').update(label).digest();
    table[i] = digest.readUInt32LE(0);
  }
  return table;
}

/**
 * Length of the chunk that starts at `start` in `data[start, end)`, or -1
 * when no cut was found before `end` and more data may follow (`final`
 * false). With `final`, the rest is one chunk when no cut is found.
 *
 * Self-contained (it names nothing outside its body): the file readers
 * (read-pool.ts) run this very function's source on their threads.
 */
export function nextCut(data: Uint8Array, start: number, end: number, final: boolean, gear: Uint32Array, params: ChunkerParams): number {
  const available = end - start;
  if (available <= params.min) return final ? available : -1;
  // Masks on the hash's high bits (which depend on the last 32 bytes): more bits before `avg` make early cuts rarer.
  const bits = Math.round(Math.log2(params.avg));
  const top = (n: number) => (n >= 32 ? 0xffffffff : ((0xffffffff << (32 - n)) >>> 0));
  const small = top(bits + 2);
  const large = top(bits - 2);
  const normal = Math.min(start + params.avg, end);
  const limit = Math.min(start + params.max, end);
  let hash = 0;
  let i = start + params.min;
  for (; i < normal; i += 1) {
    hash = ((hash << 1) + gear[data[i]!]!) >>> 0;
    if ((hash & small) === 0) return i + 1 - start;
  }
  for (; i < limit; i += 1) {
    hash = ((hash << 1) + gear[data[i]!]!) >>> 0;
    if ((hash & large) === 0) return i + 1 - start;
  }
  if (limit - start === params.max) return params.max;
  return final ? available : -1;
}
