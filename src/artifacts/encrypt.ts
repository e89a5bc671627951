/**
 * age encryption of artifacts, so every artifact is a standard age file:
 * `age -d` opens it without restorable. The header (recipients, scrypt, MAC)
 * is typage's (age-header.ts); the payload runs on Node's native
 * ChaCha20-Poly1305 (age-stream.ts). Recipients (public keys) come from the
 * plan; the identity only at restore time, from RESTORABLE_AGE_IDENTITY.
 * Passphrase mode uses age's scrypt recipient.
 *
 * Decryption streams and emits plaintext before it has seen the end of the
 * file, so callers check the sha256 of the whole stored artifact first and
 * `openable` proves the key before anything is written.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { Decrypter } from 'age-encryption';
import { MAX_HEADER, headerEnd, newHeader, readHeader } from './age-header.js';
import { NONCE_BYTES, Opener, Sealer, payloadKey, payloadNonce } from './age-stream.js';
import { KeyError, IntegrityError, reason } from '../errors.js';
import type { Encryption } from '../plan/schema.js';
import type { Secrets } from '../report/secrets.js';
import type { SourceEntry } from './manifest.js';

export const IDENTITY_ENV = 'RESTORABLE_AGE_IDENTITY';
export const AGE_EXTENSION = '.age';
const IDENTITY_LINE = /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/;

/** What the plan says (after interpolation): recipients, or a passphrase. */
export type EncryptionSetting = Encryption;

/** What the manifest records: nothing secret, only the public side. */
export type EncryptionRecord = NonNullable<SourceEntry['artifact']['encryption']>;

export function encryptionRecord(setting: EncryptionSetting): EncryptionRecord {
  return setting.passphrase !== undefined
    ? { format: 'age', mode: 'passphrase', recipients: [] }
    : { format: 'age', mode: 'recipients', recipients: [...(setting.age_recipients ?? [])] };
}

/**
 * A Transform rather than Duplex.from over a generator: at zstd's 64 KiB
 * pieces the generator's per-chunk cost doubled the time (bench/README.md).
 * Each input chunk leaves as one buffer, so targets see few, large writes.
 */
class SealTransform extends Transform {
  private readonly sealer: Promise<{ head: Buffer; sealer: Sealer }>;
  private started = false;

  constructor(setting: EncryptionSetting) {
    super({ highWaterMark: 1 << 20 });
    this.sealer = newHeader(setting).then(({ header, fileKey }) => {
      const nonce = payloadNonce();
      return { head: Buffer.concat([header, nonce]), sealer: new Sealer(payloadKey(fileKey, nonce)) };
    });
    this.sealer.catch(() => undefined); // surfaced by the first _transform or _flush
  }

  private send(parts: Buffer[], head: Buffer): void {
    const all = this.started ? parts : [head, ...parts];
    this.started = true;
    if (all.length > 0) this.push(all.length === 1 ? all[0] : Buffer.concat(all));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sealer.then(({ head, sealer }) => {
      this.send(sealer.update(chunk), head);
      callback();
    }, callback);
  }

  override _flush(callback: TransformCallback): void {
    this.sealer.then(({ head, sealer }) => {
      this.send(sealer.final(), head);
      callback();
    }, callback);
  }
}

export function encryptor(setting: EncryptionSetting): Transform {
  return new SealTransform(setting);
}

/** The keys a restore can use: the plan's passphrase and the identities in RESTORABLE_AGE_IDENTITY. */
export interface DecryptionKeys {
  passphrase?: string;
  identities: string[];
}

/**
 * RESTORABLE_AGE_IDENTITY holds either identity lines (AGE-SECRET-KEY-1...,
 * as age-keygen writes them) or the path of an identity file. Every key read
 * is registered as a secret, so no log line can show it.
 */
export function decryptionKeys(env: NodeJS.ProcessEnv, setting: EncryptionSetting | undefined, secrets: Secrets): DecryptionKeys {
  const keys: DecryptionKeys = { identities: [] };
  if (setting?.passphrase !== undefined) keys.passphrase = setting.passphrase;
  const value = env[IDENTITY_ENV]?.trim();
  if (!value) return keys;
  let text = value;
  if (!/^AGE-SECRET-KEY-|^#/.test(value)) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      throw new KeyError(`${IDENTITY_ENV} names an identity file that cannot be read: ${reason(error)}.`, {
        hint: `Set ${IDENTITY_ENV} to the AGE-SECRET-KEY-1... line, or to the path of the file age-keygen wrote.`,
      });
    }
  }
  for (const line of text.split(/\r?\n/).map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    secrets.add(line);
    if (!IDENTITY_LINE.test(line)) throw new KeyError(`${IDENTITY_ENV} holds a line that is not an age identity.`, { hint: 'Expected AGE-SECRET-KEY-1... lines (age-keygen output); comments start with #.' });
    // The shape is right; the bech32 checksum and key length are checked by parsing it, as decryption would.
    // Its error message quotes the key, so only the fact is reported.
    try {
      new Decrypter().addIdentity(line);
    } catch {
      throw new KeyError(`${IDENTITY_ENV} holds a key that is not a valid age identity: its checksum or length is wrong (a character changed, or the line was cut).`, {
        hint: 'Copy the AGE-SECRET-KEY-1... line again, whole, from the file age-keygen wrote (or set the variable to that file\'s path).',
      });
    }
    keys.identities.push(line);
  }
  return keys;
}

