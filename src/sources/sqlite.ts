/**
 * SQLite databases, snapshot online through SQLite's backup API (or VACUUM
 * INTO), never by copying the live file: a copy taken while the app writes, or
 * one that misses the -wal file, is a corrupt database. See sqlite-driver.ts.
 */
import { createReadStream } from 'node:fs';
import { access, chmod, chown, constants, mkdir, open, rm, stat, statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { IntegrityError, RunError, ioHint, isDiskFull, reason, stagingFullHint } from '../errors.js';
import { besidePath, pathStep, planFileSwap, runPathStep, undoPathSteps } from './path-swap.js';
import { chooseDriver, vacuumInto, type SqliteConnection, type SqliteDriver } from './sqlite-driver.js';
import { type SourceAdapter, type SourceContext, type SnapshotInfo } from './source.js';
import { sqliteConfig, type SqliteConfig } from './sqlite-config.js';
import { SOURCE_KINDS } from './configs.js';

const COMPANIONS = ['-wal', '-shm', '-journal'] as const;
const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

function firstValue(row: Record<string, unknown> | undefined): unknown {
  return row === undefined ? undefined : Object.values(row)[0];
}

function readSchemaVersion(db: SqliteConnection, config: SqliteConfig): string | null {
  const sql = 'pragma' in config.schema_version ? `pragma ${config.schema_version.pragma}` : config.schema_version.sql;
  const value = firstValue(db.get(sql));
  return value === undefined || value === null ? null : String(value);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Rows in ordinary tables: a virtual table whose module this SQLite lacks (sqlite-vec, spellfix1...) cannot be read here, and need not be. */
function countRows(db: SqliteConnection): Record<string, number> {
  const tables = db
    .all("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' and sql not like 'CREATE VIRTUAL TABLE%'")
    .map((row) => String(row.name));
  let rows = 0;
  for (const table of tables) {
    try {
      rows += Number(firstValue(db.get(`select count(*) from ${quoteIdent(table)}`)));
    } catch {
      // A shadow table of a missing module: not counted.
    }
  }
  return { tables: tables.length, rows };
}

/** The snapshot's check, run in a worker while the snapshot is packed; rejects when the snapshot is unsound. */
async function checkSnapshot(driver: SqliteDriver, copy: string, config: SqliteConfig): Promise<void> {
  if (config.check === 'none') return;
  const pragma = config.check === 'quick' ? 'quick_check' : 'integrity_check';
  const problems = await driver.check(copy, pragma);
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw new IntegrityError(`The snapshot of SQLite source "${config.name}" fails ${pragma}: ${problems.slice(0, 5).join('; ')}`, {
      hint: `The live database itself is probably damaged. Check it with: sqlite3 ${config.path} "pragma integrity_check"`,
    });
  }
}

async function isSqliteFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(16), 0, 16, 0);
    return bytesRead === 16 && buffer.equals(MAGIC);
  } finally {
    await handle.close();
  }
}

const TMPFS_MAGIC = 0x01021994;

/** The snapshot is staged as a whole file before it is packed: make sure it fits, and say when it sits in RAM. */
async function checkStagingSpace(config: SqliteConfig, live: string, ctx: SourceContext): Promise<void> {
  const { stagingDir } = ctx;
  const sizeOf = (path: string) => stat(path).then((s) => s.size, () => 0);
  const need = (await sizeOf(live)) + (await sizeOf(`${live}-wal`));
  const fs = await statfs(stagingDir);
  const free = fs.bavail * fs.bsize;
  if (fs.type === TMPFS_MAGIC && need > 256 * 2 ** 20) {
    ctx.reporter.warn(`The snapshot of "${config.name}" (${Math.ceil(need / 2 ** 20)} MiB) is staged in ${stagingDir}, which is in RAM (tmpfs). Use --staging DIR on a disk to spare the memory.`);
  }
  if (free < need * 1.05) {
    const mib = (n: number) => `${Math.ceil(n / 2 ** 20)} MiB`;
    throw new RunError(`Not enough space to stage the snapshot of SQLite source "${config.name}": it needs about ${mib(need)}, ${stagingDir} has ${mib(free)} free.`, {
      hint: 'Point --staging (or TMPDIR) at a folder with more free space.',
    });
  }
}

