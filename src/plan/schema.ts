/**
 * The version-1 plan, as zod schemas. This file is the single source of truth:
 * types come from z.infer, defaults are applied here, and
 * schemas/restorable.schema.json is generated from it (scripts/build.mjs).
 * Source and target fields live beside their adapters (src/sources/*-config.ts,
 * src/targets/*-config.ts), apart from the adapters' code.
 */
import { z } from 'zod';
import { metricsConfig, notifierConfig } from '../notify/config.js';
import { sourceConfig, sourceName } from '../sources/configs.js';
import { targetConfig } from '../targets/configs.js';
import { calendarSpan, clockDuration } from '../util/duration.js';
import { objectivesConfig } from '../status/objectives.js';

const argv = z
  .array(z.string().min(1))
  .min(1, { error: 'expected a command as an argument array, e.g. ["./scripts/check.sh", "--quick"]' });

const appVersionFrom = z.union([
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }),
  z.strictObject({ file: z.string().min(1), key: z.string().min(1) }),
  z.strictObject({ command: argv }),
  /** The app's own answer over HTTP: the body, or a key of its JSON (a list of keys is joined by dots: [major, minor, patch]). */
  z.strictObject({
    http: z.strictObject({ url: z.url({ protocol: /^https?$/ }), json: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional() }),
  }),
]);

const app = z
  .strictObject({
    version: z.union([z.string().min(1), z.number().transform(String)]).optional(),
    version_from: appVersionFrom.optional(),
  })
  .refine((a) => !(a.version !== undefined && a.version_from !== undefined), {
    error: 'give either app.version or app.version_from, not both',
  });

const counts = z.strictObject({
  copies: z.int().min(1).max(20),
  media: z.int().min(1).max(10),
  offsite: z.int().min(0).max(20),
  immutable: z.int().min(0).max(20).default(0),
});

const policy = z.strictObject({
  rule: z.union([z.enum(['3-2-1', '3-2-1-1-0']), counts]).default('3-2-1'),
});

const compression = z
  .strictObject({
    algorithm: z.enum(['zstd', 'gzip', 'none']).default('zstd'),
    level: z.int().min(1).max(19).optional(),
  })
  .refine((c) => !(c.algorithm === 'gzip' && c.level !== undefined && c.level > 9), {
    error: 'gzip levels go from 1 to 9',
    path: ['level'],
  });

/**
 * age recipients (public keys, safe to commit) or a passphrase from ${VAR}
 * (scrypt). The identity is never in the plan: restores read it from
 * RESTORABLE_AGE_IDENTITY.
 */
const encryption = z
  .strictObject({
    age_recipients: z
      .array(z.string().regex(/^age1[0-9a-z]+$/, { error: 'expected an age public key (age1...), as printed by age-keygen -y' }))
      .min(1)
      .optional(),
    passphrase: z.string().min(1).optional(),
    scrypt_work_factor: z.int().min(10).max(22).optional(),
  })
  .refine((e) => (e.age_recipients === undefined) !== (e.passphrase === undefined), {
    error: 'give either age_recipients or passphrase, not both',
  })
  .refine((e) => e.scrypt_work_factor === undefined || e.passphrase !== undefined, {
    error: 'scrypt_work_factor applies to passphrase mode only',
    path: ['scrypt_work_factor'],
  });

/**
 * Signed manifests (src/artifacts/signature.ts): the public key is pinned here
 * (safe to commit); the private key is read at backup time only, from
 * RESTORABLE_SIGNING_KEY, so verify and restore need no secret.
 */
const signing = z.strictObject({
  public_key: z
    .string()
    .regex(/^\s*ssh-ed25519\s+[A-Za-z0-9+/]+={0,2}(\s.*)?$/, { error: 'expected an ssh-ed25519 public key line, as in the .pub file ssh-keygen -t ed25519 writes' }),
});

/** Locks against concurrent runs of one plan (see src/pipeline/lock.ts). */
const locks = z.strictObject({ stale_after: clockDuration.prefault('6h') });

