import { createRequire as __restorableCreateRequire } from 'node:module';
import { fileURLToPath as __restorableFileURLToPath } from 'node:url';
import { dirname as __restorableDirname } from 'node:path';
const require = __restorableCreateRequire(import.meta.url);
const __filename = __restorableFileURLToPath(import.meta.url);
const __dirname = __restorableDirname(__filename);

// src/util/retry.ts
import { setTimeout as sleep } from "node:timers/promises";
var givenUp = /* @__PURE__ */ new Set();
function retryBudgetMs(env = process.env) {
  const raw = env.RESTORABLE_RETRY_SECONDS;
  const seconds = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1e3 : 6e4;
}
async function withRetry(run, options) {
  const { transient, firstDelayMs = 250, maxDelayMs = 1e4, signal, place } = options;
  const totalMs = place !== void 0 && givenUp.has(place) ? 0 : options.totalMs ?? retryBudgetMs();
  const deadline = Date.now() + totalMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await run(attempt);
      if (place !== void 0) givenUp.delete(place);
      return result;
    } catch (error) {
      signal?.throwIfAborted();
      const cap = Math.min(maxDelayMs, firstDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(Math.random() * cap);
      if (!transient(error) || Date.now() + delay >= deadline) {
        if (place !== void 0 && transient(error)) givenUp.add(place);
        throw error;
      }
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, void 0, signal ? { signal } : void 0);
    }
  }
}
var TRANSIENT_CODES = /* @__PURE__ */ new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED", "UND_ERR_SOCKET"]);
function isNetworkError(error) {
  for (let at = error; at instanceof Error; at = at.cause) {
    const code = at.code;
    if (code && TRANSIENT_CODES.has(code)) return true;
  }
  return false;
}

export {
  retryBudgetMs,
  withRetry,
  isNetworkError
};
