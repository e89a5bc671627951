import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  retryBudgetMs,
  withRetry
} from "./chunk-5QPPHHFV.js";
import {
  runCommand
} from "./chunk-K3PTCQNR.js";
import {
  NOTIFYING_COMMANDS
} from "./chunk-2H3FGURD.js";
import {
  ExitCode,
  reason
} from "./chunk-WHVU3KGO.js";

// src/notify/command.ts
function reportEnv(report) {
  return {
    RESTORABLE_EVENT: report.event,
    RESTORABLE_PLAN: report.plan,
    RESTORABLE_COMMAND: report.command,
    RESTORABLE_OK: String(report.ok),
    RESTORABLE_EXIT_CODE: String(report.exit_code),
    RESTORABLE_TITLE: report.title,
    RESTORABLE_MESSAGE: report.message,
    RESTORABLE_BACKUP_ID: report.backup_id ?? "",
    // The whole report, for a script that wants more than the above.
    RESTORABLE_REPORT: JSON.stringify(report)
  };
}
async function runNotifyCommand(config, report, planDir, env) {
  const result = await runCommand(config.command, { cwd: planDir, timeoutMs: config.timeout, env: { ...env, ...reportEnv(report) } });
  if (result.timedOut) throw new Error(`timed out after ${config.timeout / 1e3}s`);
  if (result.code !== 0) {
    const last = (result.stderr || result.stdout).trim().split("\n").slice(-1)[0];
    throw new Error(`exit ${result.signal ?? result.code}${last ? `: ${last}` : ""}`);
  }
}

// src/notify/email.ts
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";

