/**
 * age encryption of artifacts, through typage (age-encryption, by age's
 * author) so every artifact is a standard age file: `age -d` opens it without
 * restorable. Recipients (public keys) come from the plan; the identity only
 * at restore time, from RESTORABLE_AGE_IDENTITY. Passphrase mode uses age's
 * scrypt recipient.
 *
 * Decryption streams and emits plaintext before it has seen the end of the
 * file, so callers check the sha256 of the whole stored artifact first and
 * `openable` proves the key before anything is written.
 */
import { readFileSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { Duplex, Readable } from 'node:stream';
import { Decrypter, Encrypter } from 'age-encryption';
import { KeyError, IntegrityError, reason } from '../errors.js';
import type { Secrets } from '../report/secrets.js';

export const IDENTITY_ENV = 'RESTORABLE_AGE_IDENTITY';
export const AGE_EXTENSION = '.age';
const IDENTITY_LINE = /^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/;

/** What the plan says (after interpolation): recipients, or a passphrase. */
export interface EncryptionSetting {
  age_recipients?: string[] | undefined;
  passphrase?: string | undefined;
  scrypt_work_factor?: number | undefined;
}

/** What the manifest records: nothing secret, only the public side. */
export interface EncryptionRecord {
  format: 'age';
  mode: 'recipients' | 'passphrase';
  recipients: string[];
}

export function encryptionRecord(setting: EncryptionSetting): EncryptionRecord {
  return setting.passphrase !== undefined
    ? { format: 'age', mode: 'passphrase', recipients: [] }
    : { format: 'age', mode: 'recipients', recipients: [...(setting.age_recipients ?? [])] };
}

/**
 * A Duplex running `work` over the bytes written to it. typage speaks web
 * streams; Duplex.from over an async generator keeps Node's backpressure and
 * error propagation for a stream.pipeline.
 */
function webTransform(work: (input: ReadableStream<Uint8Array>) => Promise<ReadableStream<Uint8Array>>, mapError: (error: unknown) => unknown): Duplex {
  return Duplex.from(async function* (source: AsyncIterable<Buffer>) {
    try {
      const output = await work(Readable.toWeb(Readable.from(source)) as ReadableStream<Uint8Array>);
      for await (const chunk of output as unknown as AsyncIterable<Uint8Array>) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } catch (error) {
      throw mapError(error);
    }
  });
}

export function encryptor(setting: EncryptionSetting): Duplex {
  const encrypter = new Encrypter();
  if (setting.passphrase !== undefined) {
    encrypter.setPassphrase(setting.passphrase);
    if (setting.scrypt_work_factor !== undefined) encrypter.setScryptWorkFactor(setting.scrypt_work_factor);
  } else {
    for (const recipient of setting.age_recipients ?? []) encrypter.addRecipient(recipient);
  }
  return webTransform((input) => encrypter.encrypt(input), (error) => error);
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
  secrets.add(value);
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

/** A Duplex that decrypts an age stream; a wrong key or damage surfaces as KeyError or IntegrityError. */
export function decryptor(record: EncryptionRecord, keys: DecryptionKeys, what: string): Duplex {
  const decrypter = decrypterFor(record, keys, what);
  return webTransform((input) => decrypter.decrypt(input), decryptFailure(what, record));
}

/** Proves the key opens the file at `path` (its header), reading no further than the first chunk. */
export async function openable(path: string, record: EncryptionRecord, keys: DecryptionKeys, what: string): Promise<void> {
  const decrypter = decrypterFor(record, keys, what);
  const input = Readable.toWeb(createReadStream(path, { highWaterMark: 1 << 16 })) as ReadableStream<Uint8Array>;
  try {
    const output = await decrypter.decrypt(input);
    await output.cancel();
  } catch (error) {
    throw decryptFailure(what, record)(error);
  }
}
