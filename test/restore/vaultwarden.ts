/**
 * A Vaultwarden-style data folder: the SQLite database (WAL) inside the
 * folder that a files source backs up, beside attachments, sends, the config
 * and key, and two folders the plan excludes (icon_cache/, tmp/). States are
 * read as data (rows, and per path type, mode and sha256) so that a test can
 * say "equal to before the restore, or to the restored backup".
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { treeOf, type Tree } from '../helpers/tree.js';

export interface Vault {
  dir: string;
  data: string;
  db: string;
  plan: string;
  writePlan(order: 'db-first' | 'files-first', extra?: Record<string, unknown>): void;
  cleanup(): void;
}

export function makeVault(): Vault {
  const dir = mkdtempSync(join(tmpdir(), 'restorable-vault-'));
  const data = join(dir, 'vw', 'data');
  for (const d of ['attachments/a1', 'attachments/a2', 'sends/s1', 'icon_cache', 'tmp/upload-1']) mkdirSync(join(data, d), { recursive: true });
  const db = new Database(join(data, 'db.sqlite3'));
  db.pragma('journal_mode = wal');
  db.exec('create table ciphers (id integer primary key, name text not null); pragma user_version = 3');
  const insert = db.prepare('insert into ciphers (name) values (?)');
  for (let i = 0; i < 50; i++) insert.run(`cipher ${i}`);
  db.close();
  writeFileSync(join(data, 'attachments/a1/file.bin'), 'attachment one');
  writeFileSync(join(data, 'attachments/a2/photo.jpg'), Buffer.alloc(4096, 7));
  chmodSync(join(data, 'attachments/a2/photo.jpg'), 0o600);
  chmodSync(join(data, 'attachments/a2'), 0o750);
  writeFileSync(join(data, 'sends/s1/doc.pdf'), 'send');
  writeFileSync(join(data, 'config.json'), '{"domain":"https://vault.example"}');
  writeFileSync(join(data, 'rsa_key.pem'), 'PRIVATE KEY');
  chmodSync(join(data, 'rsa_key.pem'), 0o600);
  writeFileSync(join(data, 'icon_cache/example.png'), 'icon');
  writeFileSync(join(data, 'tmp/upload-1/part'), 'partial upload');
  for (const t of ['nas', 'usb', 'cloud']) mkdirSync(join(dir, 'targets', t), { recursive: true });
  const vault: Vault = {
    dir,
    data,
    db: join(data, 'db.sqlite3'),
    plan: join(dir, 'restorable.yml'),
    writePlan(order, extra = {}) {
      const dbSource = { name: 'db', type: 'sqlite', path: 'vw/data/db.sqlite3', ...(order === 'files-first' ? { after: ['files'] } : {}) };
      const filesSource = { name: 'files', type: 'files', path: 'vw/data', exclude: ['db.sqlite3*', 'icon_cache/**', 'tmp/**'], ...(order === 'files-first' ? { after: [] } : {}) };
      writeFileSync(
        vault.plan,
        stringify({
          version: 1,
          name: 'vault',
          app: { version: '1.32.0' },
          sources: order === 'files-first' ? [filesSource, dbSource] : [dbSource, filesSource],
          targets: [
            { name: 'nas', type: 'local', path: join(dir, 'targets', 'nas') },
            { name: 'usb', type: 'local', path: join(dir, 'targets', 'usb') },
            { name: 'cloud', type: 'local', path: join(dir, 'targets', 'cloud'), medium: 'cloud-drive', offsite: true },
          ],
          compression: { algorithm: 'zstd' },
          ...extra,
        }),
      );
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  vault.writePlan('db-first');
  return vault;
}

/** Changes made after the backup: rows, an attachment gone, one added, the config edited, the excluded folders written. */
export function changeVault(vault: Vault): void {
  const db = new Database(vault.db);
  db.exec("delete from ciphers where id <= 10; insert into ciphers (name) values ('added later')");
  db.close();
  rmSync(join(vault.data, 'attachments/a1'), { recursive: true });
  mkdirSync(join(vault.data, 'attachments/a3'));
  writeFileSync(join(vault.data, 'attachments/a3/new.bin'), 'new attachment');
  writeFileSync(join(vault.data, 'config.json'), '{"domain":"https://changed.example"}');
  writeFileSync(join(vault.data, 'icon_cache/other.png'), 'icon fetched after the backup');
  writeFileSync(join(vault.data, 'tmp/upload-1/part'), 'partial upload, grown');
}

export function rows(db: string): string[] {
  const conn = new Database(db, { fileMustExist: true });
  try {
    return (conn.prepare('select id, name from ciphers order by id').all() as { id: number; name: string }[]).map((r) => `${r.id}:${r.name}`);
  } finally {
    conn.close();
  }
}

export interface VaultState {
  rows: string[];
  /** Covered paths (what the files source backs up). */
  covered: Tree;
  /** Excluded paths (icon_cache/, tmp/): a restore never touches them. */
  excluded: Tree;
}

const BESIDE = /(^|\/)\.[^/]+\.restorable-(new|restore-point|failed)-/;

/** The live state; restore points kept inside the folder and the database files are left out of the trees. */
export async function vaultState(vault: Vault): Promise<VaultState> {
  const tree = await treeOf(vault.data);
  const covered: Tree = {};
  const excluded: Tree = {};
  for (const [path, value] of Object.entries(tree)) {
    if (BESIDE.test(path) || path.startsWith('db.sqlite3')) continue;
    // Directory modes only: their mtimes change with every rename inside them.
    (path.startsWith('icon_cache') || path.startsWith('tmp') ? excluded : covered)[path] = value;
  }
  return { rows: rows(vault.db), covered, excluded };
}
