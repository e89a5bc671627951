/**
 * The lock protocol on a real local target, in-process: runs that start at
 * the same instant serialise (never two holders at once), and staleness is
 * judged by pid on this host and by age elsewhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLocks, staleness, type LockBody } from '../../src/pipeline/lock.js';
import { CollectedReporter } from '../../src/report/collected.js';
import { createTarget } from '../../src/targets/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const target = () => createTarget({ name: 'nas', type: 'local', path: dir }, { planDir: dir });
const options = (waitMs = 0) => ({ plan: 'app', command: 'backup', staleAfterMs: 3600_000, breakLock: false, waitMs, reporter: new CollectedReporter(), signal: new AbortController().signal });

describe('locks', () => {
  it('six runs starting together hold the lock one at a time', async () => {
    const held: { start: number; end: number }[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const lock = await acquireLocks([target()], options(30_000));
        const start = performance.now();
        await new Promise((r) => setTimeout(r, 40));
        held.push({ start, end: performance.now() });
        await lock.release();
      }),
    );
    expect(held).toHaveLength(6);
    held.sort((a, b) => a.start - b.start);
    for (let i = 1; i < held.length; i++) expect(held[i]!.start).toBeGreaterThanOrEqual(held[i - 1]!.end);
  });

  it('judges staleness by pid on this host, and by age for other hosts', () => {
    const now = new Date();
    const lock = (over: Partial<LockBody>): LockBody => ({ run_id: 'r', owner: 'u', host: hostname(), pid: process.pid, started_at: now.toISOString(), command: 'backup', ...over });
    expect(staleness(lock({}), now, 3600_000)).toBeUndefined();
    expect(staleness(lock({ pid: 2 ** 22 + 12345 }), now, 3600_000)).toMatch(/is gone/);
    expect(staleness(lock({ host: 'elsewhere', pid: 2 ** 22 + 12345 }), now, 3600_000)).toBeUndefined();
    expect(staleness(lock({ host: 'elsewhere', started_at: new Date(now.getTime() - 7200_000).toISOString() }), now, 3600_000)).toMatch(/older than 60 minutes/);
  });
});
