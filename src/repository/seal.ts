/**
 * Whole repository objects (packs, indexes, keys, snapshots) sealed and
 * opened in memory: each is at most a pack (about 16 MiB). Sealed objects are
 * plain age files, so `age -d` opens any of them by hand.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decryptor, encryptor, type DecryptionKeys, type EncryptionRecord, type EncryptionSetting } from '../artifacts/encrypt.js';

async function through(input: Buffer, transform: NodeJS.ReadWriteStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(Readable.from([input]), transform, new Writable({ write: (chunk: Buffer, _e, callback) => (parts.push(chunk), callback()) }));
  return Buffer.concat(parts);
}

export function seal(plain: Buffer, setting: EncryptionSetting | undefined): Promise<Buffer> {
  return setting ? through(plain, encryptor(setting)) : Promise.resolve(plain);
}

export function open(stored: Buffer, record: EncryptionRecord | null, keys: DecryptionKeys, what: string): Promise<Buffer> {
  return record ? through(stored, decryptor(record, keys, what)) : Promise.resolve(stored);
}
