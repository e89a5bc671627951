/**
 * pg_dump, pg_restore and pg_dumpall: which install to use, and running them.
 * pg_dump refuses a server of a newer major version, so the version is
 * checked before anything runs and the error names the package to install.
 * Tools come from `bin_dir` when the plan sets it, else the newest of
 * /usr/lib/postgresql/<major>/bin, else PATH. With an `exec` prefix they run
 * through it, from `bin_dir` or the PATH there (its folders are not ours to list).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { RunError, reason } from '../errors.js';
import { runCommand, tiedToParent } from '../util/spawn.js';

export interface PgTools {
  dir: string | null;
  /** e.g. `15.14` */
  version: string;
  major: number;
  /** The argv that starts `tool`: the exec prefix, then the tool's path. */
  command(tool: 'pg_dump' | 'pg_restore' | 'pg_dumpall'): string[];
}

const DEBIAN_ROOT = '/usr/lib/postgresql';

function candidates(binDir: string | undefined, exec: readonly string[]): (string | null)[] {
  if (binDir) return [binDir];
  if (exec.length > 0) return [null];
  const majors = existsSync(DEBIAN_ROOT) ? readdirSync(DEBIAN_ROOT).filter((d) => /^\d+$/.test(d)) : [];
  const dirs = majors.sort((a, b) => Number(b) - Number(a)).map((m) => join(DEBIAN_ROOT, m, 'bin')).filter((d) => existsSync(join(d, 'pg_dump')));
  return [...dirs, null]; // null: whatever PATH has
}

async function versionOf(dir: string | null, exec: readonly string[]): Promise<{ version: string; major: number } | undefined> {
  const pgDump = dir ? join(dir, 'pg_dump') : 'pg_dump';
  const result = await runCommand([...exec, pgDump, '--version'], { cwd: '/', timeoutMs: 15_000 }).catch(() => undefined);
  const match = result?.code === 0 ? /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(result.stdout) : null;
  if (!match) return undefined;
  return { version: `${match[1]}${match[2] !== undefined ? `.${match[2]}` : ''}`, major: Number(match[1]) };
}

const chosen = new Map<string, Promise<PgTools>>();

/** The client tools to use against a server of `serverMajor`: never older than the server. Asked once per run. */
export function findTools(serverMajor: number, binDir: string | undefined, exec: readonly string[] = []): Promise<PgTools> {
  const key = JSON.stringify([serverMajor, binDir ?? '', exec]);
  if (!chosen.has(key)) {
    const found = search(serverMajor, binDir, exec);
    found.catch(() => chosen.delete(key));
    chosen.set(key, found);
  }
  return chosen.get(key)!;
}

/** Candidates newest first: the first one at least as new as the server wins; PATH only when no versioned install fits. */
async function search(serverMajor: number, binDir: string | undefined, exec: readonly string[]): Promise<PgTools> {
  const found: { dir: string | null; version: string; major: number }[] = [];
  let fit: (typeof found)[number] | undefined;
  for (const dir of candidates(binDir, exec)) {
    const version = await versionOf(dir, exec);
    if (!version) continue;
    found.push({ dir, ...version });
    if (version.major >= serverMajor) {
      fit = found.at(-1);
      break;
    }
  }
  if (!fit) {
    const newest = found.sort((a, b) => b.major - a.major)[0];
    const through = exec.length > 0 ? ` through \`${exec.join(' ')}\`` : '';
    const where = `${binDir ? ` in bin_dir ${binDir}` : ''}${through}`;
    throw new RunError(
      newest
        ? `pg_dump ${newest.version}${where} is older than the PostgreSQL ${serverMajor} server: it cannot dump it.`
        : `No pg_dump found${where || ' (looked in /usr/lib/postgresql/*/bin and PATH)'}.`,
      { hint: exec.length > 0 ? `Check that \`${exec.join(' ')} pg_dump --version\` works here (the container runs, the user exists), and that the tools are on the PATH there, or set bin_dir to their folder there.` : `Install the PostgreSQL ${serverMajor} client tools (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}, from apt.postgresql.org if your release lacks it), or point bin_dir at them.` },
    );
  }
  return { ...fit, command: (tool) => [...exec, fit.dir ? join(fit.dir, tool) : tool] };
}

/**
 * pg_restore's whole answer to a failed statement: the object it was creating
 * (`Command was: ...`, which may span lines until the next `pg_restore:`) and
 * where inside it the error came from (`CONTEXT:`, `QUERY:`).
 */
