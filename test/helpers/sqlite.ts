/** A live writer process and row-level checks of what it wrote (see writer.mjs). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { ROOT } from './cli.js';

export function startWriter(db: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'test', 'helpers', 'writer.mjs'), db], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`writer exited with ${code}`)));
  });
}

/** The ids in `events`, each row's payload checked; throws on a damaged row. */
export function eventIds(db: string): number[] {
  const conn = new Database(db, { readonly: true });
  try {
    const rows = conn.prepare('select id, payload from events order by id').all() as { id: number; payload: string }[];
    const damaged = rows.filter((row) => row.payload !== createHash('sha256').update(String(row.id)).digest('hex'));
    expect(damaged.slice(0, 3)).toEqual([]);
    return rows.map((r) => r.id);
  } finally {
    conn.close();
  }
}

/** How many rows `events` holds now (the writer's progress; no row is checked). */
export function eventCount(db: string): number {
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.prepare('select count(*) as n from events').get() as { n: number }).n;
  } finally {
    conn.close();
  }
}

/** A consistent snapshot of the writer's table: rows 1..n, no gap, n within what was seen around the backup. */
export function expectCommittedPrefix(ids: number[], atLeast: number, atMost: number): void {
  expect(ids.length).toBeGreaterThanOrEqual(atLeast);
  expect(ids.length).toBeLessThanOrEqual(atMost);
  const gaps = ids.filter((id, index) => id !== index + 1);
  expect(gaps.slice(0, 3)).toEqual([]);
}
