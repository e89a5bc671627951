/**
 * Blobs: a chunk of a file's content or one folder listing (a tree), named
 * by its id and compressed on its own so any blob can be read without its
 * neighbours. Unkeyed repositories name a blob by the SHA-256 of its bytes;
 * keyed (encrypted) ones by HMAC-SHA-256 under the repository's id key, so
 * someone who can read the target cannot confirm that a known file is there.
 */
import { createHash, createHmac } from 'node:crypto';
import zlib from 'node:zlib';
import { decompress as decompressInJs } from 'fzstd';
import { IntegrityError } from '../errors.js';

export type BlobType = 'data' | 'tree';
export type BlobCompression = 'zstd' | 'none';

export interface IdKey {
  /** Names the key in the repository (`keys/<id>`) and in snapshots; not secret. */
  id: string;
  key: Buffer;
}

export function blobId(bytes: Uint8Array, key: IdKey | null): string {
  return (key ? createHmac('sha256', key.key) : createHash('sha256')).update(bytes).digest('hex');
}

type ZstdSync = { zstdCompressSync?: (b: Uint8Array, o?: object) => Buffer; zstdDecompressSync?: (b: Uint8Array, o?: object) => Buffer; constants: Record<string, number> };
const z = zlib as unknown as ZstdSync;

const SAMPLE = 64 * 1024;

/** Whether this Node.js can compress blobs (zstd in zlib: Node >= 22.15). */
export const canCompress = typeof z.zstdCompressSync === 'function';

/** Bytes looked at by looksCompressed: enough for a fair count of 256 byte values, few enough to cost ~3 us. */
const ENTROPY_SAMPLE = 4096;
const log2 = new Float64Array(ENTROPY_SAMPLE + 1).map((_, n) => (n > 0 ? Math.log2(n) : 0));

/**
 * Whether the start of `raw` is as dense as compressed or encrypted data
 * (JPEG, HEIC, MP4, zip: 7.8-8 bits of Shannon entropy per byte over 1-4
 * KiB, where text, databases and documents sit far lower). For small blobs
 * only (see packBlob): a zstd call costs ~25 us whatever the size, which for
 * 200k thumbnails was 5 s of the main thread's time for nothing.
 */
export function looksCompressed(raw: Uint8Array): boolean {
  const n = Math.min(raw.length, ENTROPY_SAMPLE);
  if (n < 1024) return false;
  const counts = new Uint32Array(256);
  for (let i = 0; i < n; i += 1) counts[raw[i]!]! += 1;
  // H = log2(n) - sum(c * log2(c)) / n
  let sum = 0;
  for (const c of counts) sum += c * log2[c]!;
  return log2[n]! - sum / n > 7.6;
}

/**
 * Compresses with zstd level 3 when this Node has it, and keeps the bytes as
 * they are when that saves under 3% (photos and videos are compressed
 * already: storing them raw spares every restore a decompression).
 *
 * Two shortcuts decide "raw" without compressing it all: a large chunk whose
 * first 64 KiB do not compress, and a small one (under 256 KiB) whose bytes
 * are as dense as compressed data (looksCompressed). Either may store raw a
 * rare blob that would have compressed (a block repeated many times): that
 * costs space, never data.
 */
export function packBlob(raw: Buffer): { bytes: Buffer; compression: BlobCompression } {
  if (!canCompress || raw.length < 64) return { bytes: raw, compression: 'none' };
  if (raw.length < 4 * SAMPLE && looksCompressed(raw)) return { bytes: raw, compression: 'none' };
  const level = { params: { [z.constants.ZSTD_c_compressionLevel!]: 3 } };
  // A large chunk whose first 64 KiB do not compress is a photo or a video: spare compressing the whole of it.
  if (raw.length >= 4 * SAMPLE && z.zstdCompressSync!(raw.subarray(0, SAMPLE), level).length >= SAMPLE * 0.97) return { bytes: raw, compression: 'none' };
  const packed = z.zstdCompressSync!(raw, level);
  return packed.length < raw.length * 0.97 ? { bytes: packed, compression: 'zstd' } : { bytes: raw, compression: 'none' };
}

/**
 * Decodes a stored blob and proves it is the blob `id` names. Output is
 * bounded by the blob's recorded length, so a forged frame that claims
 * gigabytes is refused, not allocated.
 *
 * Node < 22.15 has no zstd in zlib: fzstd (pure JS, MIT, a few KB) decodes
 * there, so a repository the Action wrote on Node 24 restores with the CLI
 * on Node 20. It is several times slower than zlib's, and only compressible
 * blobs (text, databases, documents) ever take it: photos and videos are
 * stored raw.
 */
export function unpackBlob(stored: Buffer, compression: BlobCompression, rawLength: number, id: string, key: IdKey | null): Buffer {
  let raw: Buffer;
  if (compression === 'none') raw = stored;
  else {
    try {
      if (z.zstdDecompressSync) raw = z.zstdDecompressSync(stored, { maxOutputLength: Math.max(1, rawLength) });
      else {
        // Into exactly rawLength bytes: a frame longer or shorter than recorded fails the id check below.
        const out = decompressInJs(stored, Buffer.allocUnsafe(rawLength));
        raw = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      }
    } catch (error) {
      throw new IntegrityError(`Blob ${id.slice(0, 12)} does not decompress: ${(error as Error).message}.`, { hint: 'Restore from another target (--target NAME).' });
    }
  }
  if (raw.length !== rawLength || blobId(raw, key) !== id) {
    throw new IntegrityError(`Blob ${id.slice(0, 12)} is damaged: its content does not match its id.`, { hint: 'Restore from another target (--target NAME).' });
  }
  return raw;
}
