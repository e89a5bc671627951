/**
 * Child processes: spawnTransform() pipes bytes through a command as a stream
 * and fails when the command fails; runCommand() runs a short command with a
 * timeout that ends the whole process group, not just the parent.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunError } from '../../src/errors.js';
import { hasCommand, runCommand, spawnTransform } from '../../src/util/spawn.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Collects a stream's bytes. */
function collector(): { sink: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    sink: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
    bytes: () => Buffer.concat(chunks),
  };
}

/** Whether a process still runs (a zombie waiting to be reaped counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    if (existsSync('/proc/self/stat')) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!running(pid)) return true;
    await sleep(25);
  }
  return !running(pid);
}

let dir: string;
const leftovers: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-spawn-'));
});
afterEach(() => {
  // Only processes this test started, by pid, in case an assertion failed before they ended.
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('spawnTransform', () => {
  it('pipes bytes through cat unchanged (several MB, with backpressure)', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 7);
    const out = collector();
    await pipeline(
      Readable.from(
        (function* () {
          for (let at = 0; at < data.length; at += 100_000) yield data.subarray(at, at + 100_000);
        })(),
      ),
      spawnTransform('cat', [], 'copying'),
      out.sink,
    );
    expect(out.bytes().length).toBe(data.length);
    expect(sha256(out.bytes())).toBe(sha256(data));
  });

  it('pipes an empty stream through as empty', async () => {
    const out = collector();
    await pipeline(Readable.from([]), spawnTransform('cat', [], 'copying'), out.sink);
    expect(out.bytes().length).toBe(0);
  });

  it('errors with a RunError naming the exit code when the command exits non-zero', async () => {
    const out = collector();
    const failing = spawnTransform('sh', ['-c', 'cat >/dev/null; exit 3'], 'test step');

    const error = await pipeline(Readable.from([Buffer.from('some input')]), failing, out.sink).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toBe('test step: sh failed (exit 3): no message');
  });

  it("puts the command's stderr into the error", async () => {
    const failing = spawnTransform('sh', ['-c', 'cat >/dev/null; echo "bad magic number" >&2; exit 1'], 'zstd decompression');
    await expect(pipeline(Readable.from([Buffer.from('x')]), failing, collector().sink)).rejects.toThrow(
      'zstd decompression: sh failed (exit 1): bad magic number',
    );
  });

  it('fails even when the command wrote output before exiting non-zero', async () => {
    const out = collector();
    const failing = spawnTransform('sh', ['-c', 'cat; exit 2'], 'half');
    await expect(pipeline(Readable.from([Buffer.from('partial output')]), failing, out.sink)).rejects.toThrow(/exit 2/);
  });

  it('reports the exit code and stderr of a command that exits early without reading all of its input', async () => {
    // Like `zstd -d` stopping at a bad header while megabytes are still being written to it.
    const input = Readable.from(
      (function* () {
        for (let i = 0; i < 80; i++) yield randomBytes(64 * 1024);
      })(),
    );
    const failing = spawnTransform('sh', ['-c', 'echo "unknown header" >&2; exit 1'], 'zstd decompression');
    const error = await pipeline(input, failing, collector().sink).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toBe('zstd decompression: sh failed (exit 1): unknown header');
  });

  it('errors with a RunError when the command does not exist', async () => {
    const missing = spawnTransform('restorable-no-such-command-xyz', [], 'probe');
    const error = await pipeline(Readable.from([Buffer.from('x')]), missing, collector().sink).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toMatch(/^probe: cannot run restorable-no-such-command-xyz: .*ENOENT/);
  });
});

describe('runCommand', () => {
  it('returns exit code, stdout and stderr, trimmed', async () => {
    const result = await runCommand(['sh', '-c', 'echo out; echo err >&2; exit 4'], { cwd: dir, timeoutMs: 10_000 });
    expect(result).toEqual({ code: 4, signal: null, stdout: 'out', stderr: 'err', timedOut: false });
  });

  it('runs in the given folder with the given environment', async () => {
    const result = await runCommand(['sh', '-c', 'pwd; echo "$RESTORABLE_TEST_VALUE"'], {
      cwd: dir,
      timeoutMs: 10_000,
      env: { PATH: process.env.PATH, RESTORABLE_TEST_VALUE: 'from-env' },
    });
    expect(result.stdout.split('\n')).toEqual([dir, 'from-env']);
  });

  it('kills sleep 30 within the timeout and says it timed out', async () => {
    const started = Date.now();
    const result = await runCommand(['sleep', '30'], { cwd: dir, timeoutMs: 300 });
    const took = Date.now() - started;

    expect(result.timedOut).toBe(true);
    expect(result.code).toBeNull();
    expect(result.signal).toBe('SIGTERM');
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(5_000);
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const started = Date.now();
    const result = await runCommand(['sh', '-c', `sleep 30 & echo $! > "${pidFile}"; wait`], { cwd: dir, timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.timedOut).toBe(true);

    const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
    expect(grandchild).toBeGreaterThan(0);
    leftovers.push(grandchild);
    expect(await waitUntilGone(grandchild, 3_000), `sleep (pid ${grandchild}) outlived its parent`).toBe(true);
  });

  it('ends the process group when the abort signal fires', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const result = await runCommand(['sleep', '30'], { cwd: dir, timeoutMs: 60_000, signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.signal).toBe('SIGTERM');
    expect(result.timedOut).toBe(false);
  });

  it('does not time out a command that finishes in time', async () => {
    const result = await runCommand(['sh', '-c', 'sleep 0.1; echo done'], { cwd: dir, timeoutMs: 5_000 });
    expect(result).toMatchObject({ code: 0, stdout: 'done', timedOut: false });
  });
});

describe('hasCommand', () => {
  it('tells whether a command runs', () => {
    expect(hasCommand('sh', '-c')).toBe(false); // `sh -c` without a script fails: the status counts
    expect(hasCommand('true')).toBe(true);
    expect(hasCommand('restorable-no-such-command-xyz')).toBe(false);
  });
});
