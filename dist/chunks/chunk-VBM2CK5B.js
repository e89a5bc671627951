import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  load,
  ruleName
} from "./chunk-TY4SYINN.js";

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
