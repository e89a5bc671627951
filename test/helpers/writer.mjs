// A stand-in for a live app: inserts rows into a WAL database in small
// transactions, as fast as it can, until it is killed. Row i holds
// payload sha256(i), so a restored table can be checked row by row.
// Prints "ready" once the first transaction is committed.
// Usage: node writer.mjs DB [driver]
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const [path, driver = 'better-sqlite3'] = process.argv.slice(2);
let db;
if (driver === 'better-sqlite3') {
  const Database = createRequire(import.meta.url)('better-sqlite3');
  db = new Database(path, { timeout: 30_000 });
} else {
  const { DatabaseSync } = await import('node:sqlite');
  db = new DatabaseSync(path, { timeout: 30_000 });
}
db.exec('pragma journal_mode = wal; pragma busy_timeout = 30000; create table if not exists events (id integer primary key, payload text not null)');
const insert = db.prepare('insert into events (id, payload) values (?, ?)');
let next = Number(db.prepare('select coalesce(max(id), 0) + 1 as n from events').get().n);
let announced = false;
for (;;) {
  db.exec('begin immediate');
  for (let i = 0; i < 50; i++, next++) insert.run(next, createHash('sha256').update(String(next)).digest('hex'));
  db.exec('commit');
  if (!announced) {
    process.stdout.write('ready\n');
    announced = true;
  }
  await new Promise((resolve) => setImmediate(resolve));
}
