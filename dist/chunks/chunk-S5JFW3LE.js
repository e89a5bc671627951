import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/report/counts.ts
var SINGULAR = { files: "file", dirs: "dir", symlinks: "symlink", databases: "database", tables: "table", rows: "row", bytes: "byte" };
function countsText(counts) {
  return Object.entries(counts).map(([key, n]) => `${n} ${n === 1 ? SINGULAR[key] ?? key : key}`).join(", ");
}
function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export {
  countsText,
  plural
};
