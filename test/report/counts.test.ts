import { describe, expect, it } from 'vitest';
import { countsText, plural } from '../../src/report/counts.js';

describe('counts as words', () => {
  it('singular for one, plural otherwise', () => {
    expect(countsText({ databases: 1, tables: 12 })).toBe('1 database, 12 tables');
    expect(countsText({ files: 0, dirs: 1, symlinks: 1, bytes: 1 })).toBe('0 files, 1 dir, 1 symlink, 1 byte');
    expect(plural(1, 'copy', 'copies')).toBe('1 copy');
    expect(plural(3, 'copy', 'copies')).toBe('3 copies');
  });
});
