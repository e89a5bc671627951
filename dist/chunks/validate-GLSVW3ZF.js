import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  load,
  ruleName
} from "./chunk-RGCLE6BX.js";
import "./chunk-5YFJ2XJN.js";
import "./chunk-6LYKVDS4.js";
import "./chunk-M3FVVLCQ.js";
import "./chunk-OZNC2U3J.js";
import "./chunk-YOCOFQ45.js";
import "./chunk-ZJTQKECG.js";

// src/commands/validate.ts
var validate = async (input, io) => {
  const { plan, file, warnings } = await load(input, io);
  if (!input.json) {
    io.reporter.output(`${file}: plan "${plan.name}" is valid: ${plan.sources.length} source(s), ${plan.targets.length} target(s), ${ruleName(plan.policy.rule)} reachable.`);
  }
  return { ok: true, file, plan: plan.name, warnings };
};
export {
  validate
};
