import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  placeholderNames,
  require_dist
} from "./chunk-TBQSFWBU.js";
import {
  external_exports
} from "./chunk-QVOAAX5T.js";
import {
  PlanError,
  RefusedError
} from "./chunk-WHVU3KGO.js";
import {
  __toESM
} from "./chunk-ZJTQKECG.js";

// src/commands/workflow.ts
import { mkdir, readFile as readFile2, rename, writeFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";

// src/workflows/facts.ts
var import_yaml = __toESM(require_dist(), 1);
import { readFile } from "node:fs/promises";
var looks = external_exports.looseObject({
  name: external_exports.string().regex(/^[a-z0-9-]+$/),
  app: external_exports.looseObject({ version_from: external_exports.looseObject({ env: external_exports.string().optional() }).optional() }).optional(),
  sources: external_exports.array(external_exports.looseObject({ type: external_exports.string(), path: external_exports.string().optional(), storage: external_exports.string().optional() })).default([]),
  targets: external_exports.array(external_exports.looseObject({ type: external_exports.string() })).default([]),
  encryption: external_exports.unknown().optional(),
  signing: external_exports.unknown().optional(),
  schedule: external_exports.looseObject({ backup: external_exports.string().optional(), drill: external_exports.string().optional(), watch: external_exports.string().optional() }).optional()
});
var GITHUB_STORED = /* @__PURE__ */ new Set(["github-artifact", "github-cache"]);
var LOCAL_SOURCES = /* @__PURE__ */ new Set(["sqlite", "files"]);
async function readPlanFacts(file) {
  let raw;
  try {
    raw = (0, import_yaml.parse)(await readFile(file, "utf8"));
  } catch (error) {
    const missing = error.code === "ENOENT";
    throw new PlanError(missing ? `No plan file at ${file}.` : `Cannot read the plan ${file}: ${error.message.split("\n")[0]}`, [], {
      hint: "Run `restorable validate` for the details."
    });
  }
  const parsed = looks.safeParse(raw);
  if (!parsed.success) throw new PlanError(`The plan ${file} is not valid (${parsed.error.issues[0]?.path.join(".") || "top level"}).`, [], { hint: "Run `restorable validate` for the details." });
  const plan = parsed.data;
  const versionEnv = plan.app?.version_from?.env;
  return {
    name: plan.name,
    schedule: { ...plan.schedule?.backup ? { backup: plan.schedule.backup } : {}, ...plan.schedule?.drill ? { drill: plan.schedule.drill } : {}, ...plan.schedule?.watch ? { watch: plan.schedule.watch } : {} },
    secrets: placeholderNames(raw),
    variables: versionEnv ? [versionEnv] : [],
    githubStorage: plan.targets.some((t) => GITHUB_STORED.has(t.type)),
    encrypted: plan.encryption !== void 0,
    signed: plan.signing !== void 0,
    localSources: plan.sources.filter((s) => LOCAL_SOURCES.has(s.type)).map((s) => String(s.name ?? s.type)),
    repositorySources: plan.sources.filter((s) => s.type === "files" && s.storage !== "tar").map((s) => String(s.name ?? s.type))
  };
}

// src/workflows/templates.ts
var import_yaml2 = __toESM(require_dist(), 1);
var DEFAULT_USES = "restorable/restorable@v1";
var CHECKOUT = { uses: "actions/checkout@v5", with: { "persist-credentials": false } };
var UPLOAD_ARTIFACT = "actions/upload-artifact@v6";
var DEFAULT_SCHEDULE = { backup: "0 2 * * *", drill: "0 4 * * 0", watch: "30 */6 * * *" };
function yamlOf(header2, body) {
  const doc = new import_yaml2.Document(body);
  doc.commentBefore = header2.split("\n").map((line) => ` ${line}`).join("\n");
  return doc.toString({ lineWidth: 0 });
}
function permissions(facts) {
  return facts.githubStorage ? { contents: "read", actions: "write" } : { contents: "read" };
}
function concurrency(key) {
  return { group: `restorable-${key}`, "cancel-in-progress": false };
}
function runsOn(options) {
  return options.runsOn.length === 1 ? options.runsOn[0] : options.runsOn;
}
function environment(facts, command) {
  const env = {};
  for (const name of facts.secrets) env[name] = `\${{ secrets.${name} }}`;
  for (const name of facts.variables) env[name] ??= `\${{ vars.${name} }}`;
  if (facts.encrypted && (command === "restore" || command === "drill")) env.RESTORABLE_AGE_IDENTITY ??= "${{ secrets.RESTORABLE_AGE_IDENTITY }}";
  if (facts.signed && command === "backup") env.RESTORABLE_SIGNING_KEY ??= "${{ secrets.RESTORABLE_SIGNING_KEY }}";
  if (facts.githubStorage) env.GITHUB_TOKEN ??= "${{ github.token }}";
  return env;
}
function actionStep(facts, options, command, extra = {}) {
  const env = environment(facts, command);
  return {
    name: `restorable ${command}`,
    id: "restorable",
    uses: options.uses,
    with: { command, plan: options.planPath, ...extra },
    ...Object.keys(env).length > 0 ? { env } : {}
  };
}
function header(facts, options, what) {
  return [
    `${what} for the restorable plan "${facts.name}" (${options.planPath}).`,
    options.note ?? "Written by `npx restorable workflow`; run it again after changing the plan's schedule or secrets."
  ].join("\n");
}
function backupWorkflow(facts, options) {
  const cron = facts.schedule.backup ?? DEFAULT_SCHEDULE.backup;
  return {
    file: `restorable-${facts.name}-backup.yml`,
    about: `backup on "${cron}"${facts.schedule.backup ? " (schedule.backup)" : " (default; set schedule.backup in the plan)"} and on demand`,
    content: yamlOf(header(facts, options, "Scheduled backup"), {
      name: `restorable: back up ${facts.name}`,
      on: { schedule: [{ cron }], workflow_dispatch: {} },
      permissions: permissions(facts),
      concurrency: concurrency(facts.name),
      jobs: {
        backup: {
          "runs-on": runsOn(options),
          "timeout-minutes": JOB_TIMEOUT_MINUTES.backup,
          steps: [CHECKOUT, actionStep(facts, options, "backup")]
        }
      }
    })
  };
}
var JOB_TIMEOUT_MINUTES = { backup: 360, drill: 120, restore: 120, watch: 30 };
function drillWorkflow(facts, options) {
  const cron = facts.schedule.drill ?? DEFAULT_SCHEDULE.drill;
  return {
    file: `restorable-${facts.name}-drill.yml`,
    about: `drill (restore into a scratch place, run the health checks) on "${cron}"${facts.schedule.drill ? " (schedule.drill)" : " (default: weekly)"} and on demand`,
    content: yamlOf(header(facts, options, "Weekly restore drill (live data is never touched)"), {
      name: `restorable: drill ${facts.name}`,
      on: {
        schedule: [{ cron }],
        workflow_dispatch: {
          inputs: {
            backup: { description: "Backup id to drill, or latest", required: false, default: "latest", type: "string" },
            target: { description: "Drill the copy on this target only; empty tries each", required: false, default: "", type: "string" }
          }
        }
      },
      permissions: permissions(facts),
      concurrency: concurrency(facts.name),
      jobs: {
        drill: {
          "runs-on": runsOn(options),
          "timeout-minutes": JOB_TIMEOUT_MINUTES.drill,
          steps: [CHECKOUT, actionStep(facts, options, "drill", { backup: "${{ inputs.backup || 'latest' }}", target: "${{ inputs.target || '' }}" })]
        }
      }
    })
  };
}
function restoreWorkflow(facts, options) {
  const phrase = `restore ${facts.name}`;
  return {
    file: `restorable-${facts.name}-restore.yml`,
    about: `restore on demand (workflow_dispatch), after typing "${phrase}" to confirm`,
    content: yamlOf(header(facts, options, "Restore on demand: replaces live data, keeping a restore point, with health checks and rollback"), {
      name: `restorable: restore ${facts.name}`,
      on: {
        workflow_dispatch: {
          inputs: {
            backup: { description: "Backup id to restore, or latest", required: true, default: "latest", type: "string" },
            source: { description: "Only these sources (comma-separated); empty restores all", required: false, default: "", type: "string" },
            "allow-version-mismatch": { description: "Restore over another app or schema version", required: false, default: false, type: "boolean" },
            target: { description: "Restore from this target only; empty tries each", required: false, default: "", type: "string" },
            to: { description: "A PostgreSQL source goes to this database instead (postgres://user@host/db); empty restores in place", required: false, default: "", type: "string" },
            ...facts.repositorySources.length > 0 ? { path: { description: `Only this path of ${facts.repositorySources.join(" or ")} (a glob, e.g. upload/user1/2024/**; pick the source above when there are several); empty restores whole sources`, required: false, default: "", type: "string" } } : {},
            confirm: { description: `Type "${phrase}" to confirm: this replaces live data`, required: true, type: "string" }
          }
        }
      },
      permissions: permissions(facts),
      concurrency: concurrency(facts.name),
      jobs: {
        restore: {
          "runs-on": runsOn(options),
          "timeout-minutes": JOB_TIMEOUT_MINUTES.restore,
          // Required reviewers on this environment (Settings > Environments) are how Actions gates a dangerous run;
          // the typed confirmation below is the second guard. GitHub creates it, unprotected, on first use.
          environment: `restorable-${facts.name}-restore`,
          steps: [
            {
              name: "Check the confirmation",
              shell: "bash",
              // The input reaches the script through the environment, never spliced into it.
              env: { CONFIRM: "${{ inputs.confirm }}", EXPECTED: phrase },
              run: 'if [ "$CONFIRM" != "$EXPECTED" ]; then\n  echo "::error::Type \\"$EXPECTED\\" in the confirm input to restore. Nothing was touched."\n  exit 1\nfi\n'
            },
            CHECKOUT,
            actionStep(facts, options, "restore", {
              backup: "${{ inputs.backup }}",
              source: "${{ inputs.source }}",
              "allow-version-mismatch": "${{ inputs.allow-version-mismatch }}",
              target: "${{ inputs.target }}",
              to: "${{ inputs.to }}",
              ...facts.repositorySources.length > 0 ? { path: "${{ inputs.path }}" } : {}
            })
          ]
        }
      }
    })
  };
}
function watchWorkflow(facts, options) {
  const cron = facts.schedule.watch ?? DEFAULT_SCHEDULE.watch;
  return {
    file: `restorable-${facts.name}-watch.yml`,
    about: `status (objectives: RPO, RTO, drill age) on "${cron}"${facts.schedule.watch ? " (schedule.watch)" : " (default: every 6 hours)"} and on demand; fails and notifies when one is missed`,
    content: yamlOf(header(facts, options, "Watchdog: checks the backups on the targets against the objectives, independently of the backup schedule"), {
      name: `restorable: watch ${facts.name}`,
      on: { schedule: [{ cron }], workflow_dispatch: {} },
      permissions: permissions(facts),
      concurrency: concurrency(`${facts.name}-watch`),
      jobs: {
        watch: {
          "runs-on": runsOn(options),
          "timeout-minutes": JOB_TIMEOUT_MINUTES.watch,
          steps: [
            CHECKOUT,
            actionStep(facts, options, "status", { html: "restorable-status.html" }),
            // The page is most wanted when status fails.
            { name: "status page", if: "always()", uses: UPLOAD_ARTIFACT, with: { name: `restorable-${facts.name}-status`, path: "restorable-status.html", "if-no-files-found": "ignore", "retention-days": 14 } }
          ]
        }
      }
    })
  };
}
function planWorkflows(facts, options) {
  return [backupWorkflow(facts, options), drillWorkflow(facts, options), restoreWorkflow(facts, options), watchWorkflow(facts, options)];
}

// src/commands/workflow.ts
async function statusOf(path, content) {
  const existing = await readFile2(path, "utf8").catch(() => null);
  return existing === null ? "new" : existing === content ? "unchanged" : "changed";
}
var workflow = async (input, io) => {
  const planFile = resolve(input.planPath);
  const facts = await readPlanFacts(planFile);
  const planPath = relative(process.cwd(), planFile).split(sep).join("/");
  if (planPath.startsWith("../")) io.reporter.warn(`The plan ${planFile} is outside this folder; run \`restorable workflow\` from the repository's root so the workflows find it.`);
  let runsOn2 = input.runsOn ?? [];
  if (runsOn2.length === 0) {
    runsOn2 = facts.localSources.length > 0 ? ["self-hosted"] : ["ubuntu-latest"];
    io.reporter.info(
      facts.localSources.length > 0 ? `runs-on: self-hosted, because the sources ${facts.localSources.join(", ")} read files on the machine that holds them (--runs-on LABEL to change)` : "runs-on: ubuntu-latest (--runs-on LABEL to change)"
    );
  }
  const outDir = resolve(input.out ?? join(".github", "workflows"));
  const files = await Promise.all(
    planWorkflows(facts, { planPath, uses: input.uses ?? DEFAULT_USES, runsOn: runsOn2 }).map(async (w) => ({ ...w, path: join(outDir, w.file), status: await statusOf(join(outDir, w.file), w.content) }))
  );
  const listing = files.map((f) => ({ path: f.path, status: f.status, about: f.about }));
  if (input.dryRun) {
    if (!input.json) io.reporter.output(files.map((f) => `# ${f.path} (${f.status}): ${f.about}
${f.content}`).join("\n"));
    return { dryRun: true, files: listing };
  }
  const changed = files.filter((f) => f.status === "changed");
  if (changed.length > 0 && !input.force) {
    throw new RefusedError(`${changed.map((f) => f.path).join(", ")} already exist${changed.length === 1 ? "s" : ""} with other content; nothing was written.`, {
      hint: "Compare with `restorable workflow --dry-run`, then pass --force to replace them."
    });
  }
  await mkdir(outDir, { recursive: true });
  for (const f of files.filter((f2) => f2.status !== "unchanged")) {
    await writeFile(`${f.path}.tmp`, f.content);
    await rename(`${f.path}.tmp`, f.path);
  }
  if (!input.json) io.reporter.output(files.map((f) => `${f.status === "unchanged" ? "unchanged" : f.status === "new" ? "wrote    " : "replaced "} ${relative(process.cwd(), f.path)}: ${f.about}`).join("\n"));
  return { dryRun: false, files: listing };
};
export {
  workflow
};
