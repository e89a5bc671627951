/**
 * A SQL session through psql, for servers restorable cannot reach itself: a
 * source with `exec: [docker, exec, -i, immich_postgres]` runs psql (like
 * pg_dump and pg_restore) through that prefix, where the server is, so no
 * port needs exposing. One psql process per session, fed statements on its
 * stdin: the session (and a transaction it holds, such as the one that
 * exports pg_dump's snapshot) lives as long as the process.
 *
 * Each statement is followed by `\echo <marker>`, so its answer is what psql
 * printed before the marker. A query that returns rows is wrapped in
 * `json_agg`, so rows come back typed (booleans, numbers) as node-postgres
 * gives them. psql stops at the first error (ON_ERROR_STOP), and the error
 * carries its SQLSTATE as `code` (VERBOSITY verbose), like a `pg` error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { tiedToParent } from '../util/spawn.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows as node-postgres types them: read by column, checked by the caller
type Rows = any[];
type Row = Record<string, unknown>;

/** What restorable asks of a SQL session: node-postgres's Client and psql both give it. */
export interface SqlClient {
  query(query: string | { text: string; rowMode: 'array' }, values?: readonly unknown[]): Promise<{ rows: Rows; rowCount: number | null }>;
  end(): Promise<void>;
}

/** A server-side error, shaped like node-postgres's: `code` is the SQLSTATE, `severity` is set. */
export class PsqlError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly severity: string | undefined,
  ) {
    super(message);
  }
}

/** The prefix itself failed (no such container or user, psql not there): neither psql nor the server spoke. */
export class ExecPrefixError extends Error {
  constructor(
    message: string,
    readonly prefix: string,
  ) {
    super(message);
  }
}

/** libpq's connection failures carry no SQLSTATE: the common ones, by their words. */
const CONNECT_CODES: [RegExp, string][] = [
  [/database "[^"]*" does not exist/, '3D000'],
  [/password authentication failed/, '28P01'],
  [/no password supplied|Peer authentication failed|Ident authentication failed|no pg_hba\.conf entry/, '28000'],
  [/Connection refused|No such file or directory/, 'ECONNREFUSED'],
  [/could not translate host name/, 'ENOTFOUND'],
];

function errorFrom(stderr: string, what: string, exit: string, prefix: string): Error {
  const text = stderr.trim();
  const server = /^(?:psql:[^\n]*?)?(ERROR|FATAL|PANIC):\s+([0-9A-Z]{5}):\s+(.*)$/m.exec(text);
  if (server) return new PsqlError(server[3]!, server[2], server[1]);
  const psql = /^psql: error: (.*)$/m.exec(text);
  if (psql) {
    const said = psql[1]!.replace(/^connection to server .*? failed: /, '').replace(/^FATAL:\s+/, '');
    return new PsqlError(said, CONNECT_CODES.find(([re]) => re.test(text))?.[1], 'FATAL');
  }
  // Neither psql nor the server spoke: the prefix itself failed (no such container, no such user).
  return new ExecPrefixError(`${what} failed (${exit}): ${text.split('\n').slice(0, 3).join(' | ') || 'no message'}`, prefix);
}

/** `$1`... as SQL literals: psql has no bind parameters. Only restorable's own statements pass values. */
function bind(text: string, values: readonly unknown[]): string {
  const literal = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (Array.isArray(v)) return v.length === 0 ? "'{}'" : `ARRAY[${v.map(literal).join(', ')}]`;
    return `'${String(v).replace(/'/g, "''")}'`;
  };
  return text.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
}

const RETURNS_ROWS = /^\s*(select|with|values|table)\b/i;

/** A session whose statements run through `argv` (prefix + psql + options); `env` holds the password. */
export async function openPsql(prefix: readonly string[], argv: readonly string[], env: NodeJS.ProcessEnv): Promise<SqlClient> {
  const what = `psql through \`${prefix.join(' ')}\``;
  argv = [...prefix, ...argv];
  const [head, ...rest] = argv;
  const [file, args] = tiedToParent(head!, [...rest, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose']);
  const child: ChildProcess = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 32_000) stderr += chunk.toString('utf8');
  });
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (error) => resolve(new ExecPrefixError(`${what}: cannot run ${head}: ${error.message}`, prefix.join(' '))));
    child.once('close', (code, signal) => resolve(errorFrom(stderr, what, signal ?? `exit ${code}`, prefix.join(' '))));
  });
  const lines = createInterface({ input: child.stdout! });
  let answer: string[] = [];
  let waiting: { marker: string; resolve: (text: string) => void } | undefined;
  lines.on('line', (line) => {
    if (waiting && line === waiting.marker) {
      const { resolve } = waiting;
      waiting = undefined;
      resolve(answer.join('\n'));
      answer = [];
    } else answer.push(line);
  });
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const run = (sql: string) =>
    new Promise<string>((resolve, reject) => {
      if (closed) return reject(new Error(`${what}: the session has ended`));
      const marker = `__restorable_${randomBytes(8).toString('hex')}__`;
      waiting = { marker, resolve };
      void exited.then(reject);
      child.stdin!.write(`${sql}\n;\n\\echo ${marker}\n`);
    });

  const session: SqlClient = {
    query(query, values) {
      const text = (typeof query === 'string' ? query : query.text).trim().replace(/;+\s*$/, '');
      const sql = values && values.length > 0 ? bind(text, values) : text;
      const rows = RETURNS_ROWS.test(sql);
      const wrapped = rows ? `select coalesce(json_agg(q), '[]') from (\n${sql}\n) q` : sql;
      const result = queue.then(async () => {
        const out = await run(wrapped);
        if (!rows) return { rows: [], rowCount: null };
        const parsed = JSON.parse(out || '[]') as Row[];
        const shaped = typeof query !== 'string' && query.rowMode === 'array' ? parsed.map((r) => Object.values(r)) : parsed;
        return { rows: shaped, rowCount: parsed.length };
      });
      queue = result.catch(() => undefined);
      return result;
    },
    async end() {
      if (closed) return;
      closed = true;
      child.stdin!.end('\\q\n');
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  // The connection is made when psql starts: fail here, as a `pg` connect would.
  await session.query('select 1 as ok');
  return session;
}
