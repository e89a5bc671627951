/**
 * The suite's secret-leak net must really catch a leak: these run the
 * checker on a scratch log folder, and the real CLI once with a secret in
 * the plan's path, so the logs the global teardown scans hold its masked form.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { plantSecret, recordRun, scanLogs, secretsOf } from '../helpers/leaks.js';
import { makeWorkspace } from '../helpers/workspace.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-leaks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the secret scan', () => {
  it('finds a planted secret in a logged line, raw or URL-encoded, and names file and line', () => {
    plantSecret('s3cr3t/pa ss', dir);
    recordRun(['backup'], {}, 'fine\n', 'error: connect to postgres://u:s3cr3t%2Fpa%20ss@db failed\n', dir);
    recordRun(['verify'], {}, 'leaked s3cr3t/pa ss here\n', '', dir);
    const { leaks } = scanLogs(dir);
    expect(leaks.map((l) => l.text)).toEqual(['err| error: connect to postgres://u:s3cr3t%2Fpa%20ss@db failed', 'out| leaked s3cr3t/pa ss here']);
    expect(leaks[0]!.file).toMatch(/^run-\d+\.log$/);
  });

  it('plants secret-named env values of a run by itself, and finds nothing in masked output', () => {
    recordRun(['restore'], { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI-K7MDENG', PLAIN: 'not-a-secret' }, 'key is ***\nnot-a-secret\n', '', dir);
    const scan = scanLogs(dir);
    expect(scan.secrets).toBe(1);
    expect(scan.leaks).toEqual([]);
    recordRun(['restore'], {}, 'oops wJalrXUtnFEMI-K7MDENG\n', '', dir);
    expect(scanLogs(dir).leaks).toHaveLength(1);
    expect(secretsOf({ GITHUB_TOKEN: 'ghp_x', PGPASSWORD: 'abc' })).toEqual(['ghp_x']);
  });

  it('the real CLI masks a ${VAR} secret in an error message (this run is scanned by the global teardown)', async () => {
    const ws = makeWorkspace({ assets: 1 });
    try {
      const secret = 'tok-9f8e7d6c5b4a';
      ws.writePlan({
        version: 1,
        name: 'leaky',
        sources: [{ name: 'db', type: 'sqlite', path: 'app/library.sqlite' }],
        targets: [{ name: 'nas', type: 'local', path: join(ws.dir, 'nowhere-${LEAK_TOKEN}') }],
        policy: { rule: { copies: 2, media: 1, offsite: 0 } },
      });
      const result = await runCli(['backup', '--plan', ws.plan], { env: { LEAK_TOKEN: secret } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('nowhere-***');
      expect(result.stderr + result.stdout).not.toContain(secret);
    } finally {
      ws.cleanup();
    }
  });
});
