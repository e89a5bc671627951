import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// One log folder per run of the suite (test/helpers/leaks.ts); workers inherit the variable.
if (!process.env.RESTORABLE_TEST_RUN) {
  process.env.RESTORABLE_TEST_RUN = `${Date.now()}`;
  rmSync(resolve(import.meta.dirname, '.cache', 'test-logs'), { recursive: true, force: true });
}

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The tests mostly wait on child processes and servers: vitest's default
    // (cores - 1) runs them one file at a time on a 2-core machine (8 min, not 5).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/last/**'], sequence: { groupOrder: 0 } } },
      // Runs after every other test file has finished: it scans all their CLI output for planted secrets.
      { extends: true, test: { name: 'last', include: ['test/last/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
