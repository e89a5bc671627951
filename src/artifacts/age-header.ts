/**
 * The age header: typage (age-encryption, by age's author) writes and opens
 * it (recipient stanzas, scrypt, the header MAC), so the format is age's own.
 * Reading finds where it ends in a stream, for the payload (age-stream.ts).
 */
import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';
import { Encrypter, Stanza, type Recipient } from 'age-encryption';
import type { Encryption } from '../plan/schema.js';
import { NONCE_BYTES } from './age-stream.js';


const SCRYPT_LABEL = 'age-encryption.org/v1/scrypt';
const DEFAULT_WORK_FACTOR = 18;
export const MAX_HEADER = 1 << 20;

/**
 * age's scrypt recipient (what `age -p` writes), on Node's scrypt: typage's
 * own cannot be combined with the key-capturing recipient below.
 */
function scryptRecipient(passphrase: string, logN: number): Recipient {
  return {
    wrapFileKey(fileKey: Uint8Array): Stanza[] {
      const salt = randomBytes(16);
      const N = 2 ** logN;
      const key = scryptSync(passphrase, Buffer.concat([Buffer.from(SCRYPT_LABEL), salt]), 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 + (1 << 24) });
      const cipher = createCipheriv('chacha20-poly1305', key, Buffer.alloc(12), { authTagLength: 16 });
      const body = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
      return [new Stanza(['scrypt', salt.toString('base64').replace(/=+$/, ''), String(logN)], body)];
    },
  };
}

/**
 * The age header for `setting` and the file key it wraps. typage writes the
 * header (stanzas and MAC); an extra recipient that adds no stanza sees the
 * file key, so the payload can be sealed natively (age-stream.ts).
 */
export async function newHeader(setting: Encryption): Promise<{ header: Buffer; fileKey: Uint8Array }> {
  const encrypter = new Encrypter();
  if (setting.passphrase !== undefined) encrypter.addRecipient(scryptRecipient(setting.passphrase, setting.scrypt_work_factor ?? DEFAULT_WORK_FACTOR));
  else for (const recipient of setting.age_recipients ?? []) encrypter.addRecipient(recipient);
  let fileKey: Uint8Array | undefined;
  encrypter.addRecipient({ wrapFileKey: (key: Uint8Array) => ((fileKey = key), []) });
  // An empty file is header + 16-byte nonce + one empty final chunk (its 16-byte tag).
  const empty = await encrypter.encrypt(new Uint8Array(0));
  return { header: Buffer.from(empty.subarray(0, empty.length - NONCE_BYTES - 16)), fileKey: fileKey! };
}

/** The header bytes at the start of an age stream (up to and including the MAC line). */
export async function readHeader(source: AsyncIterable<Buffer>): Promise<Buffer> {
  let seen = Buffer.alloc(0);
  for await (const chunk of source) {
    seen = Buffer.concat([seen, chunk]);
    const end = headerEnd(seen);
    if (end !== undefined) return seen.subarray(0, end);
    if (seen.length > MAX_HEADER) throw new Error('no age header end was found');
  }
  throw new Error(seen.length === 0 ? 'the file is empty' : 'the file ends inside its header');
}

/** The offset just after the header's MAC line (`--- <mac>\n`), once it is complete. */
export function headerEnd(bytes: Buffer): number | undefined {
  if (bytes.length > 0 && !bytes.subarray(0, Math.min(bytes.length, 21)).equals(Buffer.from('age-encryption.org/v1').subarray(0, Math.min(bytes.length, 21)))) {
    throw new Error('this is not an age file (age-encryption.org/v1 header missing)');
  }
  const mac = bytes.indexOf('\n--- ');
  if (mac < 0) return undefined;
  const newline = bytes.indexOf('\n', mac + 1);
  return newline < 0 ? undefined : newline + 1;
}
