/**
 * Manifest signatures against the real OpenSSH: what restorable signs,
 * `ssh-keygen -Y verify` accepts, and what `ssh-keygen -Y sign` makes,
 * restorable accepts; anything else is refused with a reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBackups, putManifest, readManifest } from '../../src/artifacts/catalog.js';
import { NAMESPACE, SignatureError, checkManifestSignature, loadSigner, signatureProblem } from '../../src/artifacts/signature.js';
import { fingerprint, parsePublicKey } from '../../src/artifacts/ssh-keys.js';
import { ExitCode, UsageError } from '../../src/errors.js';
import { Secrets } from '../../src/report/secrets.js';
import { createTarget } from '../../src/targets/index.js';
import type { Target } from '../../src/targets/target.js';

let dir: string;
const keygen = (...args: string[]) => execFileSync('ssh-keygen', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const newKey = (name: string, passphrase = '') => {
  keygen('-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', join(dir, name));
  return { path: join(dir, name), private: readFileSync(join(dir, name), 'utf8'), public: readFileSync(join(dir, `${name}.pub`), 'utf8').trim() };
};
let main: ReturnType<typeof newKey>;
let other: ReturnType<typeof newKey>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-sig-'));
  main = newKey('main');
  other = newKey('other');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = Buffer.from('{\n  "format": 1,\n  "sha256": "ab\u00e9"\n}\n');
const where = { id: '20261202T041100Z', target: 'nas' };

/** Runs the check a user runs by hand (README): ssh-keygen -Y verify with an allowed_signers file. */
function sshVerify(publicKey: string, signature: string, data: Buffer) {
  writeFileSync(join(dir, 'allowed_signers'), `restorable ${publicKey}\n`);
  writeFileSync(join(dir, 'manifest.json.sig'), signature);
  return spawnSync('ssh-keygen', ['-Y', 'verify', '-f', join(dir, 'allowed_signers'), '-I', 'restorable', '-n', NAMESPACE, '-s', join(dir, 'manifest.json.sig')], { input: data, encoding: 'utf8' });
}

function sshSign(keyPath: string, data: Buffer, namespace = NAMESPACE): string {
  writeFileSync(join(dir, 'msg'), data);
  rmSync(join(dir, 'msg.sig'), { force: true });
  keygen('-Y', 'sign', '-n', namespace, '-f', keyPath, join(dir, 'msg'));
  return readFileSync(join(dir, 'msg.sig'), 'utf8');
}

const refusal = (armored: string | undefined, data = message, key = main.public): SignatureError => {
  try {
    checkManifestSignature(data, armored, { public_key: key }, where);
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as SignatureError).exitCode).toBe(ExitCode.integrity);
    return error as SignatureError;
  }
  throw new Error('the signature was accepted');
};

