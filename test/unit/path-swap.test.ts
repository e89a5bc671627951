/** Restore points by rename: rollback puts back the same bytes, also when nothing was live before. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { swapPaths } from '../../src/sources/path-swap.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-swap-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('swapPaths', () => {
  it('keeps the live file and its -wal as the restore point, and rollback puts them back', async () => {
    const live = join(dir, 'app.sqlite');
    writeFileSync(live, 'old');
    writeFileSync(`${live}-wal`, 'old wal');
    writeFileSync(join(dir, 'staged'), 'new');
    const point = await swapPaths(live, join(dir, 'staged'), 't1', ['-wal']);
    expect(readFileSync(live, 'utf8')).toBe('new');
    expect(existsSync(`${live}-wal`)).toBe(false);
    expect(readFileSync(join(point.location!, 'app.sqlite-wal'), 'utf8')).toBe('old wal');
    await point.rollback();
    expect(readFileSync(live, 'utf8')).toBe('old');
    expect(readFileSync(`${live}-wal`, 'utf8')).toBe('old wal');
    expect(readdirSync(dir).sort()).toEqual(['app.sqlite', 'app.sqlite-wal']);
  });

  it('rolls back a restore onto nothing: the restored data goes, nothing is left behind', async () => {
    const live = join(dir, 'uploads');
    writeFileSync(join(dir, 'staged'), 'new');
    const point = await swapPaths(live, join(dir, 'staged'), 't2');
    expect(point.location).toBeNull();
    await point.rollback();
    expect(readdirSync(dir)).toEqual([]);
  });
});
