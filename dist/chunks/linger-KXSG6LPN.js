import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  closeLingering,
  linger
} from "./chunk-IIVFCJRN.js";
import "./chunk-ZJTQKECG.js";
export {
  closeLingering,
  linger
};
