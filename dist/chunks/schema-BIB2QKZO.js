import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  planSchema
} from "./chunk-23TMSUQ2.js";
import "./chunk-2H3FGURD.js";
import {
  external_exports
} from "./chunk-QVOAAX5T.js";
import "./chunk-WHVU3KGO.js";
import "./chunk-ZJTQKECG.js";

// src/commands/schema.ts
function planJsonSchema() {
  const schema2 = external_exports.toJSONSchema(planSchema, { io: "input", unrepresentable: "any" });
  return {
    $id: "https://restorable.dev/schemas/restorable.schema.json",
    title: "restorable plan",
    description: "A declarative backup plan for restorable (restorable.yml).",
    ...schema2
  };
}
var schema = async (_input, io) => {
  const json = planJsonSchema();
  io.reporter.output(JSON.stringify(json, null, 2));
  return void 0;
};
export {
  planJsonSchema,
  schema
};
