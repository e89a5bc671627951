/**
 * Child processes, always from argument arrays (never a shell), in their own
 * process group so that aborting ends the whole tree: killing only the parent
 * would leave a zstd or tar writing on. Output is streamed, with backpressure.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Duplex, Readable, Writable } from 'node:stream';
import { RunError, reason } from '../errors.js';

const STDERR_LIMIT = 16 * 1024;

let setprivFound: boolean | undefined;

function findable(command: string): boolean {
  const runnable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return runnable(command);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && runnable(join(dir, command)));
}

/**
 * The argv that starts `command` so that it dies with this process even when
 * this one is killed outright (kill -9, the OOM killer), which no handler of
 * ours sees: on Linux, setpriv (util-linux) sets PR_SET_PDEATHSIG to SIGTERM
 * and execs the command, which Node cannot do itself. Unchanged where setpriv
 * is missing, or the command is not found (so that it fails as ENOENT).
 */
export function tiedToParent(command: string, args: readonly string[]): [string, string[]] {
  setprivFound ??= process.platform === 'linux' && hasCommand('setpriv');
  if (!setprivFound || !findable(command)) return [command, [...args]];
  return ['setpriv', ['--pdeathsig', 'TERM', '--', command, ...args]];
}

function spawnTied(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const [file, argv] = tiedToParent(command, args);
  return spawn(file, argv, options);
}

function endGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}

function collect(stream: Readable | null): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    if (text.length < STDERR_LIMIT) text += chunk.toString('utf8');
  });
  return () => text.trim();
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * A Duplex that pipes bytes through `command args...`. It fails with a
 * RunError naming the exit status and stderr when the command fails, or
 * cannot start; a command that stops reading early (EPIPE) is reported by
 * its exit status, not as a broken pipe.
 */
/** The stdout of a child as a Readable that fails with a RunError when the child fails or cannot start. */
function outputOf(child: ChildProcess, command: string, what: string): Readable {
  const stderr = collect(child.stderr);
  const exit = exitOf(child);
  exit.catch(() => undefined);
  async function* output() {
    for await (const chunk of child.stdout!) yield chunk as Buffer;
    const { code, signal } = await exit.catch((error: unknown) => {
      throw new RunError(`${what}: cannot run ${command}: ${reason(error)}`, { hint: `Install ${command}, or check PATH.` });
    });
    if (code !== 0) throw new RunError(`${what}: ${command} failed (${signal ?? `exit ${code}`}): ${stderr() || 'no message'}`);
  }
  const readable = Readable.from(output(), { objectMode: false });
  readable.on('close', () => endGroup(child));
  return readable;
}

/** The output of `command args...` (which reads no input), as a stream. */
export function spawnReader(command: string, args: readonly string[], what: string): Readable {
  return outputOf(spawnTied(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true }), command, what);
}

/**
 * The output of `command args...` whose input another child process writes
 * straight into its stdin pipe (`feed` starts that producer with the pipe as
 * its stdout): those bytes never pass through this process. Our copy of the
 * pipe is closed at once, so the command sees EOF when the producer ends.
 */
export function spawnFedReader(command: string, args: readonly string[], what: string, feed: (stdin: Writable) => void): Readable {
  const child = spawnTied(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const output = outputOf(child, command, what);
  try {
    feed(child.stdin!);
  } finally {
    child.stdin!.destroy();
  }
  return output;
}

export function spawnTransform(command: string, args: readonly string[], what: string): Duplex {
  const child = spawnTied(command, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const stdin = child.stdin!;
  stdin.on('error', () => undefined);
  const input = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _encoding, callback) {
      if (stdin.destroyed || !stdin.writable) return callback();
      if (stdin.write(chunk)) return callback();
      const done = () => {
        stdin.off('drain', done).off('close', done);
        callback();
      };
      stdin.once('drain', done).once('close', done);
    },
    final(callback) {
      stdin.end();
      callback();
    },
  });
  const duplex = Duplex.from({ writable: input, readable: outputOf(child, command, what) });
  duplex.on('close', () => endGroup(child));
  return duplex;
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const KILL_GRACE_MS = 3000;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Runs a short command to completion (hooks, health checks, version probes).
 * It is done when the command itself exits: a process it started in the
 * background (an app a post_restore hook starts) may keep running and keep
 * our pipes open. At the timeout the whole process group gets SIGTERM, then
 * SIGKILL after a grace period, even when the command itself ignores SIGTERM.
 */
export async function runCommand(
  argv: readonly string[],
  options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<CommandResult> {
  const [command, ...args] = argv;
  const child = spawn(command!, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let timedOut = false;
  let killer: NodeJS.Timeout | undefined;
  const stop = () => {
    signalGroup(child, 'SIGTERM');
    killer ??= setTimeout(() => signalGroup(child, 'SIGKILL'), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const { code, signal } = await exited;
    // Let the pipes drain a moment, but do not wait for a background process holding them.
    await Promise.race([new Promise((resolve) => child.once('close', resolve)), new Promise((resolve) => setTimeout(resolve, 200))]);
    if (timedOut) signalGroup(child, 'SIGKILL');
    return { code, signal, stdout: stdout(), stderr: stderr(), timedOut };
  } finally {
    clearTimeout(timer);
    clearTimeout(killer);
    options.signal?.removeEventListener('abort', stop);
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
}

/** Whether `command` can be run at all (for optional tools such as zstd). */
export function hasCommand(command: string, versionFlag = '--version'): boolean {
  const result = spawnSync(command, [versionFlag], { stdio: 'ignore', timeout: 5000 });
  return result.error === undefined && result.status === 0;
}
