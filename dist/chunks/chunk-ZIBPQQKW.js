import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/commands/index.ts
function lazy(load, pick) {
  return async (input, ctx) => pick(await load())(input, ctx);
}
var commands = {
  validate: { run: lazy(() => import("./validate-3LWGPQOF.js"), (m) => m.validate), summary: "check the plan and print problems with file:line:column" },
  plan: { run: lazy(() => import("./plan-6A7YZR6G.js"), (m) => m.planCommand), summary: "dry run: print the compiled pipeline, touching nothing" },
  backup: { run: lazy(() => import("./backup-JWJWLI3P.js"), (m) => m.backup), summary: "run the pipeline: snapshot, pack, write, verify, check 3-2-1, prune" },
  list: { run: lazy(() => import("./list-Z7PWEHXQ.js"), (m) => m.list), summary: "backups per target: id, age, size, copies, drill status" },
  verify: { run: lazy(() => import("./verify-IFNB74Z2.js"), (m) => m.verify), summary: "re-read stored copies and check every checksum (--backup latest|all|ID)" },
  restore: { run: lazy(() => import("./restore-LKYIN5W2.js"), (m) => m.restore), summary: "restore point, restore, health checks, rollback on failure" },
  drill: { run: lazy(() => import("./drill-NMJQ2E7O.js"), (m) => m.drill), summary: "restore into a scratch place, run health checks, touch nothing live" },
  "restore-points": {
    run: lazy(() => import("./restore-points-OF7CHM3X.js"), (m) => m.restorePoints),
    summary: "list the restore points restores kept beside live data; --remove ID or --older-than 7d clears them"
  },
  ls: { run: lazy(() => import("./browse-5JL5AJ34.js"), (m) => m.ls), summary: "list what a repository backup holds (--source NAME [PATH])" },
  diff: { run: lazy(() => import("./browse-5JL5AJ34.js"), (m) => m.diff), summary: "what changed between two repository backups: added, removed, changed (ID1 ID2)" },
  dump: { run: lazy(() => import("./browse-5JL5AJ34.js"), (m) => m.dump), summary: "write one file of a repository backup to stdout (--source NAME PATH)" },
  export: { run: lazy(() => import("./browse-5JL5AJ34.js"), (m) => m.exportCommand), summary: "write a repository backup as a plain tar to stdout (--source NAME)" },
  status: { run: lazy(() => import("./status-UN2ITALJ.js"), (m) => m.status), summary: "the watchdog: newest good backup, last drill, objectives (RPO, RTO); exit 10 when one is missed" },
  prune: { run: lazy(() => import("./prune-FSO5AZZ2.js"), (m) => m.prune), summary: "apply the retention policy (--dry-run shows what would go)" },
  schema: { run: lazy(() => import("./schema-BIB2QKZO.js"), (m) => m.schema), summary: "print the JSON Schema of the plan" },
  workflow: { run: lazy(() => import("./workflow-FFEBK7Z6.js"), (m) => m.workflow), summary: "write GitHub workflows for the plan: scheduled backup, weekly drill, restore on demand (--dry-run shows them)" }
};

// src/report/console.ts
import { format } from "node:util";
function redactConsole(secrets) {
  const methods = ["log", "info", "warn", "error", "debug"];
  const saved = methods.map((m) => console[m]);
  for (const [index, m] of methods.entries()) {
    const original = saved[index];
    console[m] = (...args) => original(secrets.redact(format(...args)));
  }
  return () => methods.forEach((m, index) => console[m] = saved[index]);
}

export {
  commands,
  redactConsole
};
