/**
 * The SQLite source on every engine this machine has: better-sqlite3 (Node 20,
 * the CLI) and node:sqlite (Node 24, the Action's runtime), each with the
 * online backup API and with VACUUM INTO. Every snapshot is taken while a
 * writer commits as fast as it can, and restored row by row.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { json, node24, runCli } from '../helpers/cli.js';
import { eventCount, eventIds, expectCommittedPrefix, startWriter } from '../helpers/sqlite.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';

const cases = [
  { runtime: 'node 20', node: () => process.execPath, driver: 'better-sqlite3', method: 'backup', label: 'online backup (better-sqlite3)' },
  { runtime: 'node 20', node: () => process.execPath, driver: 'better-sqlite3', method: 'vacuum', label: 'VACUUM INTO (better-sqlite3)' },
  { runtime: 'node 24', node: node24, driver: 'node:sqlite', method: 'backup', label: 'online backup (node:sqlite)' },
  { runtime: 'node 24', node: node24, driver: 'node:sqlite', method: 'vacuum', label: 'VACUUM INTO (node:sqlite)' },
];

let ws: Workspace | undefined;
afterEach(() => ws?.cleanup());

describe.each(cases)('SQLite on $runtime via $driver, $method', ({ node, driver, method, label }) => {
  it('snapshots under a writer that never pauses and restores a consistent, intact copy', async () => {
    const binary = node();
    ws = makeWorkspace();
    const env = { RESTORABLE_SQLITE_DRIVER: driver, RESTORABLE_SQLITE_METHOD: method };
    const writer = await startWriter(ws.db);
    await sleep(800); // let the table grow, so the snapshot takes a while under writes
    const before = eventCount(ws.db);
    const backup = await runCli(['backup', '--plan', ws.plan, '--json'], { node: binary, env });
    writer.kill('SIGKILL');
    expect(backup.code, backup.stderr).toBe(0);
    const after = eventCount(ws.db);
    const manifest = json<{ manifest: { sources: { name: string; method: string; engine: { name: string; version: string } }[] } }>(backup).manifest;
    const db = manifest.sources.find((s) => s.name === 'db')!;
    expect(db.method).toBe(label);
    expect(db.engine.version).toMatch(/^3\.\d+\.\d+$/);

    const drill = await runCli(['drill', '--plan', ws.plan], { node: binary, env });
    expect(drill.code, drill.stderr).toBe(0);
    const restore = await runCli(['restore', '--plan', ws.plan, '--source', 'db'], { node: binary, env });
    expect(restore.code, restore.stderr).toBe(0);
    expectCommittedPrefix(eventIds(ws.db), before, after);
  });
});

describe('driver choice', () => {
  it('the bundle on Node 24 falls back to node:sqlite, as in the Action (better-sqlite3 cannot load there)', async () => {
    const binary = node24();
    ws = makeWorkspace();
    const backup = await runCli(['backup', '--plan', ws.plan, '--json'], { node: binary });
    expect(backup.code, backup.stderr).toBe(0);
    const db = json<{ manifest: { sources: { name: string; method: string }[] } }>(backup).manifest.sources.find((s) => s.name === 'db')!;
    expect(db.method).toBe('online backup (node:sqlite)');
  });

  it('a pinned driver that cannot load is a clear error', async () => {
    ws = makeWorkspace();
    const result = await runCli(['backup', '--plan', ws.plan], { env: { RESTORABLE_SQLITE_DRIVER: 'node:sqlite' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The SQLite driver node:sqlite \(RESTORABLE_SQLITE_DRIVER\) cannot be loaded by Node\.js v20/);
  });
});
