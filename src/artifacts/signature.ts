/**
 * Signed manifests, in OpenSSH's SSHSIG format (PROTOCOL.sshsig), so anyone
 * can check one by hand with `ssh-keygen -Y verify`. A manifest holds every
 * artifact's sha256, so its signature covers the whole backup: without it,
 * anyone who can write to a target (and, with age recipients, anyone who has
 * the public key) can put in a consistent artifact + manifest pair.
 *
 * Ed25519 only, on node:crypto. The private key is an unencrypted OpenSSH key
 * (what `ssh-keygen -t ed25519 -N ''` writes) or PKCS#8 PEM, read from
 * RESTORABLE_SIGNING_KEY (the key itself, or the path of its file) at backup
 * time only; the plan pins the public key.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IntegrityError, UsageError, reason } from '../errors.js';
import type { Signing } from '../plan/schema.js';
import type { Secrets } from '../report/secrets.js';
import { KEY_TYPE, PassphraseProtected, Reader, fingerprint, parsePublicKey, readPrivateKey, str, u32, type PublicKey } from './ssh-keys.js';

export const SIGNATURE = 'manifest.json.sig';
export const NAMESPACE = 'restorable-manifest';
export const SIGNING_KEY_ENV = 'RESTORABLE_SIGNING_KEY';

const MAGIC = Buffer.from('SSHSIG');
const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';

/**
 * A manifest that a signing plan must refuse: `unsigned` (no signature beside
 * it) or `bad signature` (unreadable, another key, another namespace, or not matching
 * the bytes). An IntegrityError, so every command exits 5 and restore tries
 * the next copy.
 */
export class SignatureError extends IntegrityError {
  constructor(
    readonly state: 'unsigned' | 'bad signature',
    message: string,
  ) {
    super(message, {
      hint:
        state === 'unsigned'
          ? `The plan pins signing.public_key, and every backup it makes is signed: a manifest without ${SIGNATURE} was not written by it (or by a run before signing was set). Use a copy on another target (--target) or another backup (--backup).`
          : 'Someone may have changed or replaced this backup on the target. Do not restore it; use a copy that verifies (--target) or another backup (--backup), and check who can write to that target.',
    });
  }
}

export interface Signer {
  publicKey: PublicKey;
  /** The armored SSHSIG signature of `message`, as `ssh-keygen -Y sign -n restorable-manifest` writes it. */
  sign(message: Buffer): string;
}

/** What the key actually signs: the namespace and a hash of the message, never the message itself. */
function signedData(hashName: 'sha512' | 'sha256', message: Buffer): Buffer {
  const hash = createHash(hashName).update(message).digest();
  return Buffer.concat([MAGIC, str(NAMESPACE), str(''), str(hashName), str(hash)]);
}

/** The armored signature of `message` by `key` (whose public blob is `blob`). */
export function signWith(key: KeyObject, blob: Buffer, message: Buffer): string {
  const signature = Buffer.concat([str(KEY_TYPE), str(sign(null, signedData('sha512', message), key))]);
  const raw = Buffer.concat([MAGIC, u32(1), str(blob), str(NAMESPACE), str(''), str('sha512'), str(signature)]);
  const lines = raw.toString('base64').match(/.{1,70}/g)!;
  return `${[BEGIN, ...lines, END].join('\n')}\n`;
}

/**
 * The signer for a plan's `signing`, from RESTORABLE_SIGNING_KEY (the key, or
 * the path of its file). The key is registered as a secret before anything
 * could print it, and must be the one the plan pins.
 */
