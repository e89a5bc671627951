/**
 * packBlob's shortcut for small blobs: bytes as dense as compressed data are
 * stored raw without a zstd call (200k thumbnails made 200k of them, ~25 us
 * each). What it must never do is call text, a database page or a document
 * dense: those must still reach zstd.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { looksCompressed } from '../../src/repository/blob.js';
import { ROOT } from '../helpers/cli.js';

describe('looksCompressed', () => {
  it('says dense for random and gzip bytes', () => {
    expect(looksCompressed(randomBytes(4096))).toBe(true);
    expect(looksCompressed(randomBytes(1024))).toBe(true);
    expect(looksCompressed(randomBytes(200_000))).toBe(true);
    const text = readFileSync(join(ROOT, 'README.md'));
    expect(looksCompressed(gzipSync(text))).toBe(true);
  });

  it('says not dense for text, JSON, zeros, a SQLite page and anything under 1 KiB', () => {
    const text = readFileSync(join(ROOT, 'README.md'));
    expect(looksCompressed(text)).toBe(false);
    expect(looksCompressed(readFileSync(join(ROOT, 'package-lock.json')))).toBe(false);
    expect(looksCompressed(Buffer.alloc(8192))).toBe(false);
    const db = new Database(':memory:');
    db.exec("create table t (id integer primary key, name text, n real); create index i on t(name)");
    const insert = db.prepare('insert into t (name, n) values (?, ?)');
    for (let i = 0; i < 2000; i += 1) insert.run(`user-${i}@example.org`, i / 7);
    const page = db.serialize().subarray(4096, 8192);
    db.close();
    expect(looksCompressed(page)).toBe(false);
    expect(looksCompressed(randomBytes(1000))).toBe(false);
  });
});
