/**
 * Proving a stored copy: re-read it and compare size and sha256 with the
 * manifest. Used after writing (backup), on demand (verify), before restoring
 * (restore, drill) and again while decoding, so the bytes restored are the
 * bytes that were checked, even on storage that reads back differently twice.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IntegrityError } from '../errors.js';
import type { Target } from '../targets/target.js';
import { keyOf } from './catalog.js';
import { Digest } from './digest.js';
import type { SourceEntry } from './manifest.js';

export interface ReadBack {
  sha256: string;
  bytes: number;
}

/** Reads a stored artifact whole, optionally keeping a copy at `copyTo`. */
export async function readBack(target: Target, plan: string, id: string, entry: SourceEntry, copyTo?: string, onBytes?: (done: number) => void): Promise<ReadBack> {
  const digest = new Digest(onBytes);
  const sink = copyTo ? createWriteStream(copyTo, { flags: 'wx' }) : new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await pipeline(await target.get(keyOf.file(plan, id, entry.artifact.file)), digest, sink);
  return { sha256: digest.sha256, bytes: digest.bytes };
}

/** How a read-back differs from the manifest, or undefined when it matches. */
export function mismatch(entry: SourceEntry, got: ReadBack): string | undefined {
  const { bytes, sha256 } = entry.artifact;
  if (got.bytes === bytes && got.sha256 === sha256) return undefined;
  return `read ${got.bytes} bytes with sha256 ${got.sha256.slice(0, 12)}..., expected ${bytes} bytes with sha256 ${sha256.slice(0, 12)}...`;
}

/** A pass-through that fails at the end if the bytes that went through are not the artifact's. */
export function matching(entry: SourceEntry): Transform {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      const problem = mismatch(entry, { sha256: hash.digest('hex'), bytes });
      if (!problem) return callback();
      callback(new IntegrityError(`${entry.artifact.file} changed between its check and its restore: ${problem}`, { hint: 'The storage returned different bytes on a second read; restore from another target.' }));
    },
  });
}
