/**
 * `app.version_from: {http: ...}`: the version an app reports over HTTP is
 * the backup's app version (a real HTTP server in the test process).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, noStackTrace, runCli } from '../helpers/cli.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/api/server/version') res.end(JSON.stringify({ major: 1, minor: 119, patch: 0 }));
    else if (req.url === '/api/version') res.end(JSON.stringify({ app: { version: '2.4.1' } }));
    else if (req.url === '/version.txt') res.end('v0.27.2\n');
    else {
      res.statusCode = 503;
      res.end('starting');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace({ assets: 3 });
});
afterEach(() => ws.cleanup());

async function backupWith(http: Record<string, unknown>) {
  ws.writePlan({ ...basePlan(ws.dir), app: { version_from: { http } } });
  return runCli(['backup', '--json', '--plan', ws.plan], { cwd: ws.dir });
}

describe('app.version_from http', () => {
  it('reads a key of the JSON answer, a list of keys joined by dots, or the whole body', async () => {
    for (const [http, version] of [
      [{ url: `${base}/api/server/version`, json: ['major', 'minor', 'patch'] }, '1.119.0'],
      [{ url: `${base}/api/version`, json: 'app.version' }, '2.4.1'],
      [{ url: `${base}/version.txt` }, 'v0.27.2'],
    ] as const) {
      const backup = await backupWith(http);
      expect(backup.code, backup.stderr).toBe(0);
      expect(json<{ manifest: { app_version: string } }>(backup).manifest.app_version).toBe(version);
    }
  });

  it('an app that does not answer, or answers without the key, fails the backup before anything is read, with a hint', async () => {
    const down = await backupWith({ url: `${base}/starting`, json: 'version' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/app\.version_from: http:\/\/127\.0\.0\.1:\d+\/starting: HTTP 503/);
    expect(down.stderr).toMatch(/Check that the app runs and answers at that URL/);
    const missing = await backupWith({ url: `${base}/api/server/version`, json: 'version' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/the answer has no "version"/);
    for (const r of [down, missing]) noStackTrace(r);
  });
});
