import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/util/linger.ts
var closers = /* @__PURE__ */ new Set();
function linger(close) {
  closers.add(close);
  return () => closers.delete(close);
}
async function closeLingering() {
  const all = [...closers];
  closers.clear();
  await Promise.all(all.map((close) => close()));
}

export {
  linger,
  closeLingering
};
