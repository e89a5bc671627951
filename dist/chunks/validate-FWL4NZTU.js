import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  validate
} from "./chunk-7WX36W7M.js";
import "./chunk-BWXAZ3CD.js";
import "./chunk-N4RYQ6ZD.js";
import "./chunk-EVEKU7ZH.js";
import "./chunk-6LYKVDS4.js";
import "./chunk-7J3WRIKA.js";
import "./chunk-IIVFCJRN.js";
import "./chunk-ZJTQKECG.js";
export {
  validate
};
