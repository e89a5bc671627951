// Diagnostic for bench/sqlite.sh: where the time of restorable's SQLite
// snapshot goes. Makes the same calls as src/sources/sqlite.ts and
// src/sources/sqlite-driver.ts, with the same driver choice (better-sqlite3
// when its addon loads in this Node, else node:sqlite), and times each:
//   backup        online backup API, all pages in one step, into COPY
//   journal_mode  `pragma journal_mode = delete` on the copy
//   integrity     `pragma integrity_check(20)` on the copy (check: integrity)
//   quick         `pragma quick_check(20)` on the copy (check: quick), for comparison
//   count         `select count(*)` per table (the manifest's row counts)
// Usage: node bench/phases.mjs DB COPY   -> one JSON object on stdout (milliseconds)
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';

const [db, copy] = process.argv.slice(2);
if (!db || !copy) {
  console.error('usage: node bench/phases.mjs DB COPY');
  process.exit(2);
}
const ALL_PAGES = 2_147_483_647;

async function driver() {
  try {
    const Database = createRequire(new URL('../package.json', import.meta.url))('better-sqlite3');
    new Database(':memory:').close();
    const wrap = (d) => ({ all: (sql) => d.prepare(sql).all(), close: () => d.close() });
    return {
      name: 'better-sqlite3',
      open: (path, readonly) => wrap(new Database(path, { readonly, fileMustExist: true })),
      async backup(src, dest) {
        const d = new Database(src, { readonly: true, fileMustExist: true });
        try {
          await d.backup(dest, { progress: () => ALL_PAGES });
        } finally {
          d.close();
        }
      },
    };
  } catch {
    const { DatabaseSync, backup } = await import('node:sqlite');
    const wrap = (d) => ({ all: (sql) => d.prepare(sql).all(), close: () => d.close() });
    return {
      name: 'node:sqlite',
      open: (path, readonly) => wrap(new DatabaseSync(path, { readOnly: readonly })),
      async backup(src, dest) {
        const d = new DatabaseSync(src, { readOnly: true });
        try {
          await backup(d, dest, { rate: ALL_PAGES });
        } finally {
          d.close();
        }
      },
    };
  }
}

const timed = async (fn) => {
  const start = performance.now();
  const value = await fn();
  return [performance.now() - start, value];
};

const d = await driver();
rmSync(copy, { force: true });
const ms = {};
[ms.backup] = await timed(() => d.backup(db, copy));
const conn = d.open(copy, false);
try {
  [ms.journal_mode] = await timed(() => conn.all('pragma journal_mode = delete'));
  let result;
  [ms.integrity, result] = await timed(() => conn.all('pragma integrity_check(20)'));
  if (result.length !== 1 || Object.values(result[0])[0] !== 'ok') throw new Error(`integrity_check: ${JSON.stringify(result)}`);
  [ms.quick] = await timed(() => conn.all('pragma quick_check(20)'));
  [ms.count] = await timed(() => {
    const tables = conn.all("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%'");
    for (const { name } of tables) conn.all(`select count(*) from "${name.replaceAll('"', '""')}"`);
  });
} finally {
  conn.close();
  rmSync(copy, { force: true });
}
process.stdout.write(`${JSON.stringify({ driver: d.name, ms })}\n`);
