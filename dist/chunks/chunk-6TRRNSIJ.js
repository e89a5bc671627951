import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  AGE_EXTENSION
} from "./chunk-ZXVIM5QX.js";
import {
  sourceAdapter
} from "./chunk-6OV6EYEP.js";
import {
  describeCodec,
  extensionFor,
  requirement,
  ruleName,
  snapshotOrder
} from "./chunk-TY4SYINN.js";

// src/plan/compile.ts
function artifactFile(source, plan) {
  const adapter = sourceAdapter(source);
  const raw = adapter.extensionOf?.(source) ?? adapter.extension;
  return `${source.name}${raw}${extensionFor(plan.compression.algorithm)}${plan.encryption ? AGE_EXTENSION : ""}`;
}
function hookSteps(hooks, phase) {
  return hooks.map((hook, index) => ({
    id: `hook:${phase}:${index}`,
    kind: "hook",
    phase,
    index,
    hook,
    title: `${phase} hook ${index + 1}`,
    detail: [
      `run ${JSON.stringify(hook.command)} (timeout ${hook.timeout / 1e3}s)${phase === "pre_backup" ? "; a failure stops the run before anything is written" : " right after the last snapshot, even if it failed; a failure is reported once the backup is committed"}`
    ],
    always: phase === "post_backup"
  }));
}
function describeEncryption(plan) {
  const e = plan.encryption;
  return e.passphrase !== void 0 ? "age encryption with a passphrase (scrypt)" : `age encryption to ${e.age_recipients.length} recipient(s)`;
}
function compileBackup(plan, planDir) {
  const targets = plan.targets.map((t) => t.name).join(", ");
  const required = requirement(plan.policy.rule);
  const steps = [
    {
      id: "preflight",
      kind: "preflight",
      title: "preflight",
      detail: [
        `take the plan's lock on every target (exit 8 if another run holds one; stale after ${Math.round(plan.locks.stale_after / 6e4)} minutes)`,
        `check every source is readable: ${plan.sources.map((s) => s.name).join(", ")}`,
        `check every target is writable: ${targets}`,
        "resolve the app version and make the backup id"
      ]
    },
    ...hookSteps(plan.hooks.pre_backup, "pre_backup"),
    ...snapshotOrder(plan.sources).map((source) => ({
      id: `snapshot:${source.name}`,
      kind: "snapshot",
      title: `snapshot ${source.name}`,
      source: source.name,
      config: source,
      detail: [
        sourceAdapter(source).describe(source, { planDir }),
        `pack: ${describeCodec(plan.compression)}${plan.encryption ? `, ${describeEncryption(plan)}` : ""}, sha256 of the stored bytes while streaming -> ${artifactFile(source, plan)}`,
        `write once, streamed to every target at the same time: ${targets}`
      ]
    })),
    ...hookSteps(plan.hooks.post_backup, "post_backup"),
    { id: "verify", kind: "verify", title: "verify copies", detail: ["re-read every copy on every target and compare size and sha256"] },
    {
      id: "policy",
      kind: "policy",
      title: `policy ${ruleName(plan.policy.rule)}`,
      detail: [
        `need ${required.copies} copies (live data + ${required.copies - 1} verified), ${required.media} media, ${required.offsite} offsite${required.immutable ? `, ${required.immutable} immutable` : ""}`
      ]
    },
    { id: "commit", kind: "commit", title: "commit manifest", detail: ["write manifest.json last, on every target whose copies verified"] },
    {
      id: "prune",
      kind: "prune",
      title: "prune",
      detail: [plan.retention ? "apply retention on every target (only when the policy was met); never the newest verified backup" : "no retention policy: keep every backup"]
    },
    { id: "report", kind: "report", title: "report", detail: ["summarise sources, copies and the policy verdict"], always: true }
  ];
  return { plan: plan.name, command: "backup", steps };
}

export {
  artifactFile,
  compileBackup
};
