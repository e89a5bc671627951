/**
 * pg_dump, pg_restore and pg_dumpall: which install to use, and running them.
 * pg_dump refuses a server of a newer major version, so the version is
 * checked before anything runs and the error names the package to install.
 * Tools come from `bin_dir` when the plan sets it, else the newest of
 * /usr/lib/postgresql/<major>/bin, else PATH.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { RunError, reason } from '../errors.js';
import { runCommand, tiedToParent } from '../util/spawn.js';

export interface PgTools {
  dir: string | null;
  /** e.g. `15.14` */
  version: string;
  major: number;
  path(tool: 'pg_dump' | 'pg_restore' | 'pg_dumpall'): string;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';

function candidates(binDir: string | undefined): (string | null)[] {
  if (binDir) return [binDir];
  const majors = existsSync(DEBIAN_ROOT) ? readdirSync(DEBIAN_ROOT).filter((d) => /^\d+$/.test(d)) : [];
  const dirs = majors.sort((a, b) => Number(b) - Number(a)).map((m) => join(DEBIAN_ROOT, m, 'bin')).filter((d) => existsSync(join(d, 'pg_dump')));
  return [...dirs, null]; // null: whatever PATH has
}

async function versionOf(dir: string | null): Promise<{ version: string; major: number } | undefined> {
  const pgDump = dir ? join(dir, 'pg_dump') : 'pg_dump';
  const result = await runCommand([pgDump, '--version'], { cwd: '/', timeoutMs: 15_000 }).catch(() => undefined);
  const match = result?.code === 0 ? /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(result.stdout) : null;
  if (!match) return undefined;
  return { version: `${match[1]}${match[2] !== undefined ? `.${match[2]}` : ''}`, major: Number(match[1]) };
}

const chosen = new Map<string, Promise<PgTools>>();

/** The client tools to use against a server of `serverMajor`: never older than the server. Asked once per run. */
export function findTools(serverMajor: number, binDir: string | undefined): Promise<PgTools> {
  const key = `${serverMajor}\0${binDir ?? ''}`;
  if (!chosen.has(key)) {
    const found = search(serverMajor, binDir);
    found.catch(() => chosen.delete(key));
    chosen.set(key, found);
  }
  return chosen.get(key)!;
}

/** Candidates newest first: the first one at least as new as the server wins; PATH only when no versioned install fits. */
async function search(serverMajor: number, binDir: string | undefined): Promise<PgTools> {
  const found: { dir: string | null; version: string; major: number }[] = [];
  let fit: (typeof found)[number] | undefined;
  for (const dir of candidates(binDir)) {
    const version = await versionOf(dir);
    if (!version) continue;
    found.push({ dir, ...version });
    if (version.major >= serverMajor) {
      fit = found.at(-1);
      break;
    }
  }
  if (!fit) {
    const newest = found.sort((a, b) => b.major - a.major)[0];
    const where = binDir ? ` in bin_dir ${binDir}` : '';
    throw new RunError(
      newest
        ? `pg_dump ${newest.version}${where} is older than the PostgreSQL ${serverMajor} server: it cannot dump it.`
        : `No pg_dump found${where || ' (looked in /usr/lib/postgresql/*/bin and PATH)'}.`,
      { hint: `Install the PostgreSQL ${serverMajor} client tools (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}, from apt.postgresql.org if your release lacks it), or point bin_dir at them.` },
    );
  }
  return { ...fit, path: (tool) => (fit.dir ? join(fit.dir, tool) : tool) };
}

