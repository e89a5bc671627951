import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  closestKey,
  keysAt
} from "./chunk-4OO7QTRK.js";
import "./chunk-G5CUNAXC.js";
import "./chunk-2J7YGRIP.js";
import "./chunk-QVOAAX5T.js";
import "./chunk-OZNC2U3J.js";
import "./chunk-WHVU3KGO.js";
import "./chunk-IIVFCJRN.js";
import "./chunk-6LCIRVR7.js";
import "./chunk-ZJTQKECG.js";
export {
  closestKey,
  keysAt
};
