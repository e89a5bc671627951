import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  require_dist_cjs
} from "./chunk-RNPHR4YW.js";
import "./chunk-32H6SAFO.js";
import "./chunk-ZJTQKECG.js";
export default require_dist_cjs();
