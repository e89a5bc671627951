import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  commands,
  redactConsole
} from "./chunk-ZIBPQQKW.js";
import {
  ISSUES_URL,
  VERSION
} from "./chunk-Z2KXPKGU.js";
import {
  TerminalReporter
} from "./chunk-LMSXXO5M.js";
import {
  secretsOf
} from "./chunk-CMYD6MRD.js";
import "./chunk-XRTEQXPF.js";
import {
  ExitCode,
  PlanError,
  RestorableError,
  UsageError
} from "./chunk-WHVU3KGO.js";
import "./chunk-ZJTQKECG.js";

// src/cli/main.ts
import { resolve } from "node:path";
import { parseArgs } from "node:util";
var USAGE = `restorable ${VERSION}: tested backups for self-hosted apps

Usage: restorable <command> [options]

Commands:
  init            write a commented plan for an app: restorable init --list, --preset NAME --path DIR (init --help)
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(15)} ${c.summary}`).join("\n")}

Options:
  -p, --plan FILE             the plan (default: ./restorable.yml)
      --json                  machine-readable output on stdout
      --progress MODE         auto (default: a live line on a terminal, else a line every 10s),
                              plain, json (one JSON object per stderr line) or none
  -b, --backup ID             latest (default), a backup id, or all (verify)
  -s, --source NAME           restore or drill only this source (repeatable)
  -t, --target NAME           read from (or list, verify, prune) this target only
      --allow-version-mismatch  restore over another app or schema version
      --dry-run               prune: only say what would be removed; workflow: print the files
      --out DIR               workflow: where to write (default: .github/workflows)
      --runs-on LABEL         workflow: runner labels (repeatable; default: self-hosted when
                              the plan reads local files, else ubuntu-latest)
      --uses REF              workflow: the Action to use (default: restorable/restorable@v1)
      --force                 workflow: replace files that differ from what would be written
      --to URL                restore or drill a PostgreSQL source elsewhere (postgres://user@host/db;
                              password from PGPASSWORD or \${VAR} in the URL, never typed in)
      --deep                  verify: also decrypt and decompress every copy
      --path GLOB             restore: only these paths of a repository backup (repeatable), into the live folder
      --into DIR              restore --path: build them in this new or empty folder instead; live data untouched
      --sample SHARE          verify: check this share of a repository's packs: 10% (another
                              slice each day) or 3/7 (the third of seven)
      --remove ID             restore-points: remove the points of this restore (its id, or a unique part)
      --older-than AGE        restore-points: remove those older than AGE (12h, 7d, 2w)
      --break-lock            remove stale locks of this plan (never live ones) first
      --wait DURATION         wait up to DURATION (e.g. 30m) for another run's lock
      --staging DIR           scratch space (default: the OS temp folder)
      --trigger NAME          recorded in the manifest (default: local, or from GitHub)
      --html FILE             status: also write a self-contained status page to FILE
      --metrics-file PATH     merge this run's Prometheus metrics into PATH (node_exporter's textfile collector)
  -q, --quiet                 only warnings, errors and the answer
  -v, --verbose               debug lines too
  -h, --help                  this help
      --version               print the version

