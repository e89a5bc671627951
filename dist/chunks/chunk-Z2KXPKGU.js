import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/version.ts
var VERSION = "0.1.0";
var ISSUES_URL = "https://github.com/restorable/restorable/issues";

export {
  VERSION,
  ISSUES_URL
};
