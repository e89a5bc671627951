import { describe, expect, it } from 'vitest';
import type { Retention } from '../../src/plan/schema.js';
import { type BackupRef, decideRetention } from '../../src/retention/retention.js';

/** Backups named by their UTC time, e.g. "2024-05-01T10:00". */
const at = (...times: string[]): BackupRef[] => times.map((t) => ({ id: t, time: new Date(`${t}:00Z`) }));

const kept = (backups: readonly BackupRef[], policy: Retention | undefined, protect?: string[]) =>
  decideRetention(backups, policy, protect ? { protect } : undefined)
    .filter((d) => d.keep)
    .map((d) => d.id);

const reasonsOf = (backups: readonly BackupRef[], policy: Retention, id: string) =>
  decideRetention(backups, policy).find((d) => d.id === id)?.reasons;

describe('decideRetention', () => {
  it('returns [] for no backups', () => {
    expect(decideRetention([], { keep_last: 3 })).toEqual([]);
    expect(decideRetention([], undefined)).toEqual([]);
  });

  it('keeps everything when there is no policy or no keep_* field', () => {
    const backups = at('2024-01-01T00:00', '2023-01-01T00:00');
    for (const policy of [undefined, {}]) {
      const decisions = decideRetention(backups, policy);
      expect(decisions.every((d) => d.keep)).toBe(true);
      expect(decisions.map((d) => d.reasons)).toEqual([['no retention policy'], ['no retention policy']]);
    }
  });

  it('keep_last keeps the N newest', () => {
    const backups = at('2024-05-04T00:00', '2024-05-03T00:00', '2024-05-02T00:00', '2024-05-01T00:00');
    expect(kept(backups, { keep_last: 2 })).toEqual(['2024-05-04T00:00', '2024-05-03T00:00']);
    expect(kept(backups, { keep_last: 10 })).toHaveLength(4);
    expect(reasonsOf(backups, { keep_last: 2 }, '2024-05-03T00:00')).toEqual(['last 2']);
    expect(reasonsOf(backups, { keep_last: 2 }, '2024-05-01T00:00')).toEqual([]);
  });

  it('keeps the oldest backup too while a bucket rule has slots to spare (restic 0.17)', () => {
    const backups = at('2024-05-02T20:00', '2024-05-02T08:00', '2024-05-01T20:00', '2024-05-01T08:00');
    expect(kept(backups, { keep_daily: 7 })).toEqual(['2024-05-02T20:00', '2024-05-01T20:00', '2024-05-01T08:00']);
    expect(reasonsOf(backups, { keep_daily: 7 }, '2024-05-01T08:00')).toEqual(['oldest (daily: 2 of 7)']);
    // Once every slot is filled, the oldest goes like any other.
    expect(kept(backups, { keep_daily: 2 })).toEqual(['2024-05-02T20:00', '2024-05-01T20:00']);
  });

  it('sorts unsorted input newest first and decides the same', () => {
    const sorted = at('2024-05-04T00:00', '2024-05-03T00:00', '2024-05-02T00:00');
    const shuffled = [sorted[1]!, sorted[2]!, sorted[0]!];
    const decisions = decideRetention(shuffled, { keep_last: 1 });
    expect(decisions.map((d) => d.id)).toEqual(sorted.map((b) => b.id));
    expect(decisions.map((d) => d.keep)).toEqual([true, false, false]);
  });

  it('keep_hourly keeps the newest of each UTC hour', () => {
    const backups = at('2024-05-01T10:45', '2024-05-01T10:15', '2024-05-01T09:30', '2024-05-01T08:59');
    expect(kept(backups, { keep_hourly: 2 })).toEqual(['2024-05-01T10:45', '2024-05-01T09:30']);
    expect(reasonsOf(backups, { keep_hourly: 2 }, '2024-05-01T09:30')).toEqual(['hourly 2024-05-01T09:00Z']);
  });

  it('keep_daily keeps the newest backup of each day, counting days that have backups', () => {
    const backups = at(
      '2024-05-03T23:00',
      '2024-05-03T01:00',
      '2024-05-01T18:00', // 05-02 has no backup: it does not use up a day
      '2024-05-01T06:00',
      '2024-04-30T12:00',
    );
    expect(kept(backups, { keep_daily: 2 })).toEqual(['2024-05-03T23:00', '2024-05-01T18:00']);
    expect(kept(backups, { keep_daily: 3 })).toEqual(['2024-05-03T23:00', '2024-05-01T18:00', '2024-04-30T12:00']);
    expect(reasonsOf(backups, { keep_daily: 2 }, '2024-05-01T18:00')).toEqual(['daily 2024-05-01']);
  });

  it('keep_weekly uses ISO weeks across the year boundary', () => {
    // 2020-12-28 (Mon) .. 2021-01-03 (Sun) is all 2020-W53; 2021-01-04 starts 2021-W01.
    const backups = at('2021-01-04T00:00', '2021-01-01T00:00', '2020-12-31T00:00', '2020-12-28T00:00', '2020-12-27T00:00');
    expect(kept(backups, { keep_weekly: 2 })).toEqual(['2021-01-04T00:00', '2021-01-01T00:00']);
    expect(kept(backups, { keep_weekly: 3 })).toEqual(['2021-01-04T00:00', '2021-01-01T00:00', '2020-12-27T00:00']);
    expect(reasonsOf(backups, { keep_weekly: 3 }, '2021-01-01T00:00')).toEqual(['weekly 2020-W53']);
    expect(reasonsOf(backups, { keep_weekly: 3 }, '2020-12-27T00:00')).toEqual(['weekly 2020-W52']);
  });

  it('keep_monthly keeps the newest of each month', () => {
    const backups = at('2024-03-31T00:00', '2024-03-01T00:00', '2024-02-29T00:00', '2024-02-01T00:00', '2024-01-15T00:00');
    expect(kept(backups, { keep_monthly: 2 })).toEqual(['2024-03-31T00:00', '2024-02-29T00:00']);
    expect(reasonsOf(backups, { keep_monthly: 2 }, '2024-02-29T00:00')).toEqual(['monthly 2024-02']);
  });

  it('keep_yearly keeps the newest of each year', () => {
    const backups = at('2024-06-01T00:00', '2023-12-31T23:59', '2023-01-01T00:00', '2021-07-01T00:00');
    expect(kept(backups, { keep_yearly: 3 })).toEqual(['2024-06-01T00:00', '2023-12-31T23:59', '2021-07-01T00:00']);
    expect(reasonsOf(backups, { keep_yearly: 3 }, '2021-07-01T00:00')).toEqual(['yearly 2021']);
  });

  it('counts each rule independently and gives every matching reason', () => {
    const backups = at('2024-05-03T12:00', '2024-05-02T12:00', '2024-05-01T12:00', '2024-04-30T12:00', '2024-03-15T12:00');
    const policy: Retention = { keep_last: 1, keep_daily: 2, keep_monthly: 3 };
    expect(kept(backups, policy)).toEqual(['2024-05-03T12:00', '2024-05-02T12:00', '2024-04-30T12:00', '2024-03-15T12:00']);
    expect(reasonsOf(backups, policy, '2024-05-03T12:00')).toEqual(['last 1', 'daily 2024-05-03', 'monthly 2024-05', 'newest backup']);
    expect(reasonsOf(backups, policy, '2024-04-30T12:00')).toEqual(['monthly 2024-04']);
  });

  it('keep_within counts back from the newest backup, months as calendar months', () => {
    // 2024-03-31 minus one month is "2024-02-31", which rolls over to 2024-03-02 (as restic's AddDate does).
    const backups = at('2024-03-31T12:00', '2024-03-02T12:00', '2024-03-02T11:59', '2024-02-29T12:00');
    expect(kept(backups, { keep_within: '1m' })).toEqual(['2024-03-31T12:00', '2024-03-02T12:00']);
    expect(reasonsOf(backups, { keep_within: '1m' }, '2024-03-02T12:00')).toEqual(['within 1m']);
  });

  it('keep_within handles weeks, hours and combined spans', () => {
    const backups = at('2024-05-15T12:00', '2024-05-15T00:00', '2024-05-14T23:59', '2024-05-01T12:00', '2024-03-15T12:00', '2024-03-15T11:00');
    expect(kept(backups, { keep_within: '12h' })).toEqual(['2024-05-15T12:00', '2024-05-15T00:00']);
    expect(kept(backups, { keep_within: '2w' })).toHaveLength(4);
    expect(kept(backups, { keep_within: '2m' })).toHaveLength(5);
    expect(kept(backups, { keep_within: '1y2m' })).toHaveLength(6);
  });

  it('always keeps the newest backup, even when every rule is zero', () => {
    const backups = at('2024-05-03T00:00', '2024-05-02T00:00');
    const zeros: Retention = { keep_last: 0, keep_hourly: 0, keep_daily: 0, keep_weekly: 0, keep_monthly: 0, keep_yearly: 0 };
    const decisions = decideRetention(backups, zeros);
    expect(decisions.map((d) => [d.id, d.keep, d.reasons])).toEqual([
      ['2024-05-03T00:00', true, ['newest backup']],
      ['2024-05-02T00:00', false, []],
    ]);
  });

  it('keeps protected backups whatever the policy', () => {
    const backups = at('2024-05-03T00:00', '2024-05-02T00:00', '2024-01-01T00:00');
    expect(kept(backups, { keep_last: 1 }, ['2024-01-01T00:00', 'not-a-backup'])).toEqual(['2024-05-03T00:00', '2024-01-01T00:00']);
    expect(decideRetention(backups, { keep_last: 1 }, { protect: ['2024-01-01T00:00'] })[2]!.reasons).toEqual(['protected']);
  });

  it('ranks the protected (just made) backup newest when ids tie on the second', () => {
    const time = new Date('2024-05-03T00:00:00Z');
    const backups: BackupRef[] = [
      { id: '20240503T000000Z-ffffff', time },
      { id: '20240503T000000Z-000000', time },
    ];
    expect(kept(backups, { keep_last: 1 }, ['20240503T000000Z-000000'])).toEqual(['20240503T000000Z-000000']);
    expect(kept(backups, { keep_last: 1 })).toEqual(['20240503T000000Z-ffffff']);
  });

  it('returns every backup with its time, and refuses an invalid keep_within', () => {
    const backups = at('2024-05-03T00:00', '2024-05-02T00:00');
    const decisions = decideRetention(backups, { keep_last: 1 });
    expect(decisions.map((d) => d.time)).toEqual(backups.map((b) => b.time));
    expect(() => decideRetention(backups, { keep_within: 'soon' })).toThrow(/keep_within/);
  });
});