Exit codes: 0 ok, 1 failed, 2 invalid plan or usage, 3 copy policy not met,
4 health check failed (rolled back), 5 integrity error, 6 refused (needs a flag),
7 not found, 8 locked by another run, 9 no usable decryption key, 10 objectives not met (status), 130 interrupted, 70 internal error (a bug: please report it).`;
var ONLY_FOR = {
  "dry-run": ["prune", "workflow"],
  to: ["restore", "drill"],
  deep: ["verify"],
  sample: ["verify"],
  path: ["restore"],
  into: ["restore"],
  "allow-version-mismatch": ["restore"],
  source: ["restore", "drill", "ls", "dump", "export", "diff"],
  out: ["workflow"],
  "runs-on": ["workflow"],
  uses: ["workflow"],
  force: ["workflow"],
  trigger: ["backup"],
  remove: ["restore-points"],
  "older-than": ["restore-points"],
  html: ["status"],
  "metrics-file": ["backup", "drill", "restore", "verify", "prune", "status"]
};
function commandHelp(name) {
  const options = USAGE.slice(USAGE.indexOf("Options:\n") + 9, USAGE.indexOf("\n\nExit codes:")).split("\n");
  const blocks = [];
  for (const line of options) {
    if (/^\s+-/.test(line)) blocks.push([line]);
    else blocks.at(-1)?.push(line);
  }
  const own = blocks.filter((block) => {
    const option = /--([a-z-]+)/.exec(block[0])?.[1] ?? "";
    return !ONLY_FOR[option] || ONLY_FOR[option].includes(name);
  });
  return [`restorable ${name}: ${commands[name].summary}`, "", `Usage: restorable ${name} [options]`, "", "Options:", ...own.flat(), "", "All commands and exit codes: restorable --help"].join("\n");
}
function checkOptionsFor(command, given) {
  for (const option of given) {
    const commands2 = ONLY_FOR[option];
    if (commands2 && !commands2.includes(command)) {
      throw new UsageError(`--${option} does nothing for ${command}: it is an option of ${commands2.join(" and ")} only. Nothing was done.`, { hint: "Run `restorable --help` for the options." });
    }
  }
}
function parse(argv) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      tokens: true,
      options: {
        plan: { type: "string", short: "p", default: "restorable.yml" },
        json: { type: "boolean", default: false },
        progress: { type: "string", default: "auto" },
        backup: { type: "string", short: "b", default: "latest" },
        source: { type: "string", short: "s", multiple: true, default: [] },
        target: { type: "string", short: "t" },
        "allow-version-mismatch": { type: "boolean", default: false },
        to: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        deep: { type: "boolean", default: false },
        sample: { type: "string" },
        path: { type: "string", multiple: true, default: [] },
        into: { type: "string" },
        "break-lock": { type: "boolean", default: false },
        remove: { type: "string" },
        "older-than": { type: "string" },
        wait: { type: "string" },
        staging: { type: "string" },
        out: { type: "string" },
        "runs-on": { type: "string", multiple: true, default: [] },
        uses: { type: "string" },
        force: { type: "boolean", default: false },
        trigger: { type: "string" },
        "metrics-file": { type: "string" },
        html: { type: "string" },
        quiet: { type: "boolean", short: "q", default: false },
        verbose: { type: "boolean", short: "v", default: false },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", default: false }
      }
    });
  } catch (error) {
    const unknown = /^Unknown option '([^']+)'/.exec(error.message);
    throw new UsageError(unknown ? `Unknown option ${unknown[1]}.` : error.message, { hint: "Run `restorable --help` for the options." });
  }
}
async function progressOf(mode, quiet, env) {
  const modes = ["auto", "tty", "plain", "json", "none"];
  const chosen = modes.find((m) => m === mode);
  if (!chosen) throw new UsageError(`--progress ${mode}: expected one of ${modes.join(", ")}.`);
  const every = env.RESTORABLE_PROGRESS_INTERVAL;
  const interval = every ? { progressIntervalMs: (await import("./context-2VBUZEAV.js")).waitMsOf(every, "RESTORABLE_PROGRESS_INTERVAL") } : {};
  if (chosen !== "auto") return { progress: chosen, ...interval };
  return { progress: quiet ? "none" : process.stderr.isTTY ? "tty" : "plain", ...interval };
}
function report(error, reporter, json, secrets, partial) {
  if (!(error instanceof RestorableError)) {
    reporter.error(`internal error: ${error?.stack ?? String(error)}`, `This is a bug in restorable; please report it with the lines above at ${ISSUES_URL}`);
    return ExitCode.bug;
  }
  for (let at = error; at instanceof Error; at = at.cause) reporter.debug(at.stack ?? at.message);
  if (json) {
    const got = partial !== null && typeof partial === "object" ? partial : {};
    const body = { ...got, ok: false, error: { type: error.name, message: error.message, hint: error.hint, exitCode: error.exitCode, ...error instanceof PlanError ? { problems: error.problems } : {} } };
    reporter.output(JSON.stringify(secrets.redactValue(body), null, 2));
  }
  if (error instanceof PlanError && error.problems.length > 0) {
    reporter.error(error.message);
    const lines = error.problems.map((p) => `${p.where}: ${p.severity}: ${p.path ? `${p.path}: ` : ""}${p.message}`);
    if (json) for (const line of lines) reporter.error(line);
    else for (const line of lines) reporter.plain(line);
    if (error.hint) reporter.error("", error.hint);
  } else reporter.error(error.message, error.hint);
  return error.exitCode;
}
async function main(argv, env = process.env) {
  const secrets = secretsOf(env);
  const restoreConsole = redactConsole(secrets);
  let reporter = new TerminalReporter(secrets, { verbose: false, quiet: false });
  let json = false;
  let partial;
  let monitor;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    if (argv[0] === "init") return await (await import("./init-JDKVQRLW.js")).init(argv.slice(1), { reporter, env, signal: controller.signal, secrets }), ExitCode.ok;
    const { values, positionals, tokens } = parse(argv);
    json = values.json;
    reporter = new TerminalReporter(secrets, { verbose: values.verbose, quiet: values.quiet || json, ...await progressOf(values.progress, values.quiet, env) });
    if (values.version) {
      reporter.output(VERSION);
      return ExitCode.ok;
    }
    const name = positionals[0];
    const about = name === "help" ? positionals[1] : values.help ? name : void 0;
    if (about !== void 0) {
      if (!commands[about]) throw new UsageError(`Unknown command "${about}".`, { hint: `Commands: ${Object.keys(commands).join(", ")}` });
      reporter.output(commandHelp(about));
      return ExitCode.ok;
    }
    if (values.help || !name || name === "help") {
      reporter.output(USAGE);
      return values.help || name === "help" ? ExitCode.ok : ExitCode.invalid;
    }
    const command = commands[name];
    if (!command) {
      const meant = (await import("./suggest-NACX667I.js")).closestKey(name, Object.keys(commands));
      throw new UsageError(`Unknown command "${name}"${meant ? `: did you mean "${meant}"?` : "."}`, { hint: `Commands: ${Object.keys(commands).join(", ")}` });
    }
    const takesPath = name === "ls" || name === "dump";
    const allowed = name === "diff" ? 3 : takesPath ? 2 : 1;
    if (positionals.length > allowed) throw new UsageError(`Unexpected argument "${positionals[allowed]}".`, { hint: "Options start with --; see `restorable --help`." });
    if (name === "diff" && positionals.length !== 3) throw new UsageError("diff compares two backups: restorable diff ID1 ID2 [--source NAME].", { hint: "See the ids with `restorable list`; `latest` names the newest." });
    checkOptionsFor(name, tokens.flatMap((t) => t.kind === "option" ? [t.name] : []));
    const input = {
      planPath: values.plan,
      json,
      backup: values.backup,
      sources: values.source,
      ...values.target ? { target: values.target } : {},
      allowVersionMismatch: values["allow-version-mismatch"],
      dryRun: values["dry-run"],
      deep: values.deep,
      ...values.sample !== void 0 ? { sample: values.sample } : {},
      ...takesPath && positionals[1] !== void 0 ? { path: positionals[1] } : {},
      ...name === "diff" ? { compare: [positionals[1], positionals[2]] } : {},
      ...values.path.length > 0 ? { paths: values.path } : {},
      ...values.into !== void 0 ? { into: values.into } : {},
      breakLock: values["break-lock"],
      waitMs: (await import("./context-2VBUZEAV.js")).waitMsOf(values.wait, "--wait"),
      // loaded for a command only, not for --help
      ...values.staging ? { stagingRoot: values.staging } : {},
      ...values.trigger ? { trigger: values.trigger } : {},
      ...values.out ? { out: values.out } : {},
      ...values["runs-on"].length > 0 ? { runsOn: values["runs-on"] } : {},
      ...values.uses ? { uses: values.uses } : {},
      force: values.force,
      ...values.to !== void 0 ? { to: values.to } : {},
      ...values.remove !== void 0 ? { remove: values.remove } : {},
      ...values["older-than"] !== void 0 ? { olderThan: values["older-than"] } : {},
      ...values.html !== void 0 ? { html: resolve(values.html) } : {}
    };
    const { MonitorSession } = await import("./session-WOAQLIE5.js");
    monitor = new MonitorSession(name, { env, secrets, reporter, ...values["metrics-file"] ? { metricsFile: resolve(values["metrics-file"]) } : {} });
    const data = await command.run(input, { reporter: monitor.reporter, env, signal: controller.signal, secrets, stdout: process.stdout, partial: (got) => partial = got, onPlan: monitor.planLoaded });
    if (json && data !== void 0) reporter.output(JSON.stringify(secrets.redactValue({ ok: true, ...data }), null, 2));
    await monitor.finish(data).catch((error) => reporter.warn(`Notifications failed: ${error.message}`));
    return ExitCode.ok;
  } catch (error) {
    const code = report(error, reporter, json, secrets, partial);
    const failure = { message: error?.message ?? String(error), ...error instanceof RestorableError && error.hint ? { hint: error.hint } : {}, exitCode: code };
    await monitor?.finish(partial, failure).catch((e) => reporter.warn(`Notifications failed: ${e.message}`));
    return code;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    restoreConsole();
  }
}
export {
  main
};
