import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  allTargets,
  load,
  loadRecovered,
  restoreRequest,
  selectTargets,
  waitMsOf
} from "./chunk-RGCLE6BX.js";
import "./chunk-5YFJ2XJN.js";
import "./chunk-6LYKVDS4.js";
import "./chunk-M3FVVLCQ.js";
import "./chunk-OZNC2U3J.js";
import "./chunk-YOCOFQ45.js";
import "./chunk-ZJTQKECG.js";
export {
  allTargets,
  load,
  loadRecovered,
  restoreRequest,
  selectTargets,
  waitMsOf
};
