/**
 * OpenSSH Ed25519 keys: the public key line (`ssh-ed25519 AAAA... comment`),
 * the unencrypted `openssh-key-v1` private key file `ssh-keygen -t ed25519`
 * writes (or PKCS#8 PEM), and the SSH wire format both use (PROTOCOL.key,
 * RFC 4251 strings), as node:crypto KeyObjects.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export const KEY_TYPE = 'ssh-ed25519';

/** A private key that needs a passphrase, which a scheduled backup cannot type. */
export class PassphraseProtected extends Error {
  constructor(readonly cipher: string) {
    super(`it is protected by a passphrase (${cipher})`);
  }
}

/** SSH wire format: uint32 lengths before strings. */
export class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  bytes(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new Error('it is truncated');
    return this.buf.subarray(this.at, (this.at += n));
  }
  u32(): number {
    return this.bytes(4).readUInt32BE(0);
  }
  string(): Buffer {
    return this.bytes(this.u32());
  }
  text(): string {
    return this.string().toString('latin1');
  }
  get done(): boolean {
    return this.at === this.buf.length;
  }
}

export const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
export const str = (value: Buffer | string) => {
  const b = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([u32(b.length), b]);
};
const b64url = (b: Buffer) => b.toString('base64url');

/** The key's SHA256 fingerprint, as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export interface PublicKey {
  /** The SSH wire encoding (string "ssh-ed25519", string key). */
  blob: Buffer;
  key: KeyObject;
  fingerprint: string;
}

function ed25519Blob(raw: Buffer): Buffer {
  return Buffer.concat([str(KEY_TYPE), str(raw)]);
}

function publicFromBlob(blob: Buffer): PublicKey {
  const reader = new Reader(blob);
  const type = reader.text();
  if (type !== KEY_TYPE) throw new Error(/^[a-z0-9@.-]+$/.test(type) ? `it is a ${type} key; restorable signs with ssh-ed25519 keys only` : 'it is not a well-formed ssh-ed25519 key');
  const raw = reader.string();
  if (raw.length !== 32 || !reader.done) throw new Error('it is not a well-formed ssh-ed25519 key');
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) }, format: 'jwk' });
  return { blob, key, fingerprint: fingerprint(blob) };
}

/** Parses an OpenSSH public key line (`ssh-ed25519 AAAA... comment`); throws an Error saying what is wrong. */
export function parsePublicKey(line: string): PublicKey {
  const [type, data] = line.trim().split(/\s+/);
  if (type !== KEY_TYPE || !data) throw new Error('expected an OpenSSH public key line: ssh-ed25519 AAAA... (the .pub file ssh-keygen writes)');
  const blob = Buffer.from(data, 'base64');
  if (blob.toString('base64').replace(/=+$/, '') !== data.replace(/=+$/, '')) throw new Error('its base64 part is damaged');
  return publicFromBlob(blob);
}

/** The private key in an unencrypted `openssh-key-v1` file. */
function openSshPrivate(text: string): { key: KeyObject; blob: Buffer } {
  const body = text.replace(/-----(BEGIN|END) OPENSSH PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  const r = new Reader(Buffer.from(body, 'base64'));
  if (r.bytes(15).toString('latin1') !== 'openssh-key-v1\0') throw new Error('it is not an OpenSSH private key');
  const cipher = r.text();
  const kdf = r.text();
  r.string();
  if (cipher !== 'none' || kdf !== 'none') {
    throw new PassphraseProtected(cipher);
  }
  if (r.u32() !== 1) throw new Error('it holds more than one key');
  const blob = r.string();
  const p = new Reader(r.string());
  if (p.u32() !== p.u32()) throw new Error('its check numbers differ (a damaged key)');
  const type = p.text();
  if (type !== KEY_TYPE) throw new Error(`it is a ${type} key; restorable signs with ssh-ed25519 keys only`);
  const pub = p.string();
  const secret = p.string();
  if (pub.length !== 32 || secret.length !== 64) throw new Error('it is not a well-formed ssh-ed25519 key');
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(secret.subarray(0, 32)), x: b64url(pub) }, format: 'jwk' });
  return { key, blob };
}

export function readPrivateKey(text: string): { key: KeyObject; blob: Buffer } {
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) return openSshPrivate(text);
  if (text.includes('-----BEGIN PRIVATE KEY-----')) {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${key.asymmetricKeyType} key; restorable signs with Ed25519 keys only`);
    const jwk = createPublicKey(key).export({ format: 'jwk' });
    return { key, blob: ed25519Blob(Buffer.from(jwk.x!, 'base64url')) };
  }
  if (/ENCRYPTED PRIVATE KEY/.test(text)) throw new PassphraseProtected('PKCS#8');
  throw new Error('expected an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----, from ssh-keygen -t ed25519)');
}
