import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/util/bounded.ts
var Bounded = class {
  constructor(limit) {
    this.limit = limit;
  }
  running = /* @__PURE__ */ new Set();
  failure;
  async start(task) {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.check();
    const run = task().catch((error) => void (this.failure ??= { error })).finally(() => this.running.delete(run));
    this.running.add(run);
  }
  async drain() {
    await this.settle();
    this.check();
  }
  /** Throws the first failure of a task, if one failed. */
  check() {
    if (this.failure) throw this.failure.error;
  }
  /** Waits for every task, failed or not (before what they wrote into is removed). */
  async settle() {
    while (this.running.size > 0) await Promise.race(this.running);
  }
};

export {
  Bounded
};
