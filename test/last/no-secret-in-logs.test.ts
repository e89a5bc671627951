/**
 * Runs after every other test file (a later vitest group): every line the
 * CLI printed in this run of the suite is checked against every secret the
 * tests planted (test/helpers/leaks.ts). test/suite/leaks.test.ts proves the
 * scan finds a leak when there is one.
 */
import { expect, it } from 'vitest';
import { scanLogs } from '../helpers/leaks.js';

it('no planted secret appears in any CLI output of the suite', () => {
  const { leaks, secrets, lines } = scanLogs();
  expect(lines, 'no CLI output was logged: this test belongs to a run of the whole suite').toBeGreaterThan(0);
  expect(secrets, 'no secret was planted: the scan would prove nothing').toBeGreaterThan(0);
  const masked = leaks.map((l) => `${l.file}:${l.line}: ${l.text.replaceAll(l.secret, '<SECRET>')}`);
  expect(masked).toEqual([]);
});