// src/notify/report.ts
import { hostname } from "node:os";
function githubRunUrl(env) {
  if (env.GITHUB_ACTIONS !== "true" || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return null;
  return `${env.GITHUB_SERVER_URL || "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}
var outcomeWords = {
  success: "ok",
  recovered: "ok again (recovered)",
  failure: "FAILED",
  "policy-not-met": "copy policy NOT met",
  "drill-failed": "drill FAILED",
  stale: "objectives NOT met"
};
function describeRun(input) {
  const data = input.data !== null && typeof input.data === "object" ? input.data : {};
  const exitCode = input.failure?.exitCode ?? 0;
  const manifest = data.manifest;
  const failedStep = data.steps?.find((s) => s.status === "failed");
  const failedChecks = (data.checks ?? []).filter((c) => c.status === "failed");
  const lines = [];
  if (input.failure) lines.push(input.failure.message, ...input.failure.hint ? [`Hint: ${input.failure.hint}`] : []);
  else if (data.summary) lines.push(data.summary);
  for (const check of failedChecks) lines.push(`check ${check.name} failed: ${check.detail}`);
  for (const problem of data.problems ?? []) if (!lines.includes(problem)) lines.push(problem);
  const id = (input.command === "backup" ? manifest ? data.id : void 0 : data.backupId ?? data.id) ?? null;
  if (lines.length === 0) lines.push(`${input.command} ${id ? `of ${id} ` : ""}finished`);
  return {
    event: input.event,
    plan: input.plan,
    command: input.command,
    ok: exitCode === 0,
    exit_code: exitCode,
    title: `restorable ${input.command} "${input.plan}": ${outcomeWords[input.event]}${exitCode ? ` (exit ${exitCode})` : ""}`,
    message: lines.join("\n"),
    backup_id: id || null,
    copies: data.targets && manifest ? data.targets.filter((t) => t.verified && t.counted).length : null,
    policy_met: data.verdict ? data.verdict.met : null,
    bytes: manifest ? manifest.sources.reduce((sum, s) => sum + s.artifact.bytes, 0) : null,
    duration_seconds: data.durationMs === void 0 ? null : Math.round(data.durationMs) / 1e3,
    sources: (manifest?.sources ?? []).map((s) => ({ name: s.name, bytes: s.artifact.bytes, duration_seconds: s.duration_ms / 1e3 })),
    failing_step: failedStep ? { id: failedStep.id, title: failedStep.title } : null,
    problems: data.problems ?? [],
    host: hostname(),
    time: (input.now ?? /* @__PURE__ */ new Date()).toISOString(),
    github_run_url: githubRunUrl(input.env)
  };
}
function reportText(report) {
  const facts = reportFacts(report).map(([k, v]) => `${k}: ${v}`);
  return [report.title, "", report.message, "", ...facts].join("\n");
}
function reportFacts(report) {
  const facts = [
    ["plan", report.plan],
    ["command", report.command],
    ["exit code", String(report.exit_code)]
  ];
  if (report.backup_id) facts.push(["backup", report.backup_id]);
  if (report.copies !== null) facts.push(["copies", String(report.copies)]);
  if (report.policy_met !== null) facts.push(["policy met", report.policy_met ? "yes" : "no"]);
  if (report.bytes !== null) facts.push(["bytes", String(report.bytes)]);
  if (report.duration_seconds !== null) facts.push(["duration", `${report.duration_seconds.toFixed(1)} s`]);
  if (report.failing_step) facts.push(["failing step", report.failing_step.title]);
  facts.push(["host", report.host], ["time", report.time]);
  if (report.github_run_url) facts.push(["run", report.github_run_url]);
  return facts;
}

// src/notify/email.ts
async function sendEmail(config, report, planDir) {
  const { smtp } = config;
  const ca = smtp.ca_file ? await readFile(resolve(planDir, smtp.ca_file), "utf8") : void 0;
  const { createTransport } = (await import("./nodemailer-YTDJTGZ4.js")).default;
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port ?? (smtp.security === "tls" ? 465 : smtp.security === "starttls" ? 587 : 25),
    secure: smtp.security === "tls",
    requireTLS: smtp.security === "starttls",
    ignoreTLS: smtp.security === "none",
    ...smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? "" } } : {},
    ...ca ? { tls: { ca } } : {},
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout
  });
  try {
    await transport.sendMail({ from: config.from, to: config.to, subject: report.title, text: reportText(report) });
  } finally {
    transport.close();
  }
}

// src/notify/http.ts
var HttpStatusError = class extends Error {
};
async function send(url, init) {
  let response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: { "user-agent": "restorable", ...init.contentType ? { "content-type": init.contentType } : {}, ...init.headers },
      ...init.body !== void 0 && init.method === "POST" ? { body: init.body } : {},
      signal: AbortSignal.timeout(init.timeoutMs),
      redirect: "follow"
    });
  } catch (error) {
    const cause = error.cause;
    const why = error.name === "TimeoutError" ? `no answer within ${init.timeoutMs / 1e3}s` : cause ? reason(cause) : reason(error);
    throw new Error(`${new URL(url).host}: ${why}`);
  }
  const text = await response.text().catch(() => "");
  if (!response.ok) throw new HttpStatusError(`${new URL(url).host} answered HTTP ${response.status}${text ? `: ${text.slice(0, 200).trim()}` : ""}`);
}

// src/notify/ping.ts
function pingUrl(config, kind) {
  if (config[kind]) return config[kind];
  if (!config.url) return void 0;
  if (kind === "success") return config.url;
  const url = new URL(config.url);
  url.pathname = `${url.pathname.replace(/\/$/, "")}/${kind}`;
  return url.toString();
}
var MAX_BODY = 1e5;
async function sendPing(config, kind, log) {
  const url = pingUrl(config, kind);
  if (!url) return;
  let body = log.join("\n");
  if (body.length > MAX_BODY) body = body.slice(body.length - MAX_BODY);
  await send(url, { method: config.method === "get" ? "GET" : "POST", body, contentType: "text/plain; charset=utf-8", timeoutMs: config.timeout });
}

// src/notify/bodies.ts
var bad = (report) => !report.ok;
var clip = (text, max) => text.length <= max ? text : `${text.slice(0, max - 1)}\u2026`;
var slackEscape = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
function slack(report) {
  const facts = reportFacts(report).map(([k, v]) => `*${slackEscape(k)}:* ${slackEscape(v)}`).join("\n");
  return {
    text: slackEscape(report.title),
    blocks: [
      { type: "header", text: { type: "plain_text", text: clip(report.title, 150) } },
      { type: "section", text: { type: "mrkdwn", text: clip(slackEscape(report.message), 3e3) } },
      { type: "section", text: { type: "mrkdwn", text: clip(facts, 3e3) } }
    ]
  };
}
function discord(report) {
  return {
    content: clip(report.title, 2e3),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: clip(report.title, 256),
        description: clip(report.message, 4096),
        // red, green
        color: bad(report) ? 13706287 : 1736503,
        timestamp: report.time,
        fields: reportFacts(report).slice(0, 25).map(([name, value]) => ({ name: clip(name, 256), value: clip(value, 1024), inline: true })),
        ...report.github_run_url ? { url: report.github_run_url } : {}
      }
    ]
  };
}
function gotify(report) {
  const facts = reportFacts(report).map(([k, v]) => `${k}: ${v}`).join("\n");
  return { title: report.title, message: `${report.message}

${facts}`, priority: bad(report) ? 8 : 4 };
}
function ntfy(report, url) {
  const parsed = new URL(url);
  const parts = parsed.pathname.split("/").filter(Boolean);
  const topic = parts.pop() ?? "";
  parsed.pathname = `/${parts.join("/")}`;
  const facts = reportFacts(report).map(([k, v]) => `${k}: ${v}`).join("\n");
  const body = {
    topic,
    title: report.title,
    message: `${report.message}

${facts}`,
    priority: bad(report) ? 5 : 3,
    tags: [bad(report) ? "rotating_light" : "white_check_mark", "restorable"],
    ...report.github_run_url ? { click: report.github_run_url } : {}
  };
  return { url: parsed.toString(), body: JSON.stringify(body), contentType: "application/json" };
}
function teams(report) {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: report.title, weight: "Bolder", size: "Medium", wrap: true, color: bad(report) ? "Attention" : "Good" },
            { type: "TextBlock", text: report.message, wrap: true },
            { type: "FactSet", facts: reportFacts(report).map(([title, value]) => ({ title, value })) }
          ]
        }
      }
    ]
  };
}
function webhookRequest(format, url, report) {
  const json = (body) => ({ url, body: JSON.stringify(body), contentType: "application/json" });
  switch (format) {
    case "json":
      return json(report);
    case "slack":
      return json(slack(report));
    case "discord":
      return json(discord(report));
    case "gotify":
      return json(gotify(report));
    case "ntfy":
      return ntfy(report, url);
    case "teams":
      return json(teams(report));
  }
}

// src/notify/webhook.ts
async function sendWebhook(config, report) {
  const request = webhookRequest(config.format, config.url, report);
  await send(request.url, { method: "POST", body: request.body, contentType: request.contentType, headers: config.headers, timeoutMs: config.timeout });
}

// src/notify/dispatch.ts
function notifierLabel(config, index) {
  return config.name ? `notifier "${config.name}" (${config.type})` : `notifier notify[${index}] (${config.type})`;
}
async function attempt(label, run, ctx) {
  try {
    await withRetry(run, {
      transient: () => true,
      totalMs: Math.min(5e3, retryBudgetMs(ctx.env)),
      firstDelayMs: 300,
      onRetry: (error, n) => ctx.reporter.debug(`${label}: attempt ${n} failed (${reason(error)}); trying again`)
    });
    ctx.reporter.debug(`${label}: sent`);
    return void 0;
  } catch (error) {
    const warning = `${label} failed: ${reason(error)}. The run's result stands.`;
    ctx.reporter.warn(warning);
    return warning;
  }
}
var pings = (notifiers, command) => notifiers.map((config, index) => ({ config, index })).filter((n) => n.config.type === "ping" && n.config.commands.includes(command));
async function pingStart(notifiers, command, ctx) {
  const warnings = await Promise.all(pings(notifiers, command).map(({ config, index }) => attempt(notifierLabel(config, index), () => sendPing(config, "start", [`restorable ${command} started`]), ctx)));
  return warnings.filter((w) => w !== void 0);
}
async function notifyAll(notifiers, report, log, ctx) {
  const jobs = notifiers.map((config, index) => {
    const label = notifierLabel(config, index);
    if (config.type === "ping") {
      if (!config.commands.includes(report.command)) return void 0;
      const kind = report.ok ? "success" : "fail";
      return attempt(label, () => sendPing(config, kind, [...log, "", report.title, report.message]), ctx);
    }
    if (!config.on.includes(report.event)) return void 0;
    switch (config.type) {
      case "webhook":
        return attempt(label, () => sendWebhook(config, report), ctx);
      case "email":
        return attempt(label, () => sendEmail(config, report, ctx.planDir), ctx);
      case "command":
        return attempt(label, () => runNotifyCommand(config, report, ctx.planDir, ctx.env), ctx);
    }
  });
  const warnings = await Promise.all(jobs);
  return warnings.filter((w) => w !== void 0);
}

