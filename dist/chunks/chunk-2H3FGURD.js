import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  external_exports
} from "./chunk-QVOAAX5T.js";

// src/util/duration.ts
var clock = /^(\d+)(ms|s|m|h)$/;
var unitMs = { ms: 1, s: 1e3, m: 6e4, h: 36e5 };
function parseClockDuration(text) {
  const match = clock.exec(text.trim());
  if (!match) return void 0;
  return Number(match[1]) * unitMs[match[2]];
}
var clockDuration = external_exports.string().regex(clock, { error: "expected a duration such as 500ms, 3s, 2m or 1h" }).transform((text) => parseClockDuration(text));
var calendar = /^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?$/;
function parseCalendarSpan(text) {
  const match = calendar.exec(text.trim());
  if (!match || text.trim() === "") return void 0;
  const [, y, m, w, d, h] = match.map((part) => Number(part ?? 0));
  return { years: y, months: m, days: d + 7 * w, hours: h };
}
var calendarSpan = external_exports.string().regex(calendar, { error: "expected a span such as 14d, 6m (months), 1y or 2y6m" }).refine((text) => text.trim() !== "", { error: "expected a span such as 14d, 6m (months), 1y or 2y6m" });
function subtractSpan(from, span) {
  const d = new Date(from.getTime());
  d.setUTCFullYear(d.getUTCFullYear() - span.years, d.getUTCMonth() - span.months, d.getUTCDate() - span.days);
  d.setUTCHours(d.getUTCHours() - span.hours);
  return d;
}

// src/notify/config.ts
var EVENTS = ["failure", "success", "policy-not-met", "drill-failed", "stale", "recovered"];
var notifyEvent = external_exports.enum(EVENTS);
var DEFAULT_EVENTS = ["failure", "policy-not-met", "drill-failed", "stale", "recovered"];
var NOTIFYING_COMMANDS = ["backup", "drill", "restore", "verify", "prune", "status"];
var httpUrl = external_exports.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL (write secrets in it as ${VAR})" });
var argv = external_exports.array(external_exports.string().min(1)).min(1, { error: 'expected a command as an argument array, e.g. ["./scripts/notify.sh"]' });
var base = {
  /** Names the notifier in warnings; defaults to its type and position. */
  name: external_exports.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/).optional(),
  on: external_exports.array(notifyEvent).min(1).default(DEFAULT_EVENTS),
  timeout: clockDuration.prefault("10s")
};
var webhookFormat = external_exports.enum(["json", "slack", "discord", "gotify", "ntfy", "teams"]);
var webhook = external_exports.strictObject({
  ...base,
  type: external_exports.literal("webhook"),
  url: httpUrl,
  format: webhookFormat.default("json"),
  /** Extra request headers, e.g. {Authorization: "Bearer ${NTFY_TOKEN}"}. */
  headers: external_exports.record(external_exports.string().min(1), external_exports.string()).default({})
});
var ping = external_exports.strictObject({
  name: base.name,
  timeout: base.timeout,
  type: external_exports.literal("ping"),
  url: httpUrl.optional(),
  start: httpUrl.optional(),
  success: httpUrl.optional(),
  fail: httpUrl.optional(),
  method: external_exports.enum(["post", "get"]).default("post"),
  commands: external_exports.array(external_exports.enum(NOTIFYING_COMMANDS)).min(1).default(["backup"])
}).refine((p) => p.url !== void 0 || p.success !== void 0 || p.fail !== void 0, { error: "give url (healthchecks.io style) or success/fail URLs" });
var email = external_exports.strictObject({
  ...base,
  type: external_exports.literal("email"),
  smtp: external_exports.strictObject({
    host: external_exports.string().min(1),
    port: external_exports.int().min(1).max(65535).optional(),
    security: external_exports.enum(["tls", "starttls", "none"]).default("starttls"),
    user: external_exports.string().min(1).optional(),
    password: external_exports.string().min(1).optional(),
    /** A PEM file of the CA that signed the server's certificate (a private CA); relative to the plan. */
    ca_file: external_exports.string().min(1).optional()
  }),
  from: external_exports.string().min(3),
  to: external_exports.array(external_exports.string().min(3)).min(1)
});
var command = external_exports.strictObject({ ...base, type: external_exports.literal("command"), command: argv });
var notifierConfig = external_exports.discriminatedUnion("type", [webhook, ping, email, command]);
var metricsConfig = external_exports.strictObject({
  pushgateway: httpUrl.optional(),
  /** The `job` of the push; default `restorable`. */
  job: external_exports.string().regex(/^[a-zA-Z_][a-zA-Z0-9_-]*$/).default("restorable"),
  /** The `instance` of the push; default the host name. */
  instance: external_exports.string().min(1).optional()
});

export {
  parseClockDuration,
  clockDuration,
  parseCalendarSpan,
  calendarSpan,
  subtractSpan,
  NOTIFYING_COMMANDS,
  notifierConfig,
  metricsConfig
};
