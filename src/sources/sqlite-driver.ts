/**
 * One SQLite driver interface over the engines a Node process may have:
 * better-sqlite3 where its native addon loads (the CLI on Node 20/22), Node's
 * built-in `node:sqlite` (Node >= 22.5; `backup()` from 22.16; always in the
 * bundled Action on Node 24). Snapshots use the online backup API, copying
 * every page in one step: with the default small steps the backup restarts
 * each time another connection writes, and under a steady writer it never
 * ends. `VACUUM INTO` is the consistent fallback where no backup API exists.
 * A live database file (or its -wal/-shm) is never copied as a file.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { RunError } from '../errors.js';

export type SnapshotMethod = 'backup' | 'vacuum';

export interface SqliteConnection {
  /** First row of a query as an object, or undefined. */
  get(sql: string): Record<string, unknown> | undefined;
  all(sql: string): Record<string, unknown>[];
  /** Runs one statement with bound parameters. */
  run(sql: string, ...params: string[]): void;
  close(): void;
}

export interface SqliteDriver {
  readonly name: 'better-sqlite3' | 'node:sqlite';
  readonly sqliteVersion: string;
  /** Snapshot methods this driver can take, best first. */
  readonly methods: readonly SnapshotMethod[];
  open(path: string, options: { readonly: boolean }): SqliteConnection;
  /** Online backup of `source` into a new file at `dest`, all pages in one step. */
  backup(source: string, dest: string): Promise<void>;
  /**
   * Runs `pragma integrity_check` or `quick_check` on a file in a worker
   * thread, so the check reads the snapshot while it is being packed.
   * Resolves with the check's lines (`['ok']` when sound).
   */
  check(path: string, pragma: 'integrity_check' | 'quick_check'): Promise<string[]>;
}

/**
 * The worker's code, evaluated as CommonJS: it opens the file with the same
 * engine as the caller. Kept as a string so the bundles need no second file.
 */
const CHECK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { engine, module, path, pragma } = workerData;
try {
  const db = engine === 'better-sqlite3'
    ? new (require(module))(path, { readonly: true })
    : new (require('node:sqlite').DatabaseSync)(path, { readOnly: true });
  const rows = db.prepare('pragma ' + pragma + '(20)').all();
  db.close();
  parentPort.postMessage({ lines: rows.map((row) => String(Object.values(row)[0])) });
} catch (error) {
  parentPort.postMessage({ error: String((error && error.message) || error), code: error && (error.code || error.errstr) });
}
`;

/** Errors that mean the file itself is damaged: the check's answer, not a failure to run it. */
const CORRUPT = /SQLITE_CORRUPT|SQLITE_NOTADB|malformed|not a database/i;

function checkInWorker(workerData: { engine: SqliteDriver['name']; module?: string; path: string; pragma: string }): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CHECK_WORKER, { eval: true, workerData });
    worker.once('message', (message: { lines?: string[]; error?: string; code?: string }) => {
      if (message.lines) resolve(message.lines);
      else if (CORRUPT.test(`${message.code} ${message.error}`)) resolve([String(message.error)]);
      else reject(new RunError(`SQLite check of ${workerData.path} could not run: ${message.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new RunError(`The SQLite check worker stopped (exit ${code}).`)));
  });
}

const ALL_PAGES = 2_147_483_647;

/** `VACUUM INTO` through any driver: one read transaction, a compact consistent copy. */
export function vacuumInto(driver: SqliteDriver, source: string, dest: string): void {
  const db = driver.open(source, { readonly: true });
  try {
    db.run('VACUUM INTO ?', dest); // the target is an expression: bound, never spliced into SQL
  } finally {
    db.close();
  }
}

type BetterSqlite = typeof import('better-sqlite3');

