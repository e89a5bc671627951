/** Retries: transient errors again with backoff inside a time budget; anything else at once. */
import { describe, expect, it } from 'vitest';
import { isNetworkError, retryBudgetMs, withRetry } from '../../src/util/retry.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

describe('withRetry', () => {
  it('retries a transient failure until it heals', async () => {
    let calls = 0;
    const value = await withRetry(async () => (++calls < 3 ? Promise.reject(refused()) : 'ok'), { transient: isNetworkError, firstDelayMs: 5, totalMs: 5_000 });
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry what will not heal', async () => {
    let calls = 0;
    await expect(withRetry(async () => Promise.reject(new Error(`denied ${++calls}`)), { transient: isNetworkError, totalMs: 5_000 })).rejects.toThrow('denied 1');
    expect(calls).toBe(1);
  });

  it('gives up within its time budget and rethrows the last error', async () => {
    const started = Date.now();
    let calls = 0;
    await expect(withRetry(async () => (calls++, Promise.reject(refused())), { transient: isNetworkError, firstDelayMs: 20, totalMs: 300 })).rejects.toThrow('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls).toBeGreaterThan(1);
  });

  it('finds network codes in causes, and reads its budget from the environment', () => {
    expect(isNetworkError(new Error('wrapped', { cause: refused() }))).toBe(true);
    expect(isNetworkError(new Error('plain'))).toBe(false);
    expect(retryBudgetMs({ RESTORABLE_RETRY_SECONDS: '2' })).toBe(2_000);
    expect(retryBudgetMs({})).toBe(60_000);
  });
});
