/**
 * The suite's own rules (issue 17): a missing tool or server fails, with its
 * install command, whether or not CI is set; no test file skips; and the
 * closing line CI reads counts a file that failed outside any test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { requireService, SETUP } from '../helpers/net.js';

describe('requireService', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
  });

  it('throws with the install command and the setup command, with CI set or not', () => {
    for (const value of [undefined, 'true', 'false']) {
      if (value === undefined) delete process.env.CI;
      else process.env.CI = value;
      expect(() => requireService('the age tool', false, 'apt-get install -y age')).toThrow(`the age tool is missing: apt-get install -y age (or ${SETUP}`);
    }
  });

  it('returns when the service is there', () => {
    expect(() => requireService('the age tool', true, 'apt-get install -y age')).not.toThrow();
  });
});

describe('no test skips', () => {
  it('no test file calls skip, skipIf, runIf or todo, or reads CI', () => {
    const files = readdirSync(join(ROOT, 'test'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
      .map((e) => join(e.parentPath, e.name))
      .filter((f) => f !== import.meta.filename);
    expect(files.length).toBeGreaterThan(20);
    const offending = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => [line, i + 1] as const)
        .filter(([line]) => /\.(skip|skipIf|runIf|todo)\s*\(|process\.env\.CI\b/.test(line))
        .map(([line, n]) => `${relative(ROOT, file)}:${n}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });
});

describe('the closing line (scripts/test-summary.mjs)', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
  const summary = (report: unknown) => {
    dir = mkdtempSync(join(tmpdir(), 'restorable-summary-'));
    writeFileSync(join(dir, 'vitest.json'), JSON.stringify(report));
    return execFileSync(process.execPath, [join(ROOT, 'scripts', 'test-summary.mjs'), join(dir, 'vitest.json')], { encoding: 'utf8' }).trim();
  };
  const file = (status: string, tests: string[]) => ({ status, assertionResults: tests.map((s) => ({ status: s })) });

  it('counts a file that failed when it loaded, or in a beforeAll, as a failure; its unrun tests as skipped', () => {
    const report = {
      numPassedTests: 3,
      numFailedTests: 1,
      numPendingTests: 2,
      numTodoTests: 0,
      testResults: [file('passed', ['passed', 'passed']), file('failed', ['passed', 'failed']), file('failed', []), file('failed', ['skipped', 'skipped'])],
    };
    expect(summary(report)).toBe('3 passed, 3 failed, 2 skipped');
  });

  it('a clean run reads 0 failed, 0 skipped', () => {
    expect(summary({ numPassedTests: 2, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, testResults: [file('passed', ['passed', 'passed'])] })).toBe('2 passed, 0 failed, 0 skipped');
  });
});