function failedObject(stderr: string): { command: string | undefined; context: string[] } {
  const command = /^Command was: ([\s\S]*?)(?=^pg_restore:|(?![\s\S]))/m.exec(stderr)?.[1]?.replace(/\s+/g, ' ').trim();
  const context = [...stderr.matchAll(/^(CONTEXT|QUERY):\s+(.*)$/gm)].map((m) => `${m[1]}: ${m[2]!.trim()}`);
  return { command, context };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

/**
 * pg_dump sets search_path to '' in its dumps (CVE-2018-1058), so a function
 * that names a type or function without its schema works in the live
 * database and fails on restore when an index expression, a default or a
 * check calls it. The hint names the function and the fix.
 */
function searchPathHint(stderr: string, command: string | undefined): string | undefined {
  const missing = /(type|function|operator|relation) ((?:"[^"]+"|[^\s"])+(?:\([^)]*\))?) does not exist/.exec(stderr);
  if (!missing || !command) return undefined;
  const within = /SQL function "([^"]+)"|PL\/pgSQL function ([^\s(]+)/.exec(stderr);
  const inObject = /^(CREATE (UNIQUE )?INDEX|ALTER TABLE .* (SET DEFAULT|ADD CONSTRAINT)|CREATE TABLE .* (DEFAULT|CHECK|GENERATED))/i.test(command);
  if (!within && !inObject) return undefined;
  const fn = within?.[1] ?? within?.[2];
  const where = fn ? `function ${fn}, called by ${clip(command.split(' ').slice(0, 5).join(' '), 80)},` : `${clip(command.split(' ').slice(0, 5).join(' '), 80)}`;
  return `The ${missing[1]} ${missing[2]} exists, but ${where} finds it through search_path, which pg_dump's dumps set to '' while restoring. Fix it in the live database: ${
    fn ? `ALTER FUNCTION ${fn} SET search_path = public` : 'schema-qualify the name in the expression'
  } (or write public.${missing[2]!.replace(/\(.*$/, '')} in it; an extension's type or function lives in the schema it was created in), then take a new backup. This backup restores by hand after the same fix on the target: pg_restore --section=pre-data, fix, then --section=data and post-data.`;
}

/** What a failed pg tool said, as one sentence and a hint a DBA can act on. */
export function explainToolError(tool: string, stderr: string, status: string): { message: string; hint: string | undefined } {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const important = lines.filter((l) => /error|fatal|failed|denied|detail:/i.test(l) && !/^(Command was|CONTEXT|QUERY):/.test(l));
  const { command, context } = failedObject(stderr);
  const whole = [...context, ...(command ? [`Command was: ${clip(command, 400)}`] : [])];
  const said = [...(important.length > 0 ? important : lines).slice(0, 4), ...whole].join(' | ') || 'no message';
  const table = /(?:table|relation) "?([^"\s]+)"?/i.exec(stderr)?.[1];
  let hint: string | undefined = searchPathHint(stderr, command);
  if (hint) {
    // the search_path hint says it all
  } else if (/password authentication failed|no password supplied/i.test(stderr)) hint = 'Check the password (PGPASSWORD, or ${VAR} in the url) and the user.';
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

function toolError(tool: string, stderr: string, status: string, through: string | undefined): RunError {
  const { message, hint } = explainToolError(tool, stderr, status);
  // Neither the tool nor libpq spoke: the prefix failed (no such container or user, tool not there).
  const prefixFailed = through !== undefined && !new RegExp(`\\b${tool}\\b|ERROR|FATAL`).test(stderr);
  if (prefixFailed) return new RunError(`${tool} through \`${through}\` failed (${status}): ${stderr.trim().split('\n').slice(0, 3).join(' | ') || 'no message'}`, { hint: execHint(through) });
  return new RunError(message, hint ? { hint } : {});
}

/** What to check when a source's exec prefix itself fails. */
export function execHint(through: string): string {
  return `Check that \`${through}\` works here: the container (or host) is up and named so (docker ps), the user exists, and pg_dump, pg_restore and psql are on the PATH there. docker and podman exec need -i for pg_restore and psql.`;
}

export interface Spawned {
  stdout: Readable;
  stdin: NodeJS.WritableStream | null;
  /** Resolves when the tool exited 0; rejects with an explained RunError. */
  done: Promise<void>;
  stop(): void;
}

type Stdio = 'pipe' | 'ignore' | Writable | number;

/**
 * Starts a pg tool (`command`: the exec prefix, then the tool) in its own
 * process group, argument array only, password in `env` only. `input` and
 * `output` may be file descriptors: through a prefix, a file of ours must be
 * streamed, since the tool cannot open a path of this machine.
 */
export function startTool(command: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv, input: Stdio = 'ignore', output: Stdio = 'pipe'): Spawned {
  // Tied to this process: a pg_restore must not go on writing into a database after restorable was killed.
  const [head, ...prefixed] = command;
  const [file, argv] = tiedToParent(head!, [...prefixed, ...args]);
  const child = spawn(file, argv, { env, stdio: [input, output, 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 32_000) stderr += chunk.toString('utf8');
  });
  const tool = command.at(-1)!.split('/').pop()!;
  const through = command.length > 1 ? command.slice(0, -1).join(' ') : undefined;
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (error) =>
      reject(
        new RunError(`Cannot run ${command.join(' ')}: ${reason(error)}`, {
          hint: through ? `Install ${head} or fix the source's exec prefix (${through}).` : 'Install the PostgreSQL client tools, or set bin_dir.',
        }),
      ),
    );
    child.once('close', (code, signal) => (code === 0 ? resolve() : reject(toolError(tool, stderr, signal ?? `exit ${code}`, through))));
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

/**
 * Runs a pg tool to completion (pg_restore of a staged dump, pg_dumpall
 * --globals-only to a file). `files.stdin` / `files.stdout` are paths of this
 * machine the tool reads or writes through its standard streams.
 */
export async function runTool(command: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv, signal?: AbortSignal, files: { stdin?: string; stdout?: string } = {}): Promise<string> {
  const input = files.stdin === undefined ? undefined : openSync(files.stdin, 'r');
  const output = files.stdout === undefined ? undefined : openSync(files.stdout, 'wx', 0o600);
  let tool: Spawned;
  try {
    tool = startTool(command, args, env, input ?? 'ignore', output ?? 'pipe');
  } finally {
    // The child holds its own copies.
    if (input !== undefined) closeSync(input);
    if (output !== undefined) closeSync(output);
  }
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