export function loadSigner(signing: Signing, env: NodeJS.ProcessEnv, secrets: Secrets): Signer {
  const pinned = parsePublicKey(signing.public_key);
  const value = env[SIGNING_KEY_ENV]?.trim();
  const hint = `Set ${SIGNING_KEY_ENV} to the private key whose public half is signing.public_key (the file ssh-keygen -t ed25519 wrote), or to the path of that file.`;
  if (!value) throw new UsageError(`The plan signs its manifests (signing.public_key ${pinned.fingerprint}), but ${SIGNING_KEY_ENV} is not set; nothing was backed up.`, { hint });
  let text = value;
  if (!value.includes('-----BEGIN')) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      throw new UsageError(`${SIGNING_KEY_ENV} names a key file that cannot be read: ${reason(error)}.`, { hint });
    }
  }
  // The key's lines, not its armor lines: those are no secret, and masking them would garble messages naming them.
  for (const line of text.split(/\r?\n/)) if (!line.startsWith('-----')) secrets.add(line.trim());
  let own: { key: KeyObject; blob: Buffer };
  try {
    own = readPrivateKey(text);
  } catch (error) {
    if (error instanceof PassphraseProtected) {
      throw new UsageError(`${SIGNING_KEY_ENV} holds a private key ${error.message}; restorable cannot ask for one.`, {
        hint: "Make an unencrypted copy for the backup job and keep it as a secret: cp KEY job.key && ssh-keygen -p -N '' -f job.key",
      });
    }
    throw new UsageError(`${SIGNING_KEY_ENV} does not hold a usable signing key: ${reason(error)}.`, { hint });
  }
  if (!own.blob.equals(pinned.blob)) {
    throw new UsageError(`${SIGNING_KEY_ENV} holds the key ${fingerprint(own.blob)}, but the plan pins ${pinned.fingerprint} (signing.public_key).`, {
      hint: 'Use the private key that belongs to the pinned public key, or pin the new public key (ssh-keygen -y -f KEY prints it).',
    });
  }
  return { publicKey: pinned, sign: (message) => signWith(own.key, own.blob, message) };
}

/** Why `armored` is not a valid signature of `message` by `pinned`, or undefined when it is. */
export function signatureProblem(message: Buffer, armored: string, pinned: PublicKey): string | undefined {
  try {
    const text = armored.trim();
    if (!text.startsWith(BEGIN) || !text.endsWith(END)) return `it is not an armored SSH signature (${BEGIN})`;
    const r = new Reader(Buffer.from(text.slice(BEGIN.length, -END.length).replace(/\s+/g, ''), 'base64'));
    if (!r.bytes(6).equals(MAGIC) || r.u32() !== 1) return 'it is not an SSHSIG version 1 signature';
    const blob = r.string();
    const namespace = r.text();
    r.string();
    const hashName = r.text();
    const sig = new Reader(r.string());
    if (!r.done) return 'it has bytes after its end';
    if (!blob.equals(pinned.blob)) return `it is signed by another key (${fingerprint(blob)}), not the plan's ${pinned.fingerprint}`;
    if (namespace !== NAMESPACE) return `it is signed for namespace "${namespace}", not "${NAMESPACE}"`;
    if (hashName !== 'sha512' && hashName !== 'sha256') return `it uses the hash ${hashName}`;
    if (sig.text() !== KEY_TYPE) return 'its signature is not ssh-ed25519';
    return verify(null, signedData(hashName, message), pinned.key, sig.string()) ? undefined : 'it does not match the manifest (the manifest was changed after it was signed)';
  } catch (error) {
    return `it cannot be read: ${reason(error)}`;
  }
}

/**
 * Throws a SignatureError naming the backup and target unless `armored` (the
 * stored manifest.json.sig, undefined when there is none) signs the exact
 * bytes of `manifest` with the plan's pinned key.
 */
export function checkManifestSignature(manifest: Buffer, armored: string | undefined, signing: Signing, where: { id: string; target: string }): void {
  const what = `The manifest of backup ${where.id} on target "${where.target}"`;
  if (armored === undefined) throw new SignatureError('unsigned', `${what} is not signed (no ${SIGNATURE}), and the plan requires signed manifests.`);
  const problem = signatureProblem(manifest, armored, parsePublicKey(signing.public_key));
  if (problem) throw new SignatureError('bad signature', `${what} has a bad signature: ${problem}.`);
}