function decrypterFor(record: EncryptionRecord, keys: DecryptionKeys, what: string): Decrypter {
  const decrypter = new Decrypter();
  const usable = record.mode === 'passphrase' ? keys.passphrase !== undefined : keys.identities.length > 0;
  if (!usable) {
    throw new KeyError(
      record.mode === 'passphrase'
        ? `${what} is encrypted with an age passphrase, and the plan has none (encryption.passphrase).`
        : `${what} is encrypted with age to ${record.recipients.join(', ')}, and no identity was given (${IDENTITY_ENV} is not set).`,
      {
        hint:
          record.mode === 'passphrase'
            ? 'Put encryption: {passphrase: ${VAR}} in the plan and set VAR to the passphrase used for this backup.'
            : `Set ${IDENTITY_ENV} to the matching AGE-SECRET-KEY-1... line or to the path of its identity file. Nothing was restored.`,
      },
    );
  }
  if (keys.passphrase !== undefined) decrypter.addPassphrase(keys.passphrase);
  for (const identity of keys.identities) decrypter.addIdentity(identity);
  return decrypter;
}

function decryptFailure(what: string, record: EncryptionRecord) {
  return (error: unknown): unknown => {
    const message = reason(error);
    if (/no identity matched|incorrect passphrase|invalid header HMAC|scrypt/i.test(message)) {
      return new KeyError(`${what} cannot be decrypted with the key given (${message}).`, {
        hint:
          record.mode === 'passphrase'
            ? 'The passphrase differs from the one this backup was made with. Nothing was restored.'
            : `It was encrypted to ${record.recipients.join(', ')}; set ${IDENTITY_ENV} to the identity of one of them. Nothing was restored.`,
      });
    }
    if (error instanceof Error && error.name !== 'Error') return error;
    return new IntegrityError(`${what} is not a sound age file: ${message}.`, { hint: 'Use a copy on another target (--target NAME) or another backup (--backup ID).' });
  };
}

/**
 * Decrypts an age stream: the header is collected and opened first (typage),
 * then the payload chunk by chunk. A wrong key or damage surfaces as
 * KeyError or IntegrityError.
 */
class OpenTransform extends Transform {
  private head: Buffer[] = [];
  private headBytes = 0;
  private opener: Promise<Opener> | undefined;

  constructor(
    private readonly decrypter: Decrypter,
    private readonly failure: (error: unknown) => unknown,
  ) {
    super({ highWaterMark: 1 << 20 });
  }

  private run(work: () => Buffer[] | Promise<Buffer[]>, callback: TransformCallback): void {
    Promise.resolve()
      .then(work)
      .then(
        (parts) => {
          if (parts.length > 0) this.push(parts.length === 1 ? parts[0] : Buffer.concat(parts));
          callback();
        },
        (error: unknown) => callback(this.failure(error) as Error),
      );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.opener) return this.run(async () => (await this.opener!).update(chunk), callback);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    const seen = Buffer.concat(this.head);
    let end: number | undefined;
    try {
      end = headerEnd(seen);
    } catch (error) {
      return callback(this.failure(error) as Error);
    }
    if (end === undefined || seen.length < end + NONCE_BYTES) {
      if (this.headBytes > MAX_HEADER) return callback(this.failure(new Error('no age header end was found')) as Error);
      return callback();
    }
    const nonce = seen.subarray(end, end + NONCE_BYTES);
    const payload = seen.subarray(end + NONCE_BYTES);
    this.opener = this.decrypter.decryptHeader(seen.subarray(0, end)).then((fileKey) => new Opener(payloadKey(fileKey, nonce)));
    this.run(async () => (await this.opener!).update(payload), callback);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.opener) return callback(this.failure(new Error(this.headBytes === 0 ? 'the file is empty' : 'the file ends inside its header')) as Error);
    this.run(async () => (await this.opener!).final(), callback);
  }
}

export function decryptor(record: EncryptionRecord, keys: DecryptionKeys, what: string): Transform {
  return new OpenTransform(decrypterFor(record, keys, what), decryptFailure(what, record));
}

/** The file key of an age header (its MAC checked): a reader of ranges of the file derives the payload key from it. */
export async function openHeader(header: Buffer, record: EncryptionRecord, keys: DecryptionKeys, what: string): Promise<Uint8Array> {
  const decrypter = decrypterFor(record, keys, what);
  try {
    return await decrypter.decryptHeader(header);
  } catch (error) {
    throw decryptFailure(what, record)(error);
  }
}

/** Proves the key opens the file at `path` (its header MAC), reading no further than the header. */
export async function openable(path: string, record: EncryptionRecord, keys: DecryptionKeys, what: string): Promise<void> {
  const decrypter = decrypterFor(record, keys, what);
  const input = createReadStream(path, { highWaterMark: 1 << 16 });
  try {
    await decrypter.decryptHeader(await readHeader(input));
  } catch (error) {
    throw decryptFailure(what, record)(error);
  } finally {
    input.destroy();
  }
}
