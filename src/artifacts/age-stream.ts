/**
 * The payload of an age file (age's STREAM: 64 KiB chunks of ChaCha20-
 * Poly1305, nonce = 11-byte big-endian counter + a last-chunk flag) on
 * Node's native cipher. typage does this in JavaScript at about 25 MiB/s
 * here; OpenSSL's ChaCha20-Poly1305 runs at over 400 MiB/s (bench/README.md).
 * The header (recipients, scrypt, its MAC) stays with typage. The interop
 * tests with the `age` tool hold this to the format both ways.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export const CHUNK = 64 * 1024;
const TAG = 16;
/** A payload chunk as stored: CHUNK bytes of plaintext and their tag (the last one may be shorter). */
export const SEALED_CHUNK = CHUNK + TAG;
export const NONCE_BYTES = 16;

/** The payload key: HKDF-SHA256(file key, salt = the 16-byte payload nonce, info = "payload"). */
export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6); // 2^48 chunks of 64 KiB is far beyond any artifact
  nonce[11] = last ? 1 : 0;
  return nonce;
}

function seal(key: Buffer, counter: number, last: boolean, plain: Buffer): Buffer[] {
  const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(counter, last), { authTagLength: TAG });
  return [cipher.update(plain), cipher.final(), cipher.getAuthTag()];
}

function open(key: Buffer, counter: number, last: boolean, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('chacha20-poly1305', key, chunkNonce(counter, last), { authTagLength: TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
}

/**
 * Collects input into fixed-size pieces and hands each on only once a byte
 * after it has arrived, so the last piece is known to be last at the end.
 * Synchronous, with one reused buffer: the calling Transform keeps the backpressure.
 */
abstract class Chunker {
  private readonly buffer: Buffer;
  private used = 0;
  protected counter = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** Seals or opens one piece; the returned buffers must not alias `data` (the buffer is reused). */
  protected abstract piece(data: Buffer, last: boolean): Buffer[];

  update(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    for (let at = 0; at < chunk.length; ) {
      if (this.used === this.buffer.length) {
        out.push(...this.piece(this.buffer, false));
        this.counter += 1;
        this.used = 0;
      }
      const n = chunk.copy(this.buffer, this.used, at, Math.min(chunk.length, at + this.buffer.length - this.used));
      this.used += n;
      at += n;
    }
    return out;
  }

  final(): Buffer[] {
    return this.piece(this.buffer.subarray(0, this.used), true);
  }
}

/** Plaintext in, age payload out (after the caller's header and nonce). */
export class Sealer extends Chunker {
  constructor(private readonly key: Buffer) {
    super(CHUNK);
  }
  protected piece(data: Buffer, last: boolean): Buffer[] {
    return seal(this.key, this.counter, last, data);
  }
}

/** Payload in (after header and nonce), plaintext out; a bad tag, a truncation or a missing last chunk throws. */
export class Opener extends Chunker {
  constructor(private readonly key: Buffer) {
    super(CHUNK + TAG);
  }
  protected piece(data: Buffer, last: boolean): Buffer[] {
    return [openChunk(this.key, this.counter, last, data)];
  }
}

/**
 * Opens payload chunk number `counter` alone (a range of an age file: the
 * caller knows from the file's size whether it is the last). A chunk moved
 * from elsewhere, or a last one that is not, fails its tag.
 */
export function openChunk(key: Buffer, counter: number, last: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG) throw new Error('the payload is truncated');
  const plain = open(key, counter, last, sealed);
  if (last && plain.length === 0 && counter > 0) throw new Error('the final chunk is empty');
  return plain;
}

export function payloadNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}
