/** sha256 and byte count of a stream, computed on the way through (read-back checks: check.ts). */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { reclaimer } from '../util/reclaim.js';

export class Digest extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  private result: string | undefined;
  private readonly reclaim = reclaimer();

  constructor(private readonly onProgress?: (bytes: number) => void) {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onProgress?.(this.bytes);
    this.reclaim(chunk.length);
    callback(null, chunk);
  }

  override _flush(callback: () => void): void {
    this.result = this.hash.digest('hex');
    callback();
  }

  /** The hex sha256, available once the stream has ended. */
  get sha256(): string {
    if (this.result === undefined) throw new Error('Digest read before the stream ended');
    return this.result;
  }
}
