/**
 * Our artifacts are standard age files: the `age` tool decrypts what we
 * encrypt to the same bytes, and we decrypt what `age` encrypts. Passphrase
 * files are checked through our code and typage only: `age -d` reads a
 * passphrase from a terminal, which a test cannot drive honestly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptionKeys, decryptor, encryptor, openable, type EncryptionRecord } from '../../src/artifacts/encrypt.js';
import { IntegrityError, KeyError } from '../../src/errors.js';
import { Secrets } from '../../src/report/secrets.js';

const hasAge = spawnSync('age', ['--version']).status === 0 && spawnSync('age-keygen', ['--help']).status !== null;
if (!hasAge && process.env.CI === 'true') throw new Error('the age tool is required under CI=true (apt-get install age)');

let dir: string;
let identity: string;
let recipient: string;
let keyFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-age-'));
  if (!hasAge) return;
  keyFile = join(dir, 'key.txt');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  identity = readFileSync(keyFile, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
  recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(input: Buffer, ...transforms: NodeJS.ReadWriteStream[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const pieces = (function* () {
    for (let at = 0; at < input.length; at += 100_003) yield input.subarray(at, at + 100_003);
  })();
  await pipeline([Readable.from(pieces), ...transforms, new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) })]);
  return Buffer.concat(chunks);
}

const record = (): EncryptionRecord => ({ format: 'age', mode: 'recipients', recipients: [recipient] });
const plain = randomBytes(3 * 1024 * 1024 + 17);

describe.skipIf(!hasAge)('age interop', () => {
  it('what we encrypt, `age -d -i` decrypts to the same bytes', async () => {
    const sealed = await run(plain, encryptor({ age_recipients: [recipient] }));
    expect(sealed.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    writeFileSync(join(dir, 'ours.age'), sealed);
    const opened = execFileSync('age', ['-d', '-i', keyFile, join(dir, 'ours.age')], { maxBuffer: 64 << 20 });
    expect(opened.equals(plain)).toBe(true);
  });

  it('what `age -r` encrypts, we decrypt to the same bytes', async () => {
    writeFileSync(join(dir, 'plain.bin'), plain);
    execFileSync('age', ['-r', recipient, '-o', join(dir, 'theirs.age'), join(dir, 'plain.bin')]);
    const keys = decryptionKeys({ RESTORABLE_AGE_IDENTITY: keyFile }, undefined, new Secrets());
    await openable(join(dir, 'theirs.age'), record(), keys, 'theirs.age');
    const opened = await run(readFileSync(join(dir, 'theirs.age')), decryptor(record(), keys, 'theirs.age'));
    expect(opened.equals(plain)).toBe(true);
  });

  it('a passphrase file of ours opens with the passphrase (our decryptor and typage), not with another', async () => {
    const setting = { passphrase: 'correct horse battery staple', scrypt_work_factor: 12 };
    const sealed = await run(plain, encryptor(setting));
    expect(sealed.toString('latin1', 0, 200)).toContain('-> scrypt');
    const record: EncryptionRecord = { format: 'age', mode: 'passphrase', recipients: [] };
    expect((await run(sealed, decryptor(record, { passphrase: setting.passphrase, identities: [] }, 'p'))).equals(plain)).toBe(true);
    const typage = new Decrypter();
    typage.addPassphrase(setting.passphrase);
    expect(Buffer.from(await typage.decrypt(new Uint8Array(sealed))).equals(plain)).toBe(true);
    writeFileSync(join(dir, 'pass.age'), sealed);
    await expect(openable(join(dir, 'pass.age'), record, { passphrase: 'wrong horse battery staple', identities: [] }, 'pass.age')).rejects.toBeInstanceOf(KeyError);
  });

  it('a wrong identity or none is a KeyError with a hint, before any plaintext', async () => {
    const sealed = await run(plain, encryptor({ age_recipients: [recipient] }));
    writeFileSync(join(dir, 'k.age'), sealed);
    const other = execFileSync('age-keygen', { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
    const wrong = openable(join(dir, 'k.age'), record(), { identities: [other] }, 'k.age');
    await expect(wrong).rejects.toBeInstanceOf(KeyError);
    await expect(wrong).rejects.toThrow(/cannot be decrypted/);
    const none = openable(join(dir, 'k.age'), record(), { identities: [] }, 'k.age');
    await expect(none).rejects.toThrow(/RESTORABLE_AGE_IDENTITY/);
  });

  it('a flipped byte in the middle or a truncated file fails decryption as an IntegrityError', async () => {
    const sealed = await run(plain, encryptor({ age_recipients: [recipient] }));
    const keys = { identities: [identity] };
    const flipped = Buffer.from(sealed);
    flipped[flipped.length >> 1]! ^= 0x01;
    await expect(run(flipped, decryptor(record(), keys, 'flipped'))).rejects.toBeInstanceOf(IntegrityError);
    await expect(run(sealed.subarray(0, sealed.length - 1000), decryptor(record(), keys, 'cut'))).rejects.toBeInstanceOf(IntegrityError);
    // Cut at a chunk boundary (header + whole 64 KiB chunks): age still knows the last chunk is missing.
    const cut = sealed.length - (sealed.length - 200) % (65536 + 16);
    await expect(run(sealed.subarray(0, cut), decryptor(record(), keys, 'cut'))).rejects.toBeInstanceOf(IntegrityError);
  });

  it('RESTORABLE_AGE_IDENTITY takes the key itself or a file; every key is registered as a secret', () => {
    const secrets = new Secrets();
    expect(decryptionKeys({ RESTORABLE_AGE_IDENTITY: identity }, undefined, secrets).identities).toEqual([identity]);
    expect(decryptionKeys({ RESTORABLE_AGE_IDENTITY: keyFile }, undefined, secrets).identities).toEqual([identity]);
    expect(secrets.redact(`key ${identity}`)).toBe('key ***');
    expect(() => decryptionKeys({ RESTORABLE_AGE_IDENTITY: join(dir, 'missing.txt') }, undefined, secrets)).toThrow(KeyError);
  });
});
