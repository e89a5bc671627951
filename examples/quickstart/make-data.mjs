// Makes a small app-like data set: a WAL-mode SQLite library (users, albums,
// assets with the sha256 of each file) and the matching folder of uploads,
// plus things a backup must leave out (thumbnails, temp files).
// Usage: node make-data.mjs [DIR] [ASSETS]
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from './sqlite.mjs';

const dir = process.argv[2] ?? '.data/app';
const assets = Number(process.argv[3] ?? 60);
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, 'uploads', 'thumbs'), { recursive: true });
writeFileSync(join(dir, 'version.json'), JSON.stringify({ version: '1.4.2' }));

const db = await openDatabase(join(dir, 'library.sqlite'));
db.exec(`
  pragma journal_mode = wal;
  pragma user_version = 7;
  create table users (id integer primary key, email text not null unique, name text not null);
  create table albums (id integer primary key, owner_id integer not null references users(id), title text not null);
  create table assets (id integer primary key, album_id integer not null references albums(id), path text not null unique, sha256 text not null, bytes integer not null);
  create index assets_album on assets(album_id);
`);
const users = ['ada', 'grace', 'linus'];
users.forEach((name, i) => db.run('insert into users (id, email, name) values (?, ?, ?)', i + 1, `${name}@example.org`, name));
users.forEach((name, i) => db.run('insert into albums (id, owner_id, title) values (?, ?, ?)', i + 1, i + 1, `${name}'s photos`));
for (let i = 1; i <= assets; i++) {
  const user = users[i % users.length];
  const path = join(user, `IMG_${String(i).padStart(4, '0')}.jpg`);
  const bytes = randomBytes(1024 + ((i * 7919) % 60_000));
  mkdirSync(join(dir, 'uploads', user), { recursive: true });
  writeFileSync(join(dir, 'uploads', path), bytes);
  writeFileSync(join(dir, 'uploads', 'thumbs', `${i}.webp`), randomBytes(512));
  db.run('insert into assets (album_id, path, sha256, bytes) values (?, ?, ?, ?)', (i % users.length) + 1, path, createHash('sha256').update(bytes).digest('hex'), bytes.length);
}
writeFileSync(join(dir, 'uploads', 'upload-in-progress.tmp'), 'partial');
symlinkSync(join('ada', 'IMG_0003.jpg'), join(dir, 'uploads', 'cover.jpg'));
db.close();
console.log(`made ${dir}: ${users.length} users, ${assets} assets`);