function loadBetterSqlite(): SqliteDriver | undefined {
  let Database: BetterSqlite;
  let module: string;
  try {
    // createRequire keeps the addon out of the bundle and lets a missing or
    // wrong-ABI build fail here, where we can fall back, not at import time.
    module = createRequire(import.meta.url).resolve('better-sqlite3');
    Database = createRequire(import.meta.url)(module) as BetterSqlite;
    new Database(':memory:').close();
  } catch {
    return undefined;
  }
  const wrap = (db: InstanceType<BetterSqlite>): SqliteConnection => ({
    get: (sql) => db.prepare(sql).get() as Record<string, unknown> | undefined,
    all: (sql) => db.prepare(sql).all() as Record<string, unknown>[],
    run: (sql, ...params) => void db.prepare(sql).run(...params),
    close: () => void db.close(),
  });
  const probe = new Database(':memory:');
  const sqliteVersion = String((probe.prepare('select sqlite_version() as v').get() as { v: string }).v);
  probe.close();
  return {
    name: 'better-sqlite3',
    sqliteVersion,
    methods: ['backup', 'vacuum'],
    open: (path, { readonly }) => wrap(new Database(path, { readonly, fileMustExist: true, timeout: 30_000 })),
    check: (path, pragma) => checkInWorker({ engine: 'better-sqlite3', module, path, pragma }),
    async backup(source, dest) {
      const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 30_000 });
      try {
        await db.backup(dest, { progress: () => ALL_PAGES });
      } finally {
        db.close();
      }
    },
  };
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean; timeout?: number }) => {
    prepare(sql: string): { get(): unknown; all(): unknown[]; run(...params: string[]): unknown };
    close(): void;
  };
  backup?: (db: unknown, path: string, options?: { rate?: number }) => Promise<number>;
}

async function loadNodeSqlite(): Promise<SqliteDriver | undefined> {
  let mod: NodeSqliteModule;
  try {
    mod = (await import('node:sqlite' as string)) as NodeSqliteModule;
  } catch {
    return undefined;
  }
  const { DatabaseSync, backup } = mod;
  const open = (path: string, readonly: boolean) => new DatabaseSync(path, { readOnly: readonly, timeout: 30_000 });
  const wrap = (db: InstanceType<NodeSqliteModule['DatabaseSync']>): SqliteConnection => ({
    get: (sql) => db.prepare(sql).get() as Record<string, unknown> | undefined,
    all: (sql) => db.prepare(sql).all() as Record<string, unknown>[],
    run: (sql, ...params) => void db.prepare(sql).run(...params),
    close: () => db.close(),
  });
  const probe = new DatabaseSync(':memory:');
  const sqliteVersion = String((probe.prepare('select sqlite_version() as v').get() as { v: string }).v);
  probe.close();
  return {
    name: 'node:sqlite',
    sqliteVersion,
    methods: backup ? ['backup', 'vacuum'] : ['vacuum'],
    open: (path, { readonly }) => wrap(open(path, readonly)),
    check: (path, pragma) => checkInWorker({ engine: 'node:sqlite', path, pragma }),
    async backup(source, dest) {
      if (!backup) throw new RunError('This Node.js has node:sqlite without backup().');
      const db = open(source, true);
      try {
        await backup(db, dest, { rate: ALL_PAGES });
      } finally {
        db.close();
      }
    },
  };
}

let cached: Promise<SqliteDriver[]> | undefined;

/** Every driver this process can load, preferred first. */
export function availableDrivers(): Promise<SqliteDriver[]> {
  cached ??= (async () => {
    const drivers = [loadBetterSqlite(), await loadNodeSqlite()];
    return drivers.filter((d): d is SqliteDriver => d !== undefined);
  })();
  return cached;
}

/**
 * The driver and method to use. RESTORABLE_SQLITE_DRIVER and
 * RESTORABLE_SQLITE_METHOD pin them (tests run every combination the machine has).
 */
export async function chooseDriver(env: NodeJS.ProcessEnv = process.env): Promise<{ driver: SqliteDriver; method: SnapshotMethod }> {
  const drivers = await availableDrivers();
  const wantDriver = env.RESTORABLE_SQLITE_DRIVER;
  const wantMethod = env.RESTORABLE_SQLITE_METHOD as SnapshotMethod | undefined;
  const driver = wantDriver ? drivers.find((d) => d.name === wantDriver) : drivers[0];
  if (!driver) {
    throw new RunError(
      wantDriver
        ? `The SQLite driver ${wantDriver} (RESTORABLE_SQLITE_DRIVER) cannot be loaded by Node.js ${process.version}.`
        : `No SQLite engine is available in Node.js ${process.version}.`,
      { hint: 'Install better-sqlite3 next to restorable (npm i better-sqlite3), or run on Node.js 22.16 or later, which has node:sqlite.' },
    );
  }
  const method = wantMethod ?? driver.methods[0]!;
  if (!driver.methods.includes(method)) {
    throw new RunError(`The SQLite driver ${driver.name} cannot snapshot with ${method} here.`, {
      hint: `Use one of: ${driver.methods.join(', ')}.`,
    });
  }
  return { driver, method };
}
