/**
 * Our artifacts are standard age files: the `age` tool decrypts what we
 * encrypt to the same bytes, and we decrypt what `age` encrypts, at the sizes
 * where age's 64 KiB chunking has edges. Passphrase files go both ways too:
 * `age` reads a passphrase from a terminal only, so test/helpers/age-pty.py
 * gives it a pseudo-terminal and types it.
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
import { requireService } from '../helpers/net.js';

requireService('the age tool (age, age-keygen)', spawnSync('age', ['--version']).status === 0 && spawnSync('age-keygen', ['--help']).status !== null, 'apt-get install -y age');

let dir: string;
let identity: string;
let recipient: string;
let keyFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-age-'));
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

const PTY = join(import.meta.dirname, '..', 'helpers', 'age-pty.py');
const EDGES = [0, 1, 65535, 65536, 65537, 131072, 200_000];

describe('age interop', () => {
  it.each(EDGES)('%i bytes: ours opens with `age -d`, and `age -r` output opens with ours', async (size) => {
    const data = randomBytes(size);
    writeFileSync(join(dir, `ours-${size}.age`), await run(data, encryptor({ age_recipients: [recipient] })));
    expect(execFileSync('age', ['-d', '-i', keyFile, join(dir, `ours-${size}.age`)]).equals(data)).toBe(true);
    writeFileSync(join(dir, `plain-${size}`), data);
    const theirs = execFileSync('age', ['-r', recipient, join(dir, `plain-${size}`)]);
    expect((await run(theirs, decryptor(record(), { identities: [identity] }, 'theirs'))).equals(data)).toBe(true);
  });

  it('passphrase mode both ways with the age tool: ours opens with `age -d`, `age -p` output opens with ours', async () => {
    const passphrase = 'a-long-interop-passphrase-42';
    const data = randomBytes(150_000);
    writeFileSync(join(dir, 'p.age'), await run(data, encryptor({ passphrase, scrypt_work_factor: 12 })));
    execFileSync('python3', [PTY, passphrase, 'age', '-d', '-o', join(dir, 'p.out'), join(dir, 'p.age')], { timeout: 60_000 });
    expect(readFileSync(join(dir, 'p.out')).equals(data)).toBe(true);
    writeFileSync(join(dir, 'p.plain'), data);
    execFileSync('python3', [PTY, passphrase, 'age', '-p', '-o', join(dir, 'theirs-p.age'), join(dir, 'p.plain')], { timeout: 60_000 });
    const record: EncryptionRecord = { format: 'age', mode: 'passphrase', recipients: [] };
    const opened = await run(readFileSync(join(dir, 'theirs-p.age')), decryptor(record, { passphrase, identities: [] }, 'theirs-p'));
    expect(opened.equals(data)).toBe(true);
    const wrong = spawnSync('python3', [PTY, 'not-the-passphrase', 'age', '-d', '-o', join(dir, 'p.wrong'), join(dir, 'p.age')], { timeout: 60_000 });
    expect(wrong.status).not.toBe(0);
  });

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
