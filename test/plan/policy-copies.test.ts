/**
 * Copies that do not count: a volatile tier (the GitHub cache) never does,
 * and a copy the store deletes by itself (a GitHub artifact) counts only
 * until it expires, judged at the time of the check.
 */
import { describe, expect, it } from 'vitest';
import { counts, evaluate, type Copy } from '../../src/plan/policy.js';

const nas: Copy = { target: 'nas', medium: 'disk', offsite: false, immutable: false };
const cache: Copy = { target: 'cache', medium: 'artifact', offsite: true, immutable: false, counted: false };
const artifact = (expiresAt: string): Copy => ({ target: 'gh', medium: 'artifact', offsite: true, immutable: false, expiresAt });

describe('copies that do not count', () => {
  const now = new Date('2026-11-22T02:00:00Z');

  it('never counts the cache tier, even when it would complete 3-2-1', () => {
    expect(counts(cache, now)).toBe(false);
    const verdict = evaluate('3-2-1', [nas, cache], now);
    expect(verdict.met).toBe(false);
    expect(verdict.have).toEqual({ copies: 2, media: 1, offsite: 0, immutable: 0 });
  });

  it('counts an artifact until it expires, and not a moment after', () => {
    const live = artifact('2026-12-01T00:00:00Z');
    expect(evaluate('3-2-1', [nas, live], now).met).toBe(true);
    expect(evaluate('3-2-1', [nas, live], new Date('2026-12-01T00:00:00Z')).met).toBe(false);
    expect(counts(artifact('2026-11-22T01:59:59Z'), now)).toBe(false);
  });

  it('3-2-1-1-0: a target that declares itself immutable (an Object Lock bucket) supplies the 1', () => {
    const locked: Copy = { target: 'b2', medium: 'object', offsite: true, immutable: true };
    expect(evaluate('3-2-1-1-0', [nas, { ...locked, immutable: false }], now).missing).toEqual(['0 of 1 immutable copies']);
    expect(evaluate('3-2-1-1-0', [nas, locked], now).met).toBe(true);
  });
});