// src/notify/state.ts
import { createHash } from "node:crypto";
import { mkdir, readFile as readFile2, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
function stateFile(plan, planFile, env) {
  const dir = env.RESTORABLE_STATE_DIR || join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "restorable");
  return join(dir, `${plan}-${createHash("sha256").update(planFile).digest("hex").slice(0, 12)}.json`);
}
async function read(file) {
  try {
    const parsed = JSON.parse(await readFile2(file, "utf8"));
    return parsed && typeof parsed.commands === "object" ? parsed : { commands: {} };
  } catch {
    return { commands: {} };
  }
}
async function recordOutcome(file, command, exitCode, now = /* @__PURE__ */ new Date()) {
  const state = await read(file);
  const previous = state.commands[command];
  state.commands[command] = { ok: exitCode === 0, exit_code: exitCode, at: now.toISOString() };
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}
`);
  await rename(`${file}.tmp`, file);
  return { previousFailed: previous !== void 0 && !previous.ok };
}

// src/notify/tail.ts
var TailReporter = class {
  constructor(inner, secrets, max = 50) {
    this.inner = inner;
    this.secrets = secrets;
    this.max = max;
  }
  kept = [];
  titles = /* @__PURE__ */ new Map();
  keep(text) {
    for (const line of this.secrets.redact(text).split("\n")) this.kept.push(line);
    if (this.kept.length > this.max) this.kept.splice(0, this.kept.length - this.max);
  }
  lines() {
    return [...this.kept];
  }
  info(message) {
    this.keep(message);
    this.inner.info(message);
  }
  warn(message) {
    this.keep(`warning: ${message}`);
    this.inner.warn(message);
  }
  error(message, hint) {
    this.keep(`error: ${message}${hint ? `
hint: ${hint}` : ""}`);
    this.inner.error(message, hint);
  }
  debug(message) {
    this.inner.debug(message);
  }
  stepStarted(id, title) {
    this.titles.set(id, title);
    this.inner.stepStarted(id, title);
  }
  stepFinished(id, status, ms, note) {
    this.keep(`${status === "ok" ? "\u2713" : status === "failed" ? "\u2717" : "-"} ${this.titles.get(id) ?? id}: ${status} in ${(ms / 1e3).toFixed(2)}s${note ? ` (${note})` : ""}`);
    this.inner.stepFinished(id, status, ms, note);
  }
  // Every argument on: the total and label make the done/total, percent and ETA the user sees.
  progress(id, done, total, label) {
    this.inner.progress(id, done, total, label);
  }
  output(text) {
    this.keep(text);
    this.inner.output(text);
  }
};

// src/metrics/publish.ts
import { readFile as readFile3, rename as rename2, writeFile as writeFile2 } from "node:fs/promises";
import { hostname as hostname2 } from "node:os";

// src/metrics/families.ts
var f = (name, type, help) => ({ name: `restorable_${name}`, type, help });
var FAMILIES = [
  f("runs_total", "counter", "Runs of a command, by result (success, failure, policy-not-met, drill-failed, stale)."),
  f("last_run_timestamp_seconds", "gauge", "When the last run of a command finished."),
  f("last_run_success", "gauge", "Whether the last run of a command succeeded (1) or not (0)."),
  f("last_run_duration_seconds", "gauge", "Wall time of the last run of a command."),
  f("backup_last_success_timestamp_seconds", "gauge", "When the last successful backup finished."),
  f("backup_duration_seconds", "gauge", "Wall time of the last successful backup."),
  f("backup_bytes", "gauge", "Artifact size per source in the last successful backup."),
  f("backup_source_duration_seconds", "gauge", "Snapshot time per source in the last successful backup."),
  f("backup_copies", "gauge", "Verified copies of the last committed backup that the copy rule counts."),
  f("backup_policy_met", "gauge", "Whether the last committed backup met the copy rule (1) or not (0)."),
  f("backup_target_verified", "gauge", "Whether the last committed backup was verified on a target (1) or not (0)."),
  f("drill_last_timestamp_seconds", "gauge", "When the last drill finished."),
  f("drill_success", "gauge", "Whether the last drill passed (1) or not (0)."),
  f("drill_recovery_seconds", "gauge", "Recovery time of the last drill: its restore and health checks."),
  f("newest_verified_backup_timestamp_seconds", "gauge", "Start time of the newest backup whose verified copies meet the copy rule (status)."),
  f("newest_verified_backup_age_seconds", "gauge", "Age of the newest backup whose verified copies meet the copy rule, when status ran."),
  f("objective_met", "gauge", "Whether an objective holds (1) or not (0), when status ran: rpo, rto, drill_max_age, drill."),
  f("objective_seconds", "gauge", "The objective itself: rpo, rto, drill_max_age.")
];
var FAMILY_NAMES = new Set(FAMILIES.map((family) => family.name));

// src/metrics/collect.ts
var seconds = (date) => (typeof date === "string" ? Date.parse(date) : date.getTime()) / 1e3;
var bool = (value) => value ? 1 : 0;
function runSamples(run) {
  const data = run.data !== null && typeof run.data === "object" ? run.data : {};
  const name = (n) => `restorable_${n}`;
  const durationS = (data.durationMs ?? run.wallMs) / 1e3;
  const samples = [
    { name: name("last_run_timestamp_seconds"), labels: { command: run.command }, value: seconds(run.now) },
    { name: name("last_run_success"), labels: { command: run.command }, value: bool(run.ok) },
    { name: name("last_run_duration_seconds"), labels: { command: run.command }, value: durationS }
  ];
  if (run.command === "backup" && data.manifest) {
    const counted = (data.targets ?? []).filter((t) => t.verified && t.counted).length;
    samples.push({ name: name("backup_copies"), labels: {}, value: counted });
    if (data.verdict) samples.push({ name: name("backup_policy_met"), labels: {}, value: bool(data.verdict.met) });
    for (const t of data.targets ?? []) samples.push({ name: name("backup_target_verified"), labels: { target: t.name }, value: bool(t.verified) });
    if (run.ok) {
      samples.push({ name: name("backup_last_success_timestamp_seconds"), labels: {}, value: seconds(data.manifest.finished_at) });
      samples.push({ name: name("backup_duration_seconds"), labels: {}, value: durationS });
      for (const s of data.manifest.sources) {
        samples.push({ name: name("backup_bytes"), labels: { source: s.name }, value: s.artifact.bytes });
        samples.push({ name: name("backup_source_duration_seconds"), labels: { source: s.name }, value: s.duration_ms / 1e3 });
      }
    }
  }
  if (run.command === "drill") {
    samples.push({ name: name("drill_last_timestamp_seconds"), labels: {}, value: seconds(run.now) });
    samples.push({ name: name("drill_success"), labels: {}, value: bool(run.ok) });
    if (data.durationMs !== void 0) samples.push({ name: name("drill_recovery_seconds"), labels: {}, value: data.durationMs / 1e3 });
  }
  if (run.command === "status") {
    if (data.newest) {
      samples.push({ name: name("newest_verified_backup_timestamp_seconds"), labels: {}, value: seconds(data.newest.time) });
      samples.push({ name: name("newest_verified_backup_age_seconds"), labels: {}, value: data.newest.age_seconds });
    }
    for (const o of data.objectives ?? []) {
      samples.push({ name: name("objective_met"), labels: { objective: o.name }, value: bool(o.met) });
      if (o.limit_seconds !== null) samples.push({ name: name("objective_seconds"), labels: { objective: o.name }, value: o.limit_seconds });
    }
  }
  return samples;
}
function runCounter(previous, run) {
  const labels = { command: run.command, result: run.result };
  const name = "restorable_runs_total";
  const before = previous.find((s) => s.name === name && s.labels.command === labels.command && s.labels.result === labels.result);
  return { name, labels, value: (before?.value ?? 0) + 1 };
}

// src/metrics/prometheus.ts
var escapeLabel = (value) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
var escapeHelp = (value) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
function formatValue(value) {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
function labelKey(labels) {
  return Object.keys(labels).sort().map((k) => `${k}="${escapeLabel(labels[k])}"`).join(",");
}
function render(families, samples) {
  const lines = [];
  for (const family of families) {
    const own = samples.filter((s) => s.name === family.name).sort((a, b) => labelKey(a.labels) < labelKey(b.labels) ? -1 : 1);
    if (own.length === 0) continue;
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of own) {
      const labels = labelKey(sample.labels);
      lines.push(`${sample.name}${labels ? `{${labels}}` : ""} ${formatValue(sample.value)}`);
    }
  }
  return lines.length > 0 ? `${lines.join("\n")}
