// The closing line CI reads, from vitest's JSON report: "N passed, N failed, N skipped".
// Usage: node scripts/test-summary.mjs .cache/vitest.json
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A file that fails outside any test (a missing service when it loads, a
 * failing beforeAll) counts as one failure: vitest itself counts no failed
 * test there, and reports the tests it did not run as skipped.
 */
export function summary(report) {
  const broken = report.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed')).length;
  return `${report.numPassedTests} passed, ${report.numFailedTests + broken} failed, ${report.numPendingTests + report.numTodoTests} skipped`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(summary(JSON.parse(readFileSync(process.argv[2], 'utf8'))));
}
