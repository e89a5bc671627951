import { rmSync } from 'node:fs';
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
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: ['test/last/**'], sequence: { groupOrder: 0 } } },
      // Runs after every other test file has finished: it scans all their CLI output for planted secrets.
      { extends: true, test: { name: 'last', include: ['test/last/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