const keep = z.int().min(0);
const retention = z.strictObject({
  keep_last: keep.optional(),
  keep_hourly: keep.optional(),
  keep_daily: keep.optional(),
  keep_weekly: keep.optional(),
  keep_monthly: keep.optional(),
  keep_yearly: keep.optional(),
  keep_within: calendarSpan.optional(),
});

const cron = z
  .string()
  .regex(/^\s*(\S+\s+){4}\S+\s*$/, { error: 'expected a cron expression of five fields, e.g. "0 2 * * *"' });

const schedule = z.strictObject({ backup: cron.optional(), drill: cron.optional(), watch: cron.optional() });

const expectation = z.union([
  z.strictObject({ equals: z.union([z.string(), z.number(), z.boolean()]) }),
  z
    .strictObject({ min: z.number().optional(), max: z.number().optional() })
    .refine((e) => e.min !== undefined || e.max !== undefined, { error: 'expected min, max or both' }),
  z.strictObject({ contains: z.string() }),
  /** Reference check: every path the query returns (one per row) is a file in the restored files source `in`. */
  z.strictObject({ files_exist: z.strictObject({ in: sourceName, strip_prefix: z.string().min(1).optional() }) }),
]);

const checkBase = {
  name: z.string().min(1),
  retries: z.int().min(0).max(100).default(0),
  interval: clockDuration.prefault('2s'),
  timeout: clockDuration.prefault('30s'),
};

const sqlCheck = z.strictObject({ ...checkBase, source: sourceName, sql: z.string().min(1), expect: expectation });
const httpCheck = z.strictObject({
  ...checkBase,
  http: z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    status: z.int().min(100).max(599).default(200),
    contains: z.string().optional(),
  }),
});
const commandCheck = z.strictObject({ ...checkBase, command: argv });

export const healthCheck = z.union([sqlCheck, httpCheck, commandCheck]);

const hook = z.strictObject({ command: argv, timeout: clockDuration.prefault('5m') });
const hooks = z.strictObject({
  pre_backup: z.array(hook).default([]),
  post_backup: z.array(hook).default([]),
  pre_restore: z.array(hook).default([]),
  post_restore: z.array(hook).default([]),
});

export const planSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1, { error: 'expected version: 1 (the only plan format so far)' }),
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'expected a name of a-z, 0-9 and - (it names the folder on every target)' }),
  app: app.optional(),
  sources: z.array(sourceConfig).min(1, { error: 'a plan needs at least one source' }),
  targets: z.array(targetConfig).min(1, { error: 'a plan needs at least one target' }),
  policy: policy.default({ rule: '3-2-1' }),
  compression: compression.default({ algorithm: 'zstd' }),
  encryption: encryption.optional(),
  signing: signing.optional(),
  locks: locks.prefault({}),
  retention: retention.optional(),
  schedule: schedule.optional(),
  restore: z
    .strictObject({
      healthchecks: z.array(healthCheck).default([]),
      /** restore warns when restore points take more of their disk than this (each restore keeps a whole copy of what it replaced). */
      restore_points_share: z.string().regex(/^(100|\d{1,2}(\.\d+)?)%$/, { error: 'a share of the disk such as "10%"' }).default('10%'),
    })
    .default({ healthchecks: [], restore_points_share: '10%' }),
  hooks: hooks.default({ pre_backup: [], post_backup: [], pre_restore: [], post_restore: [] }),
  /** Monitoring (src/notify/): where outcomes are sent, where metrics are pushed. */
  notify: z.array(notifierConfig).default([]),
  metrics: metricsConfig.optional(),
  objectives: objectivesConfig.optional(),
});

export type Plan = z.infer<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;
export type HealthCheck = z.infer<typeof healthCheck>;
export type Hook = z.infer<typeof hook>;
export type Retention = z.infer<typeof retention>;
export type PolicyRule = z.infer<typeof policy>['rule'];
export type Compression = z.infer<typeof compression>;
export type Encryption = z.infer<typeof encryption>;
export type Signing = z.infer<typeof signing>;
export type AppVersionFrom = z.infer<typeof appVersionFrom>;
