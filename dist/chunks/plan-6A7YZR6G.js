import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  compileBackup
} from "./chunk-6TRRNSIJ.js";
import "./chunk-ZXVIM5QX.js";
import "./chunk-6OV6EYEP.js";
import "./chunk-XI4MDY3P.js";
import {
  load
} from "./chunk-TY4SYINN.js";
import "./chunk-TBQSFWBU.js";
import "./chunk-K3PTCQNR.js";
import "./chunk-XRTEQXPF.js";
import "./chunk-5F55Z7FC.js";
import "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import "./chunk-QVOAAX5T.js";
import "./chunk-WHVU3KGO.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";

// src/commands/plan.ts
import { relative } from "node:path";

// src/pipeline/steps.ts
function stepView(step) {
  const { id, kind, title, detail, always } = step;
  const flag = always !== void 0 ? { always } : {};
  return step.kind === "snapshot" ? { id, kind, title, source: step.source, detail, ...flag } : { id, kind, title, detail, ...flag };
}

// src/commands/plan.ts
var planCommand = async (input, io) => {
  const loaded = await load(input, io);
  const pipeline = compileBackup(loaded.plan, loaded.dir);
  if (!input.json) {
    const lines = [`Plan "${pipeline.plan}": backup pipeline (dry run, nothing is touched)`];
    pipeline.steps.forEach((step, index) => {
      lines.push(`${String(index + 1).padStart(2)}. ${step.title}${step.always ? " (always runs)" : ""}`);
      for (const detail of step.detail) lines.push(`      ${detail}`);
    });
    lines.push(`The GitHub Action runs these same steps with \`command: backup\` and \`plan: ${relative(process.cwd(), loaded.file) || loaded.file}\` (\`restorable workflow\` writes the workflows).`);
    io.reporter.output(lines.join("\n"));
  }
  return { ...pipeline, steps: pipeline.steps.map(stepView) };
};
export {
  planCommand
};
