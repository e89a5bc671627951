// Opens a SQLite database with whichever engine this Node has: better-sqlite3
// (installed with restorable) or node:sqlite (Node >= 22.5).
import { createRequire } from 'node:module';

export async function openDatabase(path, { readonly = false } = {}) {
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3');
    const db = new Database(path, { readonly });
    return { exec: (sql) => db.exec(sql), all: (sql, ...p) => db.prepare(sql).all(...p), run: (sql, ...p) => db.prepare(sql).run(...p), close: () => db.close() };
  } catch {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path, { readOnly: readonly });
    return { exec: (sql) => db.exec(sql), all: (sql, ...p) => db.prepare(sql).all(...p), run: (sql, ...p) => db.prepare(sql).run(...p), close: () => db.close() };
  }
}
