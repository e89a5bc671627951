/**
 * Hostile inputs get a clear answer and their documented exit code, never
 * exit 70 and never a stack trace: archive entries deeper than any file
 * system allows, a symlink chain that makes a later entry write through a
 * link, a malformed age identity, a plan nested thousands deep.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { json, runCli, type CliResult } from '../helpers/cli.js';
import { forge } from '../helpers/forge.js';
import { treeOf } from '../helpers/tree.js';
import { basePlan, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace({ assets: 4 });
});
afterEach(() => ws.cleanup());

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--plan', ws.plan], { env });

function clean(result: CliResult): void {
  expect(result.stderr + result.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(result.stderr).not.toMatch(/internal error|this is a bug/i);
}

async function backupId(env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await cli(['backup', '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return json<{ id: string }>(result).id;
}

/** The app folder's content (-shm by content only: reading the live database touches its mtime). */
async function appState(): Promise<Record<string, string>> {
  const tree = await treeOf(join(ws.dir, 'app'));
  for (const [path, entry] of Object.entries(tree)) if (path.endsWith('-shm')) tree[path] = entry.replace(/^(file \d+) \d+/, '$1');
  return tree;
}

/** A tar made by Python's tarfile from (name, kind, data-or-link) entries. */
function tarOf(entries: [string, 'file' | 'dir' | 'link', string][]): Buffer {
  const out = join(ws.dir, 'hostile.tar');
  execFileSync('python3', ['-c', `
import io, json, sys, tarfile
with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) as t:
    for name, kind, value in json.loads(sys.argv[2]):
        info = tarfile.TarInfo(name)
        if kind == 'file':
            data = value.encode(); info.size = len(data); t.addfile(info, io.BytesIO(data))
        elif kind == 'dir':
            info.type = tarfile.DIRTYPE; info.mode = 0o755; t.addfile(info)
        else:
            info.type = tarfile.SYMTYPE; info.linkname = value; t.addfile(info)
`, out, JSON.stringify(entries)]);
  return readFileSync(out);
}

describe('hostile archives: exit 5, no stack trace, the live folder untouched', () => {
  it.each([
    ['an entry 2,000 folders deep', () => tarOf([[`${'d/'.repeat(2000)}deep.txt`, 'file', 'deep']]), /is 2001 levels deep, deeper than 1024 folders/],
    [
      'the symlink chain e -> a/a/../.., a -> ., e/chain.txt',
      () => tarOf([['a', 'dir', ''], ['e', 'link', 'a/a/../..'], ['a', 'link', '.'], ['e/chain.txt', 'file', 'escaped']]),
      /an entry would be written through the symlink "e"/,
    ],
  ])('%s', async (_name, make, says) => {
    const id = await backupId();
    forge(ws, id, 'uploads', make());
    const before = await appState();
    for (const command of ['restore', 'drill']) {
      const result = await cli([command, '--source', 'uploads']);
      expect(result.code, result.stderr).toBe(5);
      expect(result.stderr).toMatch(/The archive for files source "uploads" is unsafe/);
      expect(result.stderr).toMatch(says);
      clean(result);
    }
    expect(await appState()).toEqual(before);
    expect(spawnSync('find', [ws.dir, '-name', 'chain.txt'], { encoding: 'utf8' }).stdout).toBe('');
  });
});

describe('a malformed RESTORABLE_AGE_IDENTITY', () => {
  it('a key line with a bad checksum: exit 9 saying so, nothing restored', async () => {
    const keygen = spawnSync('age-keygen', [], { encoding: 'utf8' });
    expect(keygen.status).toBe(0);
    const identity = keygen.stdout.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
    const recipient = spawnSync('age-keygen', ['-y'], { input: keygen.stdout, encoding: 'utf8' }).stdout.trim();
    ws.writePlan({ ...basePlan(ws.dir), encryption: { age_recipients: [recipient] } });
    await backupId();
    // One character changed: still the shape of a key, but its bech32 checksum fails.
    const last = identity.at(-1) === 'Q' ? 'P' : 'Q';
    const before = await appState();
    for (const command of ['restore', 'drill']) {
      const result = await cli([command], { RESTORABLE_AGE_IDENTITY: identity.slice(0, -1) + last });
      expect(result.code, result.stderr).toBe(9);
      expect(result.stderr).toMatch(/RESTORABLE_AGE_IDENTITY holds a key that is not a valid age identity/);
      clean(result);
    }
    expect(await appState()).toEqual(before);
  });
});

describe('a plan nested thousands deep', () => {
  it.each([
    ['block mappings', (n: number) => Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1\n'],
    ['flow sequences', (n: number) => `version: 1\nname: deep\nsources: ${'['.repeat(n)}${']'.repeat(n)}\n`],
  ])('%s: exit 2 saying it is too deeply nested', async (_name, make) => {
    writeFileSync(ws.plan, make(5000));
    const result = await cli(['validate']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout + result.stderr).toMatch(/restorable\.yml:\d+:\d+: error: .*the plan is nested more than \d+ levels deep/);
    expect(result.stdout + result.stderr).not.toMatch(/Maximum call stack/);
    clean(result);
  });
});