/** What a failed pg tool said, as one sentence and a hint a DBA can act on. */
export function explainToolError(tool: string, stderr: string, status: string): { message: string; hint: string | undefined } {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const important = lines.filter((l) => /error|fatal|failed|denied|detail:/i.test(l));
  const said = (important.length > 0 ? important : lines).slice(0, 4).join(' | ') || 'no message';
  const table = /(?:table|relation) "?([^"\s]+)"?/i.exec(stderr)?.[1];
  let hint: string | undefined;
  if (/password authentication failed|no password supplied/i.test(stderr)) hint = 'Check the password (PGPASSWORD, or ${VAR} in the url) and the user.';
  else if (/role "[^"]+" does not exist/i.test(stderr)) hint = 'The dump names a role this server lacks: create it first, or back up with globals: true (missing roles are then created on restore).';
  else if (/statement timeout/i.test(stderr) && /LOCK TABLE/i.test(stderr)) hint = `Table ${table ?? ''} stayed locked longer than lock_wait_timeout (a migration or a long ALTER TABLE?). Run the backup again later, or raise lock_wait_timeout.`;
  else if (/could not extend file|No space left on device/i.test(stderr)) hint = tool === 'pg_restore' ? "The database server's disk is full: the restored copy is built beside the live database, so it needs room for both. Free space on the server and run again; the live database was not touched." : 'The disk holding the staging folder is full: free space there, or point --staging (or TMPDIR) at a disk with room for the dump.';
  else if (/permission denied/i.test(stderr)) hint = `The role cannot read ${table ? `table ${table}` : 'everything it must dump'}: GRANT SELECT on it (or use a role that is a member of pg_read_all_data).`;
  else if (/could not connect|Connection refused|could not translate host name|timeout expired/i.test(stderr)) hint = 'Check host and port, and that the server accepts connections from here (listen_addresses, pg_hba.conf, firewall).';
  else if (/server closed the connection|connection to server was lost|terminating connection/i.test(stderr)) hint = 'The server ended the connection during the dump (restart, pg_terminate_backend, network). Nothing was committed; run the backup again.';
  else if (/unsupported version .* in file header/i.test(stderr)) hint = "This pg_restore is older than the pg_dump that made the backup (the manifest's engine.client says which): install newer client tools, or set bin_dir.";
  else if (/server version mismatch|aborting because of server version mismatch/i.test(stderr)) hint = 'Install client tools at least as new as the server, or set bin_dir.';
  return { message: `${tool} failed (${status})${table && /Dumping the contents of table/i.test(stderr) ? ` while dumping table ${table}` : ''}: ${said}`, hint };
}

function toolError(tool: string, stderr: string, status: string): RunError {
  const { message, hint } = explainToolError(tool, stderr, status);
  return new RunError(message, hint ? { hint } : {});
}

export interface Spawned {
  stdout: Readable;
  stdin: NodeJS.WritableStream | null;
  /** Resolves when the tool exited 0; rejects with an explained RunError. */
  done: Promise<void>;
  stop(): void;
}

/** Starts a pg tool in its own process group, argument array only, password in `env` only. */
export function startTool(path: string, args: readonly string[], env: NodeJS.ProcessEnv, input: 'pipe' | 'ignore' = 'ignore', output: 'pipe' | Writable = 'pipe'): Spawned {
  // Tied to this process: a pg_restore must not go on writing into a database after restorable was killed.
  const [file, argv] = tiedToParent(path, args);
  const child = spawn(file, argv, { env, stdio: [input, output, 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 32_000) stderr += chunk.toString('utf8');
  });
  const tool = path.split('/').pop()!;
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new RunError(`Cannot run ${path}: ${reason(error)}`, { hint: 'Install the PostgreSQL client tools, or set bin_dir.' })));
    child.once('close', (code, signal) => (code === 0 ? resolve() : reject(toolError(tool, stderr, signal ?? `exit ${code}`))));
  });
  done.catch(() => undefined);
  const stop = () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  };
  child.stdin?.on('error', () => undefined);
  return { stdout: child.stdout ?? Readable.from([]), stdin: child.stdin, done, stop };
}

/** Runs a pg tool to completion (pg_restore of a staged dump, pg_dumpall --globals-only to a file). */
export async function runTool(path: string, args: readonly string[], env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<string> {
  const tool = startTool(path, args, env);
  const onAbort = () => tool.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  const chunks: Buffer[] = [];
  tool.stdout.on('data', (c: Buffer) => chunks.push(c));
  try {
    await tool.done;
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The stdout of a streaming tool as a Readable that fails with the tool's explained error. */
export function toolOutput(tool: Spawned): Readable {
  async function* output() {
    for await (const chunk of tool.stdout) yield chunk as Buffer;
    await tool.done;
  }
  const readable = Readable.from(output(), { objectMode: false });
  readable.on('close', () => tool.stop());
  return readable;
}
