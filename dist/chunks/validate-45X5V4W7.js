import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  validate
} from "./chunk-JXLWURT4.js";
import "./chunk-R3ZWNMNI.js";
import "./chunk-E4V35U3U.js";
import "./chunk-DTIPO557.js";
import "./chunk-OZNC2U3J.js";
import "./chunk-TBQSFWBU.js";
import "./chunk-QVOAAX5T.js";
import "./chunk-WHVU3KGO.js";
import "./chunk-IIVFCJRN.js";
import "./chunk-ZJTQKECG.js";
export {
  validate
};