describe('SSHSIG signatures', () => {
  it('restorable signs what ssh-keygen -Y verify accepts, and only for those bytes', () => {
    const signer = loadSigner({ public_key: main.public }, { RESTORABLE_SIGNING_KEY: main.private }, new Secrets());
    const signature = signer.sign(message);
    const good = sshVerify(main.public, signature, message);
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toContain(`Good "${NAMESPACE}" signature for restorable with ED25519 key ${signer.publicKey.fingerprint}`);
    expect(sshVerify(main.public, signature, Buffer.concat([message, Buffer.from(' ')])).status).not.toBe(0);
    expect(sshVerify(other.public, signature, message).status).not.toBe(0);
    // And our own check agrees.
    expect(() => checkManifestSignature(message, signature, { public_key: main.public }, where)).not.toThrow();
  });

  it('the fingerprint is the one ssh-keygen -l prints', () => {
    expect(keygen('-l', '-f', `${main.path}.pub`)).toContain(parsePublicKey(main.public).fingerprint);
    expect(fingerprint(parsePublicKey(other.public).blob)).not.toBe(parsePublicKey(main.public).fingerprint);
  });

  it('accepts what ssh-keygen -Y sign makes, and refuses it for other bytes, another key or namespace', () => {
    const signature = sshSign(main.path, message);
    expect(signatureProblem(message, signature, parsePublicKey(main.public))).toBeUndefined();
    expect(refusal(signature, Buffer.from(message.toString().replace('1', '2'))).message).toMatch(
      /^The manifest of backup 20261202T041100Z on target "nas" has a bad signature: it does not match the manifest/,
    );
    const foreign = refusal(sshSign(other.path, message));
    expect(foreign.state).toBe('bad signature');
    expect(foreign.message).toContain(`it is signed by another key (${parsePublicKey(other.public).fingerprint})`);
    expect(refusal(sshSign(main.path, message, 'file')).message).toContain('it is signed for namespace "file", not "restorable-manifest"');
  });

  it('a missing or unreadable signature is refused, never a crash', () => {
    const missing = refusal(undefined);
    expect(missing.state).toBe('unsigned');
    expect(missing.message).toBe('The manifest of backup 20261202T041100Z on target "nas" is not signed (no manifest.json.sig), and the plan requires signed manifests.');
    expect(refusal('hello').message).toContain('it is not an armored SSH signature');
    const good = loadSigner({ public_key: main.public }, { RESTORABLE_SIGNING_KEY: main.private }, new Secrets()).sign(message);
    const lines = good.split('\n');
    expect(refusal([lines[0], lines[1], lines.at(-2)].join('\n')).message).toMatch(/it cannot be read: it is truncated|not an SSHSIG/);
    const flipped = good.replace(/^(-----BEGIN SSH SIGNATURE-----\n.{40})(.)/, (_m, head: string, c: string) => head + (c === 'A' ? 'B' : 'A'));
    expect(refusal(flipped).state).toBe('bad signature');
  });
});

describe('the signing key', () => {
  const usage = (fn: () => unknown): UsageError => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(ExitCode.invalid);
      return error as UsageError;
    }
    throw new Error('no error');
  };

  it('is read from the variable or from the file it names, and registered as a secret', () => {
    const secrets = new Secrets();
    const byPath = loadSigner({ public_key: main.public }, { RESTORABLE_SIGNING_KEY: main.path }, secrets);
    expect(sshVerify(main.public, byPath.sign(message), message).status).toBe(0);
    const bodyLine = main.private.split('\n')[1]!;
    expect(secrets.list()).toContain(bodyLine);
  });

  it('a PKCS#8 Ed25519 key works as well', () => {
    const pair = generateKeyPairSync('ed25519');
    const x = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), x]);
    const line = `ssh-ed25519 ${blob.toString('base64')} pkcs8`;
    const signer = loadSigner({ public_key: line }, { RESTORABLE_SIGNING_KEY: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string }, new Secrets());
    expect(sshVerify(line, signer.sign(message), message).status).toBe(0);
  });

  it('unset, encrypted, another key or not a key: a usage error that says so', () => {
    const pin = { public_key: main.public };
    expect(usage(() => loadSigner(pin, {}, new Secrets())).message).toMatch(/RESTORABLE_SIGNING_KEY is not set; nothing was backed up/);
    const locked = newKey('locked', 'a passphrase here');
    const encrypted = usage(() => loadSigner({ public_key: locked.public }, { RESTORABLE_SIGNING_KEY: locked.private }, new Secrets()));
    expect(encrypted.message).toMatch(/protected by a passphrase/);
    expect(encrypted.hint).toContain("ssh-keygen -p -N ''");
    expect(usage(() => loadSigner(pin, { RESTORABLE_SIGNING_KEY: other.private }, new Secrets())).message).toContain(
      `holds the key ${parsePublicKey(other.public).fingerprint}, but the plan pins ${parsePublicKey(main.public).fingerprint}`,
    );
    expect(usage(() => loadSigner(pin, { RESTORABLE_SIGNING_KEY: join(dir, 'nope') }, new Secrets())).message).toMatch(/names a key file that cannot be read/);
    expect(usage(() => loadSigner(pin, { RESTORABLE_SIGNING_KEY: main.public }, new Secrets())).message).toMatch(/names a key file that cannot be read|does not hold a usable signing key/);
  });

  it('only ssh-ed25519 public keys are pinned', () => {
    keygen('-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', join(dir, 'rsa'));
    expect(() => parsePublicKey(readFileSync(join(dir, 'rsa.pub'), 'utf8'))).toThrow(/ssh-ed25519/);
    expect(() => parsePublicKey(`${main.public.slice(0, 40)}`)).toThrow();
  });
});

