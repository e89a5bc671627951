import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);
import {
  MonitorSession,
  eventOf
} from "./chunk-5PFWM6NI.js";
import "./chunk-2J7YGRIP.js";
import "./chunk-QVOAAX5T.js";
import "./chunk-WHVU3KGO.js";
import "./chunk-ZJTQKECG.js";
export {
  MonitorSession,
  eventOf
};
