import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/report/secrets.ts
var SECRET_ENV = [
  "PGPASSWORD",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "RESTORABLE_AGE_IDENTITY",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "ACTIONS_RUNTIME_TOKEN",
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
];
var Secrets = class {
  values = /* @__PURE__ */ new Set();
  listeners = [];
  add(value) {
    if (value.length < 4 || this.values.has(value)) return;
    this.record(value);
    if (value.includes("\n")) {
      for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) this.record(line.trim());
    }
  }
  record(value) {
    if (this.values.has(value)) return;
    this.values.add(value);
    for (const listener of this.listeners) listener(value);
  }
  /**
   * Calls `listener` for every value, those known now and each one added
   * later, synchronously inside add(): the Action registers masks with the
   * runner this way before anything could print a value.
   */
  onAdd(listener) {
    this.listeners.push(listener);
    for (const value of this.values) listener(value);
  }
  /** Registers the standard secret variables that are set in `env`. */
  addEnv(env) {
    for (const name of SECRET_ENV) {
      const value = env[name];
      if (value && !(name === "RESTORABLE_AGE_IDENTITY" && !value.includes("AGE-SECRET-KEY-"))) this.add(value);
    }
  }
  get size() {
    return this.values.size;
  }
  list() {
    return [...this.values];
  }
  redact(text) {
    let out = text;
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      out = out.split(value).join("***");
      for (const form of [encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) if (form !== value) out = out.split(form).join("***");
    }
    return out;
  }
  /** A deep copy with every string redacted: redact before JSON.stringify, whose escaping would hide a secret. */
  redactValue(value) {
    if (typeof value === "string") return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item));
    if (value !== null && typeof value === "object" && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValue(v)]));
    }
    return value;
  }
};

export {
  Secrets
};
