/**
 * The secret of an encrypted repository, `repo/keys/<id>` on each target,
 * sealed to the plan's age recipients or passphrase. Its JSON holds:
 *   id_key    32 random bytes (hex) that key blob ids (HMAC-SHA-256) and the
 *             chunker's gear table, so the target's reader cannot confirm a
 *             known file is stored;
 *   identity  (passphrase plans only) an age X25519 identity the repository's
 *             objects are sealed to: one scrypt per run to open this object,
 *             instead of one per pack.
 * In clear it lies only in this host's cache (owner-only). A backup in
 * recipients mode holds no identity, so it takes the secret from the cache;
 * on a host without it, it makes a new one: the repository then holds blobs
 * under two keys, which costs deduplication between them, never data
 * (every pack and snapshot names its key; restore opens each with the identity).
 */
import { randomBytes } from 'node:crypto';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { z } from 'zod';
import type { DecryptionKeys, EncryptionRecord, EncryptionSetting } from '../artifacts/encrypt.js';
import { IntegrityError } from '../errors.js';
import type { Target } from '../targets/target.js';
import type { IdKey } from './blob.js';
import type { Cache } from './cache.js';
import { repoKeys } from './format.js';
import { open, seal } from './seal.js';
import { putVerified, readAll } from './store.js';

const secretJson = z.object({ id_key: z.string().regex(/^[0-9a-f]{64}$/), identity: z.string().regex(/^AGE-SECRET-KEY-1[0-9A-Z]+$/).nullable() });

export interface RepoSecret {
  idKey: IdKey;
  /** Passphrase plans: the identity the repository's objects are sealed to. */
  identity: string | null;
  recipient: string | null;
}

async function fromJson(id: string, text: string): Promise<RepoSecret | undefined> {
  let parsed;
  try {
    parsed = secretJson.safeParse(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (!parsed.success) return undefined;
  const { id_key, identity } = parsed.data;
  return { idKey: { id, key: Buffer.from(id_key, 'hex') }, identity, recipient: identity ? await identityToRecipient(identity) : null };
}

const toJson = (s: RepoSecret) => JSON.stringify({ id_key: s.idKey.key.toString('hex'), identity: s.identity });

/** How repository objects are sealed for this plan. */
export function objectSealing(secret: RepoSecret, plan: EncryptionSetting): EncryptionSetting {
  return secret.recipient ? { age_recipients: [secret.recipient] } : plan;
}

/** What a manifest or index reader records about that sealing (public parts only). */
export function objectRecord(secret: RepoSecret | null, plan: EncryptionSetting): EncryptionRecord {
  const recipients = secret?.recipient ? [secret.recipient] : [...(plan.age_recipients ?? [])];
  return { format: 'age', mode: 'recipients', recipients };
}

/** Keys that open repository objects: the repository identity (passphrase plans) or the user's identities. */
export function objectKeys(secret: RepoSecret, userKeys: DecryptionKeys | null): DecryptionKeys | null {
  if (secret.identity) return { identities: [secret.identity] };
  return userKeys && userKeys.identities.length > 0 ? userKeys : null;
}

/** Picks the secret for a backup: one the cache has and a target holds, one a target holds that this run can open, or a new one. */
export async function chooseSecret(cache: Cache, held: Map<string, string[]>, targets: Target[], plan: string, setting: EncryptionSetting, userKeys: DecryptionKeys | null): Promise<RepoSecret> {
  const onAny = new Set([...held.values()].flat());
  for (const id of await cache.keyIds()) {
    const text = await cache.key(id);
    const secret = text && onAny.has(id) ? await fromJson(id, text) : undefined;
    if (secret) return secret;
  }
  if (userKeys) {
    for (const target of targets) {
      for (const id of held.get(target.name) ?? []) {
        const secret = await openSecret(target, plan, id, setting, userKeys).catch(() => undefined);
        if (secret) {
          await cache.saveKey(id, toJson(secret));
          return secret;
        }
      }
    }
  }
  const identity = setting.passphrase !== undefined ? await generateX25519Identity() : null;
  const secret: RepoSecret = { idKey: { id: randomBytes(16).toString('hex'), key: randomBytes(32) }, identity, recipient: identity ? await identityToRecipient(identity) : null };
  await cache.saveKey(secret.idKey.id, toJson(secret));
  return secret;
}

export async function storeSecret(target: Target, plan: string, secret: RepoSecret, setting: EncryptionSetting): Promise<void> {
  await putVerified(target, repoKeys.key(plan, secret.idKey.id), await seal(Buffer.from(toJson(secret)), setting));
}

/** Opens `repo/keys/<id>` with the plan's passphrase or the user's identities. */
export async function openSecret(target: Target, plan: string, id: string, setting: EncryptionSetting, keys: DecryptionKeys): Promise<RepoSecret> {
  const record: EncryptionRecord =
    setting.passphrase !== undefined ? { format: 'age', mode: 'passphrase', recipients: [] } : { format: 'age', mode: 'recipients', recipients: [...(setting.age_recipients ?? [])] };
  const plain = await open(await readAll(target, repoKeys.key(plan, id)), record, keys, `The repository key ${id}`);
  const secret = await fromJson(id, plain.toString('utf8'));
  if (!secret) throw new IntegrityError(`The repository key ${id} on target "${target.name}" is not one restorable wrote.`);
  return secret;
}
