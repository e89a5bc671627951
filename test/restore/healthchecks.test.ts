/**
 * Health checks against real things: a restored SQLite file, an HTTP server
 * on 127.0.0.1 that becomes healthy after a few tries, and a command that
 * sees where the restored sources are.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/load.js';
import { CollectedReporter } from '../../src/report/collected.js';
import { runHealthChecks } from '../../src/restore/healthchecks.js';

let dir: string;
let server: Server;
let port: number;
let hits = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-checks-'));
  const db = new Database(join(dir, 'restored.sqlite'));
  db.exec("create table users (id integer primary key, name text); insert into users (name) values ('ada'), ('grace');");
  db.close();
  server = createServer((req, res) => {
    hits += 1;
    if (req.url === '/flaky' && hits < 3) return void res.writeHead(503).end('starting');
    res.writeHead(200).end('{"res":"pong"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function planWith(checks: string): ReturnType<typeof parsePlan>['plan'] {
  const text = `version: 1
name: t
sources: [{name: db, type: sqlite, path: app.sqlite}, {name: files, type: files, path: up}]
targets: [{name: a, type: local, path: /tmp/a}]
policy: {rule: {copies: 2, media: 1, offsite: 0}}
restore:
  healthchecks:
${checks}`;
  return parsePlan(text, '/x/restorable.yml', { env: {}, capabilities: { zstd: true } }).plan;
}

async function run(checks: string, mode: 'restore' | 'drill' = 'restore') {
  const reporter = new CollectedReporter();
  const results = await runHealthChecks({
    plan: planWith(checks),
    planDir: dir,
    locations: new Map([
      ['db', join(dir, 'restored.sqlite')],
      ['files', join(dir, 'files')],
    ]),
    mode,
    reporter,
    signal: new AbortController().signal,
    env: process.env,
  });
  return { results, reporter };
}

describe('health checks', () => {
  it('sql: NULL (a sum over no rows) fails a min/max check instead of reading as 0', async () => {
    const { results } = await run(`    - {name: total, source: db, sql: "select sum(id) from users where name = 'nobody'", expect: {max: 10}}`);
    expect(results.map((r) => [r.name, r.status, r.detail])).toEqual([['total', 'failed', 'got null, expected {"max":10}']]);
  });

  it('sql: equals, min/max and contains against the restored database', async () => {
    const { results } = await run(`    - {name: integrity, source: db, sql: "pragma integrity_check", expect: {equals: ok}}
    - {name: count, source: db, sql: "select count(*) from users", expect: {min: 2, max: 2}}
    - {name: first, source: db, sql: "select name from users order by id", expect: {contains: ad}}
    - {name: too few, source: db, sql: "select count(*) from users", expect: {min: 3}}
    - {name: bad sql, source: db, sql: "select nope from users", expect: {equals: 1}}`);
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['integrity', 'ok'],
      ['count', 'ok'],
      ['first', 'ok'],
      ['too few', 'failed'],
      ['bad sql', 'failed'],
    ]);
    expect(results[3]!.detail).toBe('got 2, expected {"min":3}');
    expect(results[4]!.detail).toMatch(/no such column: nope/);
  });

  it('http: retries until the app answers, and reports the status it got', async () => {
    hits = 0;
    const { results } = await run(`    - {name: ping, http: {url: "http://127.0.0.1:${port}/flaky", contains: pong}, retries: 5, interval: 50ms}
    - {name: wrong status, http: {url: "http://127.0.0.1:${port}/", status: 204}}`);
    expect(results[0]).toMatchObject({ status: 'ok', detail: 'passed on try 3' });
    expect(results[1]).toMatchObject({ status: 'failed', detail: 'HTTP 200, expected 204' });
  });

  it('http checks are skipped in a drill, and say why', async () => {
    const { results } = await run(`    - {name: ping, http: {url: "http://127.0.0.1:${port}/"}}`, 'drill');
    expect(results[0]).toMatchObject({ status: 'skipped', detail: expect.stringContaining('scratch place') });
  });

  it('command: sees RESTORABLE_SOURCE_<NAME> and RESTORABLE_MODE; a non-zero exit fails with its output', async () => {
    const script = 'if (process.env.RESTORABLE_SOURCE_DB.endsWith("restored.sqlite") && process.env.RESTORABLE_MODE === "drill") process.exit(0); console.error("wrong env"); process.exit(4)';
    const ok = await run(`    - {name: env, command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(script)}]}`, 'drill');
    expect(ok.results[0]!.status).toBe('ok');
    const bad = await run(`    - {name: env, command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(script)}]}`, 'restore');
    expect(bad.results[0]).toMatchObject({ status: 'failed', detail: 'exit 4: wrong env' });
  });

  it('command: a check that hangs is stopped at its timeout', async () => {
    const started = Date.now();
    const { results } = await run(`    - {name: hang, command: [sleep, "30"], timeout: 300ms}`);
    expect(results[0]).toMatchObject({ status: 'failed', detail: 'timed out after 0.3s' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
