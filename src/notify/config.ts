/**
 * `notify:` in the plan: where a run's outcome is sent. Each notifier names the
 * events it wants; URLs, tokens and passwords come from `${VAR}` (and are then
 * masked like every other value read that way). A notifier never changes a
 * run's exit code: see dispatch.ts.
 */
import { z } from 'zod';
import { clockDuration } from '../util/duration.js';

/**
 * What happened, one event per run (the most specific applies):
 * - success: the command did what it was asked;
 * - failure: it failed for any reason not named below;
 * - policy-not-met: a backup was committed but short of the copy rule (exit 3);
 * - drill-failed: a drill's restore or health checks failed;
 * - stale: `status` found an objective missed (RPO, RTO, drill age);
 * - recovered: a success after the previous run of the same command failed
 *   (known from the local state file, see state.ts), sent instead of success.
 */
export const EVENTS = ['failure', 'success', 'policy-not-met', 'drill-failed', 'stale', 'recovered'] as const;
export const notifyEvent = z.enum(EVENTS);
export type NotifyEvent = z.infer<typeof notifyEvent>;

/** By default a notifier speaks up when something needs a person: every event but plain success. */
export const DEFAULT_EVENTS: NotifyEvent[] = ['failure', 'policy-not-met', 'drill-failed', 'stale', 'recovered'];

/** The commands whose outcome is worth telling anyone about; validate, plan, list and friends are not. */
export const NOTIFYING_COMMANDS = ['backup', 'drill', 'restore', 'verify', 'prune', 'status'] as const;

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL (write secrets in it as ${VAR})' });
const argv = z.array(z.string().min(1)).min(1, { error: 'expected a command as an argument array, e.g. ["./scripts/notify.sh"]' });

const base = {
  /** Names the notifier in warnings; defaults to its type and position. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/).optional(),
  on: z.array(notifyEvent).min(1).default(DEFAULT_EVENTS),
  timeout: clockDuration.prefault('10s'),
};

/** The body shapes of the common services, each as its documented API takes it (bodies.ts). */
export const webhookFormat = z.enum(['json', 'slack', 'discord', 'gotify', 'ntfy', 'teams']);
export type WebhookFormat = z.infer<typeof webhookFormat>;

const webhook = z.strictObject({
  ...base,
  type: z.literal('webhook'),
  url: httpUrl,
  format: webhookFormat.default('json'),
  /** Extra request headers, e.g. {Authorization: "Bearer ${NTFY_TOKEN}"}. */
  headers: z.record(z.string().min(1), z.string()).default({}),
});

/**
 * A healthchecks-style ping: `url` is the check's ping URL (success), with
 * `/start` and `/fail` appended as healthchecks.io takes them; or give
 * `start`, `success`, `fail` URLs one by one (Uptime Kuma's push monitor:
 * `...?status=up` and `...?status=down`). It fires on every run of `commands`
 * (start when the command starts, then success or fail), not by events: a
 * monitor that stops hearing from a job is what notices a job that never ran.
 */
const ping = z
  .strictObject({
    name: base.name,
    timeout: base.timeout,
    type: z.literal('ping'),
    url: httpUrl.optional(),
    start: httpUrl.optional(),
    success: httpUrl.optional(),
    fail: httpUrl.optional(),
    method: z.enum(['post', 'get']).default('post'),
    commands: z.array(z.enum(NOTIFYING_COMMANDS)).min(1).default(['backup']),
  })
  .refine((p) => p.url !== undefined || p.success !== undefined || p.fail !== undefined, { error: 'give url (healthchecks.io style) or success/fail URLs' });

/** Mail over SMTP (nodemailer): TLS from the first byte (port 465), STARTTLS (required, port 587), or none (a relay on localhost). */
const email = z.strictObject({
  ...base,
  type: z.literal('email'),
  smtp: z.strictObject({
    host: z.string().min(1),
    port: z.int().min(1).max(65535).optional(),
    security: z.enum(['tls', 'starttls', 'none']).default('starttls'),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** A PEM file of the CA that signed the server's certificate (a private CA); relative to the plan. */
    ca_file: z.string().min(1).optional(),
  }),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).min(1),
});

/** A command (argument array, never a shell), told the outcome in RESTORABLE_* environment variables. */
const command = z.strictObject({ ...base, type: z.literal('command'), command: argv });

export const notifierConfig = z.discriminatedUnion('type', [webhook, ping, email, command]);
export type NotifierConfig = z.infer<typeof notifierConfig>;
export type WebhookConfig = z.infer<typeof webhook>;
export type PingConfig = z.infer<typeof ping>;
export type EmailConfig = z.infer<typeof email>;
export type CommandNotifierConfig = z.infer<typeof command>;

/** `metrics:` in the plan: a Pushgateway that receives the metrics after every command (grouped by plan and instance). */
export const metricsConfig = z.strictObject({
  pushgateway: httpUrl.optional(),
  /** The `job` of the push; default `restorable`. */
  job: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_-]*$/).default('restorable'),
  /** The `instance` of the push; default the host name. */
  instance: z.string().min(1).optional(),
});
export type MetricsConfig = z.infer<typeof metricsConfig>;
