import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  validate
} from "./chunk-MDMC4OSC.js";
import "./chunk-HKL3WITM.js";
import "./chunk-6LYKVDS4.js";
import "./chunk-6H2P3VQG.js";
import "./chunk-34FG2SPS.js";
import "./chunk-BJE6YNUV.js";
import "./chunk-M3FVVLCQ.js";
import "./chunk-OZNC2U3J.js";
import "./chunk-WHVU3KGO.js";
import "./chunk-IIVFCJRN.js";
import "./chunk-ZJTQKECG.js";
export {
  validate
};
