/** Restore points by rename and link: every prefix of the steps undoes to the same bytes and inodes. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planFileSwap, planTreeSwap, runPathStep, undoPathSteps, type PathStep } from '../../src/sources/path-swap.js';
import { treeOf } from '../helpers/tree.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'restorable-swap-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const runAll = async (steps: PathStep[], upTo = steps.length) => {
  for (const step of steps.slice(0, upTo)) await runPathStep(step);
};

describe('planFileSwap', () => {
  it('keeps the live file (same inode) and its -wal as the restore point, and the undo puts them back', async () => {
    const live = join(dir, 'app.sqlite');
    writeFileSync(live, 'old');
    writeFileSync(`${live}-wal`, 'old wal');
    writeFileSync(join(dir, 'staged'), 'new');
    const inode = statSync(live).ino;
    const plan = await planFileSwap(live, join(dir, 'staged'), 't1', ['-wal', '-shm']);
    await runAll(plan.steps);
    expect(readFileSync(live, 'utf8')).toBe('new');
    expect(existsSync(`${live}-wal`)).toBe(false);
    expect(statSync(join(plan.point!, 'app.sqlite')).ino).toBe(inode);
    await undoPathSteps(plan.steps);
    expect(readFileSync(live, 'utf8')).toBe('old');
    expect(statSync(live).ino).toBe(inode);
    expect(readFileSync(`${live}-wal`, 'utf8')).toBe('old wal');
    // The restored file went when the old one was renamed back over it.
    expect(readdirSync(dir).sort()).toEqual(['app.sqlite', 'app.sqlite-wal']);
  });

  it('undoes any prefix of the steps, and twice in a row, to the previous state', async () => {
    const live = join(dir, 'app.sqlite');
    for (let upTo = 0; upTo <= 4; upTo++) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      writeFileSync(live, 'old');
      writeFileSync(`${live}-wal`, 'old wal');
      writeFileSync(join(dir, 'staged'), 'new');
      const plan = await planFileSwap(live, join(dir, 'staged'), 't', ['-wal']);
      expect(plan.steps).toHaveLength(4);
      await runAll(plan.steps, upTo);
      expect(existsSync(live)).toBe(true); // never a moment without a live file
      await undoPathSteps(plan.steps);
      await undoPathSteps(plan.steps);
      expect([readFileSync(live, 'utf8'), readFileSync(`${live}-wal`, 'utf8')]).toEqual(['old', 'old wal']);
      expect(readdirSync(dir).filter((f) => f !== 'staged').sort()).toEqual(['app.sqlite', 'app.sqlite-wal']);
    }
  });

  it('restores onto nothing: the undo takes the restored file away and leaves nothing behind', async () => {
    const live = join(dir, 'app.sqlite');
    writeFileSync(join(dir, 'staged'), 'new');
    const plan = await planFileSwap(live, join(dir, 'staged'), 't2');
    expect(plan.point).toBeNull();
    await runAll(plan.steps);
    await undoPathSteps(plan.steps);
    expect(readdirSync(dir)).toEqual(['staged']);
    await undoPathSteps(plan.steps);
    expect(readdirSync(dir)).toEqual(['staged']);
  });
});

describe('planTreeSwap', () => {
  it('swaps what is covered, enters folders holding kept paths at any depth, and leaves those untouched', async () => {
    const live = join(dir, 'data');
    const staged = join(dir, 'new');
    for (const d of ['data/a/b/tmp', 'data/attachments', 'data/icon_cache', 'new/a/b', 'new/attachments', 'new/sends']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(live, 'db.sqlite3'), 'db');
    writeFileSync(join(live, 'a/b/tmp/x'), 'tmp');
    writeFileSync(join(live, 'a/b/old.txt'), 'old');
    writeFileSync(join(live, 'attachments/1'), 'old 1');
    writeFileSync(join(live, 'config.json'), 'old config');
    writeFileSync(join(live, 'icon_cache/i'), 'icon');
    writeFileSync(join(staged, 'a/b/new.txt'), 'new');
    writeFileSync(join(staged, 'attachments/2'), 'new 2');
    writeFileSync(join(staged, 'config.json'), 'new config');
    writeFileSync(join(staged, 'sends/s'), 'send');
    const before = await treeOf(live);
    const keptInodes = ['db.sqlite3', 'a/b/tmp/x', 'icon_cache/i'].map((p) => statSync(join(live, p)).ino);
    const kept = (rel: string) => rel === 'db.sqlite3' || rel === 'icon_cache' || rel === 'a/b/tmp';
    const plan = await planTreeSwap(live, staged, 't3', kept, ['db.sqlite3']);
    for (let upTo = 0; upTo <= plan.steps.length; upTo++) {
      await runAll(plan.steps, upTo);
      await undoPathSteps(plan.steps);
      expect(await treeOf(live)).toEqual(before);
    }
    await runAll(plan.steps);
    const after = await treeOf(live);
    expect(Object.keys(after).sort()).toEqual(['a', 'a/b', 'a/b/new.txt', 'a/b/tmp', 'a/b/tmp/x', 'attachments', 'attachments/2', 'config.json', 'db.sqlite3', 'icon_cache', 'icon_cache/i', 'sends', 'sends/s']);
    expect(['db.sqlite3', 'a/b/tmp/x', 'icon_cache/i'].map((p) => statSync(join(live, p)).ino)).toEqual(keptInodes);
    expect(readFileSync(join(plan.point!, 'data', 'a/b/old.txt'), 'utf8')).toBe('old');
    await undoPathSteps(plan.steps);
    expect(await treeOf(live)).toEqual(before);
    expect(existsSync(plan.point!)).toBe(false);
  });
});
