/**
 * Retrying what may heal by itself (a dropped connection, a throttled or busy
 * server) with exponential backoff and full jitter, within a bounded total
 * time. Each target decides what is transient: a refused credential, a
 * missing bucket or an unknown host key never heal and fail at once.
 * Streams cannot be replayed, so a put is never retried here; the stores'
 * own clients retry single parts (S3 multipart) where they can.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Whether `error` may heal if tried again. */
  transient: (error: unknown) => boolean;
  /** Total time budget in ms, waits included; the last attempt starts before it ends. */
  totalMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log "retrying in 2s". */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** The total retry budget: RESTORABLE_RETRY_SECONDS (tests shorten it), else 60 s. */
export function retryBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.RESTORABLE_RETRY_SECONDS;
  const seconds = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 60_000;
}

export async function withRetry<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { transient, totalMs = retryBudgetMs(), firstDelayMs = 250, maxDelayMs = 10_000, signal } = options;
  const deadline = Date.now() + totalMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      signal?.throwIfAborted();
      const cap = Math.min(maxDelayMs, firstDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(Math.random() * cap);
      if (!transient(error) || Date.now() + delay >= deadline) throw error;
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, undefined, signal ? { signal } : undefined);
    }
  }
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** Network-level failures every adapter treats as transient. */
export function isNetworkError(error: unknown): boolean {
  for (let at: unknown = error; at instanceof Error; at = at.cause) {
    const code = (at as NodeJS.ErrnoException).code;
    if (code && TRANSIENT_CODES.has(code)) return true;
  }
  return false;
}
