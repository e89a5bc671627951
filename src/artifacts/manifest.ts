/**
 * manifest.json: what a backup holds and how to prove it. It is written last,
 * to each target only after that target's copies were re-read and verified:
 * a backup folder without a manifest does not exist for list, restore or
 * prune. It never holds a secret (no URL, no credential, no environment).
 */
import { z } from 'zod';
import { medium } from '../targets/target.js';

export const MANIFEST = 'manifest.json';
export const DRILL = 'drill.json';

const requirement = z.object({ copies: z.number(), media: z.number(), offsite: z.number(), immutable: z.number() });

export const sourceEntry = z.object({
  name: z.string(),
  type: z.string(),
  kind: z.enum(['database', 'files']),
  /**
   * Absent: the artifact holds the snapshot itself (a database file, a dump,
   * a tar). repository: the artifact is a snapshot object naming blobs in the
   * target's repository (`<plan>/repo/`, docs/repository.md).
   */
  storage: z.literal('repository').optional(),
  /** `client`: the tool that read the engine when it is not the engine itself, e.g. `pg_dump 15.18`. */
  engine: z.object({ name: z.string(), version: z.string(), client: z.string().optional() }).nullable(),
  method: z.string(),
  schema_version: z.string().nullable(),
  artifact: z.object({
    file: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /**
     * Bytes of the snapshot itself (decompressed, decrypted): what a restore
     * writes. A restore checks for that much room before it starts, and stops
     * a stream that decodes to more. Absent in manifests written before it was
     * recorded; those restore without either check.
     */
    decoded_bytes: z.number().int().nonnegative().optional(),
    compression: z.object({ algorithm: z.enum(['zstd', 'gzip', 'none']), level: z.number().nullable() }),
    /** The public side only: age recipients (public keys) or the passphrase mode, never a key. */
    encryption: z
      .object({ format: z.literal('age'), mode: z.enum(['recipients', 'passphrase']), recipients: z.array(z.string().regex(/^age1[0-9a-z]+$/)) })
      .nullable(),
  }),
  counts: z.record(z.string(), z.number()),
  duration_ms: z.number(),
});

export const manifestSchema = z.object({
  format: z.literal(1),
  tool: z.object({ name: z.literal('restorable'), version: z.string() }),
  plan: z.object({ name: z.string(), sha256: z.string() }),
  backup_id: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  app_version: z.string().nullable(),
  trigger: z.string(),
  host: z.string(),
  github: z
    .object({ repository: z.string(), sha: z.string(), ref: z.string(), workflow: z.string(), run_id: z.string(), run_attempt: z.string() })
    .nullable(),
  sources: z.array(sourceEntry).min(1),
  copies: z.array(
    z.object({
      target: z.string(),
      type: z.string(),
      medium,
      offsite: z.boolean(),
      immutable: z.boolean(),
      verified_at: z.string(),
      /** False for a tier that is never counted by the copy rule (the GitHub cache). */
      counted: z.boolean().optional(),
      /** When the store deletes this copy by itself (GitHub artifacts); it counts only until then. */
      expires_at: z.string().nullable().optional(),
    }),
  ),
  policy: z.object({ rule: z.string(), met: z.boolean(), required: requirement, have: requirement }),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type SourceEntry = z.infer<typeof sourceEntry>;

export const drillSchema = z.object({
  backup_id: z.string(),
  at: z.string(),
  ok: z.boolean(),
  target: z.string(),
  duration_ms: z.number(),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), ms: z.number(), detail: z.string() })),
});
export type DrillRecord = z.infer<typeof drillSchema>;