describe('committing a signed manifest (catalog.putManifest) on a real local target', () => {
  /** The local target, with every put and remove recorded; `failOn` makes one put fail as a crash there would. */
  function recorded(failOn?: string) {
    const target = createTarget({ name: 'disk', type: 'local', path: join(dir, 'store') }, { planDir: dir });
    const calls: string[] = [];
    const wrapped: Target = Object.assign(Object.create(target) as Target, {
      put: async (key: string, body: Readable) => {
        calls.push(`put ${key.split('/').pop()}`);
        if (failOn && key.endsWith(`/${failOn}`)) throw new Error('cut short');
        return target.put(key, body);
      },
      remove: async (keys: readonly string[]) => {
        calls.push(...keys.map((k) => `remove ${k.split('/').pop()}`));
        return target.remove(keys);
      },
    });
    return { target: wrapped, calls };
  }
  const id = '20261202T041100Z-abc123';
  const signing = () => ({ public_key: main.public });
  const signer = () => loadSigner(signing(), { RESTORABLE_SIGNING_KEY: main.private }, new Secrets());

  it('writes the signature first, then the manifest, and reads back only the signed bytes', async () => {
    rmSync(join(dir, 'store'), { recursive: true, force: true });
    const { target, calls } = recorded();
    const body = Buffer.from(`${JSON.stringify({ backup_id: id })}\n`);
    await putManifest(target, 'app', id, body, signer().sign(body));
    expect(calls).toEqual(['remove manifest.json', 'put manifest.json.sig', 'put manifest.json']);
    expect(sshVerify(main.public, readFileSync(join(dir, 'store', 'app', id, 'manifest.json.sig'), 'utf8'), readFileSync(join(dir, 'store', 'app', id, 'manifest.json'))).status).toBe(0);
    // The schema refuses this toy manifest, but only after the signature passed: a damaged manifest, not a bad signature.
    await expect(readManifest(target, 'app', id, signing())).rejects.toThrow(/is damaged/);
  });

  it('a replacement cut short after its signature leaves an incomplete backup, never a listed manifest with the wrong signature', async () => {
    rmSync(join(dir, 'store'), { recursive: true, force: true });
    const first = Buffer.from('{"copies": 3}\n');
    await putManifest(recorded().target, 'app', id, first, signer().sign(first));
    expect((await listBackups(recorded().target, 'app'))[0]!.complete).toBe(true);
    const { target } = recorded('manifest.json');
    const second = Buffer.from('{"copies": 2}\n');
    await expect(putManifest(target, 'app', id, second, signer().sign(second))).rejects.toThrow('cut short');
    expect((await listBackups(target, 'app'))[0]!.complete).toBe(false);
  });

  it('a signature that fails to land leaves no manifest; a plan without signing writes the manifest alone', async () => {
    rmSync(join(dir, 'store'), { recursive: true, force: true });
    const body = Buffer.from('{}\n');
    await expect(putManifest(recorded('manifest.json.sig').target, 'app', id, body, signer().sign(body))).rejects.toThrow('cut short');
    expect(existsSync(join(dir, 'store', 'app', id, 'manifest.json'))).toBe(false);
    const plain = recorded();
    await putManifest(plain.target, 'app', id, body);
    expect(plain.calls).toEqual(['put manifest.json']);
    await expect(readManifest(plain.target, 'app', id, signing())).rejects.toThrow(/is not signed \(no manifest\.json\.sig\)/);
  });
});
