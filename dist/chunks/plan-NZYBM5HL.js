import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  compileBackup
} from "./chunk-SXFRJFDQ.js";
import "./chunk-ZXVIM5QX.js";
import {
  load
} from "./chunk-PQ5FQOHY.js";
import "./chunk-TBQSFWBU.js";
import "./chunk-4OO7QTRK.js";
import "./chunk-G5CUNAXC.js";
import "./chunk-2J7YGRIP.js";
import "./chunk-QVOAAX5T.js";
import "./chunk-OZNC2U3J.js";
import "./chunk-WHVU3KGO.js";
import "./chunk-IIVFCJRN.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";

// src/commands/plan.ts
import { relative } from "node:path";
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
  return pipeline;
};
export {
  planCommand
};