` : "";
}
var SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
var LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;
function unescapeLabel(value) {
  return value.replace(/\\(.)/g, (_, c) => c === "n" ? "\n" : c);
}
function parse(text) {
  const samples = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const match = SAMPLE.exec(line.trim());
    if (!match) continue;
    const labels = {};
    if (match[2]) {
      LABEL.lastIndex = 0;
      for (let m = LABEL.exec(match[2]); m; m = LABEL.exec(match[2])) labels[m[1]] = unescapeLabel(m[2]);
    }
    const value = match[3] === "+Inf" ? Infinity : match[3] === "-Inf" ? -Infinity : Number(match[3]);
    samples.push({ name: match[1], labels, value });
  }
  return samples;
}

// src/metrics/publish.ts
function mergeSeries(existing, fresh) {
  const id = (s) => `${s.name}{${labelKey(s.labels)}}`;
  const replaced = new Set(fresh.map(id));
  return [...existing.filter((s) => FAMILY_NAMES.has(s.name) && !replaced.has(id(s))), ...fresh];
}
function inGroup(samples, group) {
  return samples.filter((s) => Object.entries(group).every(([k, v]) => s.labels[k] === v)).map((s) => ({ ...s, labels: Object.fromEntries(Object.entries(s.labels).filter(([k]) => !(k in group))) }));
}
async function writeMetricsFile(file, plan, run) {
  const all = parse(await readFile3(file, "utf8").catch(() => "")).filter((s) => FAMILY_NAMES.has(s.name));
  const mine = inGroup(all, { plan });
  const others = all.filter((s) => s.labels.plan !== plan);
  const merged = mergeSeries(mine, [...runSamples(run), runCounter(mine, run)]).map((s) => ({ ...s, labels: { plan, ...s.labels } }));
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile2(tmp, render(FAMILIES, [...others, ...merged]));
  await rename2(tmp, file);
}
function pushGroup(config, plan) {
  const labels = { job: config.job, plan, instance: config.instance ?? hostname2() };
  const base = config.pushgateway.replace(/\/+$/, "");
  return { url: `${base}/metrics/job/${encodeURIComponent(labels.job)}/plan/${encodeURIComponent(plan)}/instance/${encodeURIComponent(labels.instance)}`, labels };
}
async function pushMetrics(config, plan, run, timeoutMs = 1e4) {
  const group = pushGroup(config, plan);
  const base = config.pushgateway.replace(/\/+$/, "");
  const current = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeoutMs) }).then(async (r) => r.ok ? parse(await r.text()) : []).catch(() => []);
  const mine = inGroup(current, group.labels);
  const samples = mergeSeries(mine, [...runSamples(run), runCounter(mine, run)]);
  await send(group.url, { method: "POST", body: render(FAMILIES, samples), contentType: "text/plain; version=0.0.4", timeoutMs });
}

// src/notify/session.ts
function eventOf(command, exitCode, previousFailed) {
  if (exitCode === ExitCode.ok) return previousFailed ? "recovered" : "success";
  if (command === "backup" && exitCode === ExitCode.policy) return "policy-not-met";
  if (command === "drill" && (exitCode === ExitCode.healthCheck || exitCode === ExitCode.integrity)) return "drill-failed";
  if (command === "status" && exitCode === ExitCode.stale) return "stale";
  return "failure";
}
function notifierSecrets(notifiers) {
  return notifiers.flatMap((n) => {
    switch (n.type) {
      case "webhook":
        return [n.url, ...Object.values(n.headers)];
      case "ping":
        return [n.url, n.start, n.success, n.fail].filter((u) => u !== void 0);
      case "email":
        return n.smtp.password ? [n.smtp.password] : [];
      case "command":
        return [];
    }
  });
}
var MonitorSession = class {
  constructor(command, options) {
    this.command = command;
    this.options = options;
    this.reporter = new TailReporter(options.reporter, options.secrets);
    this.active = NOTIFYING_COMMANDS.includes(command);
  }
  reporter;
  loaded;
  started = Promise.resolve([]);
  active;
  began = performance.now();
  get ctx() {
    return { planDir: this.loaded?.dir ?? ".", env: this.options.env, reporter: this.options.reporter };
  }
  /** Called when the command has loaded its plan (the first time only): start pings go out, in the background. */
  planLoaded = (loaded) => {
    if (this.loaded || !this.active) return;
    this.loaded = loaded;
    for (const value of notifierSecrets(loaded.plan.notify)) this.options.secrets.add(value);
    this.started = pingStart(loaded.plan.notify, this.command, this.ctx);
  };
  /**
   * After the command: records the outcome, sends what the plan asks for.
   * `data` is the command's answer or what a failed run got to. Returns the
   * warnings, for the Action's job summary.
   */
  async finish(data, failure) {
    const warnings = await this.started;
    if (!this.loaded) return warnings;
    const { plan, file } = this.loaded;
    const exitCode = failure?.exitCode ?? ExitCode.ok;
    let previousFailed = false;
    try {
      ({ previousFailed } = await recordOutcome(stateFile(plan.name, file, this.options.env), this.command, exitCode));
    } catch (error) {
      this.options.reporter.debug(`Could not keep the last outcome (for "recovered" notifications): ${reason(error)}`);
    }
    const event = eventOf(this.command, exitCode, previousFailed);
    const { secrets, reporter } = this.options;
    const facts = { command: this.command, result: event === "recovered" ? "success" : event, ok: exitCode === ExitCode.ok, data, wallMs: performance.now() - this.began, now: /* @__PURE__ */ new Date() };
    const warn = (text) => {
      reporter.warn(text);
      warnings.push(text);
    };
    if (this.options.metricsFile) {
      await writeMetricsFile(this.options.metricsFile, plan.name, facts).catch((error) => warn(`Could not write the metrics file ${this.options.metricsFile}: ${reason(error)}`));
    }
    if (plan.metrics?.pushgateway) {
      await pushMetrics(plan.metrics, plan.name, facts).catch((error) => warn(`Could not push the metrics to the Pushgateway: ${reason(error)}`));
    }
    if (plan.notify.length === 0) return warnings;
    const report = secrets.redactValue(describeRun({ event, plan: plan.name, command: this.command, data: secrets.redactValue(data), ...failure ? { failure } : {}, env: this.options.env }));
    warnings.push(...await notifyAll(plan.notify, report, this.reporter.lines(), this.ctx));
    return warnings;
  }
};

export {
  eventOf,
  MonitorSession
};