/**
 * The restored file gets the live file's mode and owner (the app's user must
 * be able to write it; a private database stays private). With no live file,
 * the folder's owner and mode 0640.
 */
async function takeOwnership(staged: string, live: string): Promise<void> {
  const model = await stat(live).catch(() => undefined);
  const owner = model ?? (await stat(dirname(live)));
  await chmod(staged, model ? model.mode & 0o7777 : 0o640);
  await chown(staged, owner.uid, owner.gid).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPERM') throw error; // not root: the file is ours, as it would be anyway
  });
}

/**
 * An app that still has the database open keeps writing through its open
 * file and -wal into what becomes the restore point, and those writes are
 * lost to the restored file. Taking an exclusive lock (no waiting) proves no
 * other connection is there; a damaged file, which is often why one
 * restores, does not stop the restore.
 */
async function refuseIfInUse(name: string, live: string): Promise<void> {
  if (!(await stat(live).then(() => true, () => false))) return;
  const { driver } = await chooseDriver();
  let db: SqliteConnection | undefined;
  try {
    db = driver.open(live, { readonly: false });
    db.get('pragma busy_timeout = 0');
    db.get('pragma locking_mode = exclusive');
    db.run('begin exclusive');
    db.run('rollback');
  } catch (error) {
    const text = `${(error as { code?: string }).code ?? ''} ${reason(error)}`;
    if (/not a database|malformed|SQLITE_NOTADB|SQLITE_CORRUPT/i.test(text)) return;
    const open = /database is locked|SQLITE_BUSY|SQLITE_LOCKED/i.test(text);
    throw new RunError(`SQLite source "${name}": ${open ? `${live} is still open in another process; restoring now would lose what it writes next` : `could not check that nothing has ${live} open (${reason(error)})`}. Nothing was changed.`, {
      hint: 'Stop the app first: a pre_restore hook runs before the swap (e.g. pre_restore: [{command: [docker, compose, stop, app]}]), and post_restore starts it again.',
    });
  } finally {
    db?.close();
  }
}

