import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  runCommand
} from "./chunk-K3PTCQNR.js";
import {
  RunError,
  reason
} from "./chunk-WHVU3KGO.js";

// src/plan/app-version.ts
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
function dig(value, key) {
  return key.split(".").reduce((at, part) => at !== null && typeof at === "object" ? at[part] : void 0, value);
}
async function versionOverHttp(http) {
  const where = `app.version_from: ${http.url}`;
  let body;
  try {
    const response = await fetch(http.url, { signal: AbortSignal.timeout(15e3), headers: { accept: "application/json, text/plain" } });
    body = await response.text();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    throw new RunError(`${where}: ${reason(error)}`, { hint: "Check that the app runs and answers at that URL (its version is read before any pre_backup hook runs), or write app.version." });
  }
  if (http.json === void 0) {
    const quoted = /^\s*"/.test(body) ? JSON.parse(body.trim().split("\n")[0].trim() || '""') : void 0;
    const version = typeof quoted === "string" ? quoted : body.trim().split("\n")[0]?.trim();
    if (!version) throw new RunError(`${where} answered with an empty body.`);
    return version;
  }
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new RunError(`${where} did not answer JSON.`, { hint: "Drop json: to take the whole body as the version, or check the URL." });
  }
  const keys = Array.isArray(http.json) ? http.json : [http.json];
  const parts = keys.map((key) => dig(parsed, key));
  const bad = keys.filter((_, i) => typeof parts[i] !== "string" && typeof parts[i] !== "number");
  if (bad.length > 0) throw new RunError(`${where}: the answer has no ${bad.map((k) => `"${k}"`).join(", ")}: ${body.slice(0, 200)}`);
  return parts.map(String).join(".");
}
async function resolveAppVersion(plan, planDir, env = process.env) {
  const app = plan.app;
  if (!app) return null;
  if (app.version !== void 0) return app.version;
  const from = app.version_from;
  if (!from) return null;
  if ("env" in from) {
    const value = env[from.env];
    if (!value) throw new RunError(`app.version_from: the environment variable ${from.env} is not set.`, { hint: `Set ${from.env}, or write app.version.` });
    return value.trim();
  }
  if ("file" in from) {
    const path = resolve(planDir, from.file);
    let value;
    try {
      value = dig(JSON.parse(await readFile(path, "utf8")), from.key);
    } catch (error) {
      const missing = error.code === "ENOENT";
      throw new RunError(`app.version_from: cannot read ${path}: ${reason(error)}`, { hint: missing ? "Check file: in the plan (relative paths are relative to the plan file), or write app.version." : "The file must be JSON (e.g. package.json)." });
    }
    if (typeof value !== "string" && typeof value !== "number") throw new RunError(`app.version_from: ${path} has no "${from.key}".`);
    return String(value);
  }
  if ("http" in from) return versionOverHttp(from.http);
  const result = await runCommand(from.command, { cwd: planDir, timeoutMs: 3e4, env }).catch((error) => {
    throw new RunError(`app.version_from: cannot run ${JSON.stringify(from.command)}: ${reason(error)}`, { hint: "Check the command is installed and on PATH." });
  });
  const version = result.stdout.trim().split("\n")[0]?.trim();
  if (result.code !== 0 || !version) {
    throw new RunError(`app.version_from: ${JSON.stringify(from.command)} failed (exit ${result.code}) or printed nothing.`);
  }
  return version;
}

export {
  resolveAppVersion
};
