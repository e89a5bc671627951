/** A `type: s3` target's plan entry and traits: a bucket on AWS or any S3-protocol store. */
import { z } from 'zod';
import { retryFor, targetBase, type TargetTraits } from './target.js';

export const s3Config = z.strictObject({
  ...targetBase,
  type: z.literal('s3'),
  retry_for: retryFor,
  bucket: z.string().min(3),
  /** Keys are `<prefix><plan>/<backup id>/<file>`; `backups/` and `backups` mean the same. */
  prefix: z.string().optional(),
  endpoint: z.string().url().optional(),
  region: z.string().optional(),
  /** Bucket in the path (`https://host/bucket/key`), for MinIO and most self-hosted stores. */
  path_style: z.boolean().optional(),
  storage_class: z.string().optional(),
  /** From `${VAR}`; without them the SDK's standard chain (AWS_ACCESS_KEY_ID..., profiles, roles) is used. */
  access_key_id: z.string().optional(),
  secret_access_key: z.string().optional(),
  session_token: z.string().optional(),
  /** Objects are locked for `days` days on upload: the bucket must have Object Lock enabled. */
  object_lock: z.strictObject({ mode: z.enum(['GOVERNANCE', 'COMPLIANCE']), days: z.number().int().min(1) }).optional(),
});
export type S3Config = z.infer<typeof s3Config>;

/** Objects locked on upload: copies there are immutable, whatever the plan says of the target. */
export const objectLocked = (config: S3Config): boolean => config.object_lock !== undefined;

export const s3Traits: TargetTraits<S3Config> = { defaults: { medium: 'object', offsite: true, immutable: false }, implied: (config) => ({ immutable: objectLocked(config) }) };