export const sqlite: SourceAdapter<SqliteConfig> = {
  type: 'sqlite',
  kind: SOURCE_KINDS.sqlite,
  schema: sqliteConfig,
  extension: '.sqlite',

  describe: (config, ctx) => `SQLite online backup of ${resolve(ctx.planDir, config.path)}, then ${config.check === 'none' ? 'no check' : `${config.check}_check`}`,

  liveLocation: (config, ctx) => resolve(ctx.planDir, config.path),

  async probe(config, ctx) {
    const live = sqlite.liveLocation(config, ctx);
    try {
      await access(live, constants.R_OK);
    } catch (error) {
      throw new RunError(`SQLite source "${config.name}": cannot read ${live}: ${reason(error)}`, { hint: ioHint(error), cause: error });
    }
    await checkStagingSpace(config, live, ctx);
    if (!(await isSqliteFile(live))) {
      throw new RunError(`SQLite source "${config.name}": ${live} is not a SQLite database.`, {
        hint: 'Point `path` at the database file itself (not its folder or its -wal file).',
      });
    }
    await chooseDriver();
  },

  async snapshot(config, ctx) {
    const live = sqlite.liveLocation(config, ctx);
    const copy = resolve(ctx.stagingDir, `${config.name}.sqlite`);
    const { driver, method } = await chooseDriver();
    try {
      if (method === 'backup') await driver.backup(live, copy);
      else vacuumInto(driver, live, copy);
    } catch (error) {
      throw new RunError(`SQLite source "${config.name}": the snapshot of ${live} failed: ${reason(error)}`, { hint: isDiskFull(error) ? stagingFullHint(ctx.stagingDir) : ioHint(error), cause: error });
    }
    const db = driver.open(copy, { readonly: false });
    let info: SnapshotInfo;
    try {
      // A snapshot of a WAL database still says WAL; make the artifact one self-contained file.
      db.get('pragma journal_mode = delete');
      info = {
        engine: { name: 'sqlite', version: driver.sqliteVersion },
        method: `${method === 'backup' ? 'online backup' : 'VACUUM INTO'} (${driver.name})`,
        schemaVersion: readSchemaVersion(db, config),
        counts: countRows(db),
      };
    } finally {
      db.close();
    }
    // The check reads the finished copy while it is packed: the artifact is only committed once it passes.
    const checked = checkSnapshot(driver, copy, config).then(() => info);
    checked.catch(() => undefined);
    return { stream: () => createReadStream(copy, { highWaterMark: 1 << 20 }), file: copy, info: checked };
  },

  async currentSchemaVersion(config, ctx) {
    const live = sqlite.liveLocation(config, ctx);
    const exists = await access(live).then(() => true, () => false);
    if (!exists) return null;
    const { driver } = await chooseDriver();
    const db = driver.open(live, { readonly: true });
    try {
      return readSchemaVersion(db, config);
    } finally {
      db.close();
    }
  },

  async materialize(config, stream, into) {
    await mkdir(dirname(into), { recursive: true });
    const handle = await open(into, 'wx', 0o600); // private until planSwap gives it the live file's mode
    try {
      await pipeline(stream, handle.createWriteStream());
      const synced = await open(into, 'r+');
      await synced.sync().finally(() => synced.close());
      if (!(await isSqliteFile(into))) {
        throw new IntegrityError(`The artifact for SQLite source "${config.name}" is not a SQLite database.`, {
          hint: 'The backup was made from another kind of source; restore it with a plan whose source has the same type.',
        });
      }
    } catch (error) {
      await rm(into, { force: true });
      throw error;
    }
  },

  stagingLocation: (config, ctx, tag) => besidePath(sqlite.liveLocation(config, ctx), 'new', tag),

  async planSwap(config, staged, ctx, tag) {
    const live = sqlite.liveLocation(config, ctx);
    await refuseIfInUse(config.name, live);
    await takeOwnership(staged, live);
    // Only the build's own file is swapped in: the checks' readers left any -wal/-shm of it empty.
    for (const suffix of COMPANIONS) await rm(staged + suffix, { force: true });
    return planFileSwap(live, staged, tag, COMPANIONS);
  },

  runStep: (_config, step) => runPathStep(pathStep.parse(step)),

  undoSteps: (_config, steps) => undoPathSteps(steps.map((s) => pathStep.parse(s))),

  ownedPaths: (config, ctx) => {
    const live = sqlite.liveLocation(config, ctx);
    return [live, ...COMPANIONS.map((suffix) => live + suffix)];
  },

  // A build whose header says WAL (a forged one can) gets -wal and -shm beside it when the checks open it.
  discard: async (staged) => {
    for (const path of [staged, ...COMPANIONS.map((suffix) => staged + suffix)]) await rm(path, { force: true });
  },

  async inspectBuilt(config, location, _ctx, purpose) {
    const { driver } = await chooseDriver();
    // A restore waits for this: quick_check reads every page (1.6 s per GiB here). A drill has
    // the time to prove the indexes too (integrity_check, 35x that), which the backup's default check leaves out.
    const pragma = purpose === 'drill' ? 'integrity_check' : 'quick_check';
    const lines = await driver.check(location, pragma).catch((error: unknown) => [reason(error)]);
    if (lines.length !== 1 || lines[0] !== 'ok') return { unsound: `${pragma}: ${lines.slice(0, 5).join('; ')}`, counts: {} };
    let db: SqliteConnection | undefined;
    try {
      db = driver.open(location, { readonly: true });
      const counts = countRows(db);
      let schemaVersion: string | null;
      try {
        schemaVersion = readSchemaVersion(db, config);
      } catch (error) {
        return { unsound: `the schema_version query fails on it: ${reason(error)}`, counts };
      }
      return { unsound: null, schemaVersion, counts };
    } catch (error) {
      return { unsound: `it cannot be opened: ${reason(error)}`, counts: {} };
    } finally {
      db?.close();
    }
  },

  async query(_config, location, sql) {
    const { driver } = await chooseDriver();
    const db = driver.open(location, { readonly: true });
    try {
      return firstValue(db.get(sql));
    } finally {
      db.close();
    }
  },
};
