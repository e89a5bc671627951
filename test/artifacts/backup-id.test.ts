/**
 * Backup ids: `<UTC time>-v<app version>-<6 hex>`, e.g.
 * `20261121T020000Z-v1.118.2-3e71c4`, the tag's first three hex digits the
 * milliseconds: compareBackupIds orders them by time to the millisecond.
 */
import { describe, expect, it } from 'vitest';
import { compareBackupIds, makeBackupId, parseBackupId, sanitizeVersion } from '../../src/artifacts/backup-id.js';
import { decideRetention } from '../../src/retention/retention.js';

describe('makeBackupId', () => {
  it('formats time, version and tag', () => {
    expect(makeBackupId(new Date('2026-11-21T02:00:00.987Z'), '1.118.2', '3f9a1c')).toBe('20261121T020000Z-v1.118.2-3f9a1c');
  });

  it('leaves the version out when there is none', () => {
    expect(makeBackupId(new Date('2026-11-21T02:00:00Z'), null, '3f9a1c')).toBe('20261121T020000Z-3f9a1c');
    expect(makeBackupId(new Date('2026-11-21T02:00:00Z'), '', '3f9a1c')).toBe('20261121T020000Z-3f9a1c');
  });

  it('orders ids of one second by their milliseconds, whatever the app versions (keep_last: 1 keeps the later)', () => {
    const times = [5, 999, 0, 480, 481].map((ms) => new Date(Date.UTC(2026, 10, 21, 2, 0, 0, ms)));
    const ids = times.map((at, i) => makeBackupId(at, ['9.0', '10.0', '1.0', '2.0-beta', ''][i]!));
    for (const [i, id] of ids.entries()) expect(id.slice(-6, -3), id).toBe(times[i]!.getUTCMilliseconds().toString(16).padStart(3, '0'));
    const sorted = [...ids].sort(compareBackupIds);
    expect(sorted.map((id) => parseInt(id.slice(-6, -3), 16))).toEqual([0, 5, 480, 481, 999]);
    // A plain string sort goes by the version first.
    expect([...ids].sort()[0]).not.toBe(sorted[0]);
    const backups = ids.map((id) => ({ id, time: parseBackupId(id)!.time }));
    const kept = decideRetention(backups, { keep_last: 1 }).filter((d) => d.keep).map((d) => d.id);
    expect(kept).toEqual([sorted.at(-1)]);
    // Ids from before the milliseconds (random tags) still order, by tag, within their second; across seconds by time.
    expect(compareBackupIds('20261121T020001Z-000000', '20261121T020000Z-ffffff')).toBe(1);
    expect(compareBackupIds('20261121T020000Z-v2-00aaaa', '20261121T020000Z-v10-00bbbb')).toBe(-1);
    expect(compareBackupIds('x', 'x')).toBe(0);
  });

  it('picks a 6-hex tag by default, so two ids in one millisecond differ', () => {
    const at = new Date('2026-11-21T02:00:00Z');
    const ids = new Set(Array.from({ length: 50 }, () => makeBackupId(at, '1.0')));
    expect(ids.size).toBeGreaterThan(45);
    for (const id of ids) expect(id).toMatch(/^20261121T020000Z-v1\.0-[0-9a-f]{6}$/);
  });

  it('sanitises the version: no slash, no space, at most 40 characters', () => {
    const id = makeBackupId(new Date('2026-01-01T00:00:00Z'), '1.2/3 beta', 'abcdef');
    expect(id).toBe('20260101T000000Z-v1.2_3_beta-abcdef');
    expect(id).not.toMatch(/[/ ]/);
    expect(sanitizeVersion('1.0.0-rc.1+build.5')).toBe('1.0.0-rc.1+build.5');
    expect(sanitizeVersion('../../etc')).toBe('.._.._etc');
    expect(sanitizeVersion('x'.repeat(100))).toHaveLength(40);
  });
});

describe('parseBackupId', () => {
  it('round-trips with makeBackupId (to the second)', () => {
    const at = new Date('2026-11-21T02:03:04.567Z');
    const id = makeBackupId(at, '1.118.2');
    expect(parseBackupId(id)).toEqual({ id, time: new Date('2026-11-21T02:03:04Z'), appVersion: '1.118.2' });
  });

  it('keeps versions that contain dashes whole', () => {
    const id = makeBackupId(new Date('2026-11-21T02:00:00Z'), '2.0.0-rc-1', 'a1b2c3');
    expect(parseBackupId(id)?.appVersion).toBe('2.0.0-rc-1');
  });

  it('parses the sanitised version back, not the original', () => {
    const id = makeBackupId(new Date('2026-11-21T02:00:00Z'), '1.2/3 beta', 'a1b2c3');
    expect(parseBackupId(id)?.appVersion).toBe('1.2_3_beta');
  });

  it('gives appVersion null for an id without a version', () => {
    const parsed = parseBackupId('20261121T020000Z-3f9a1c');
    expect(parsed).toEqual({ id: '20261121T020000Z-3f9a1c', time: new Date('2026-11-21T02:00:00Z'), appVersion: null });
  });

  it.each([
    '',
    'latest',
    'hello-world',
    '20261121T020000Z',
    '20261121T020000Z-v1.0',
    '20261121T020000Z-3F9A1C', // the tag is lower-case hex
    '20261121T020000Z-3f9a1',
    '20261121T020000-3f9a1c', // no Z
    '2026-11-21T02:00:00Z-3f9a1c',
    '20261321T020000Z-3f9a1c', // month 13
    '20261121T250000Z-3f9a1c', // hour 25
    ' 20261121T020000Z-3f9a1c',
    '20261121T020000Z-3f9a1c.tmp',
  ])('rejects garbage: %j', (text) => {
    expect(parseBackupId(text)).toBeUndefined();
  });

  it('rejects a calendar date that does not exist (Feb 30) instead of moving it to March', () => {
    // Otherwise the id's text and its time disagree, and string order stops being time order.
    expect(parseBackupId('20260230T120000Z-3f9a1c')).toBeUndefined();
  });
});

describe('ordering', () => {
  it('sorts ids as strings in time order, whatever the versions and tags', () => {
    const times = ['2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', '2026-02-10T08:00:00Z', '2026-10-02T00:00:00Z'];
    const versions = ['9.9.9', null, '10.0.0', '0.1', 'zzz'];
    const tags = ['ffffff', '000000', 'a00000', '123456', '0a0a0a'];
    const ids = times.map((t, i) => makeBackupId(new Date(t), versions[i]!, tags[i]));
    const shuffled = [ids[3]!, ids[0]!, ids[4]!, ids[2]!, ids[1]!];
    expect([...shuffled].sort()).toEqual(ids);
    expect([...shuffled].sort().map((id) => parseBackupId(id)!.time.toISOString())).toEqual(times.map((t) => new Date(t).toISOString()));
  });
});
