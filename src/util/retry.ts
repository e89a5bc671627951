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
  /**
   * Names the place being reached (a host, a bucket). Once its budget was
   * spent in vain, later calls in this process try it once, without waits:
   * a target that is down costs a run one budget, not one per operation
   * (lock, probe, writes, unlock). A success clears it.
   */
  place?: string;
}

/** Places whose retry budget ran out in this process (see `place`). */
const givenUp = new Set<string>();

/** The total retry budget: RESTORABLE_RETRY_SECONDS (tests shorten it), else 60 s. */
export function retryBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.RESTORABLE_RETRY_SECONDS;
  const seconds = raw ? Number(raw) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 60_000;
}

export async function withRetry<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { transient, firstDelayMs = 250, maxDelayMs = 10_000, signal, place } = options;
  const totalMs = place !== undefined && givenUp.has(place) ? 0 : (options.totalMs ?? retryBudgetMs());
  const deadline = Date.now() + totalMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await run(attempt);
      if (place !== undefined) givenUp.delete(place);
      return result;
    } catch (error) {
      signal?.throwIfAborted();
      const cap = Math.min(maxDelayMs, firstDelayMs * 2 ** (attempt - 1));
      const delay = Math.round(Math.random() * cap);
      if (!transient(error) || Date.now() + delay >= deadline) {
        if (place !== undefined && transient(error)) givenUp.add(place);
        throw error;
      }
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
