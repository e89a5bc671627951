/**
 * Two duration spellings: clock durations for timeouts (`m` is minutes) and
 * calendar spans for retention.keep_within (restic's spelling, `m` is months).
 */
import { describe, expect, it } from 'vitest';
import { calendarSpan, clockDuration, parseCalendarSpan, parseClockDuration, subtractSpan } from '../../src/util/duration.js';

describe('clock durations', () => {
  it.each([
    ['500ms', 500],
    ['3s', 3_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['0s', 0],
    [' 10s ', 10_000],
  ])('parses %j as %i ms', (text, ms) => {
    expect(parseClockDuration(text)).toBe(ms);
  });

  it.each(['', '3', 's', '1.5s', '-1s', '1d', '1h30m', '3 s', '3S'])('rejects %j', (text) => {
    expect(parseClockDuration(text)).toBeUndefined();
    expect(clockDuration.safeParse(text).success).toBe(false);
  });

  it('is a zod schema that yields milliseconds', () => {
    expect(clockDuration.parse('2m')).toBe(120_000);
    expect(clockDuration.safeParse('1y').error?.issues[0]?.message).toBe('expected a duration such as 500ms, 3s, 2m or 1h');
  });
});

describe('calendar spans', () => {
  it.each([
    ['1y6m', { years: 1, months: 6, days: 0, hours: 0 }],
    ['6m', { years: 0, months: 6, days: 0, hours: 0 }], // months, not minutes
    ['2w', { years: 0, months: 0, days: 14, hours: 0 }],
    ['14d', { years: 0, months: 0, days: 14, hours: 0 }],
    ['12h', { years: 0, months: 0, days: 0, hours: 12 }],
    ['1w3d', { years: 0, months: 0, days: 10, hours: 0 }],
    ['2y3m1w2d5h', { years: 2, months: 3, days: 9, hours: 5 }],
  ])('parses %j', (text, span) => {
    expect(parseCalendarSpan(text)).toEqual(span);
    expect(calendarSpan.safeParse(text).success).toBe(true);
  });

  it('makes 2w and 14d the same span', () => {
    expect(parseCalendarSpan('2w')).toEqual(parseCalendarSpan('14d'));
  });

  it.each(['', '   ', '6m1y', '1x', '1.5d', 'd', '30s', '1 y'])('rejects %j', (text) => {
    expect(parseCalendarSpan(text)).toBeUndefined();
    expect(calendarSpan.safeParse(text).success).toBe(false);
  });
});

describe('subtractSpan', () => {
  const utc = (text: string) => new Date(text);
  const back = (from: string, span: string) => subtractSpan(utc(from), parseCalendarSpan(span)!).toISOString();

  it('moves back by days, weeks and hours', () => {
    expect(back('2024-05-15T10:00:00.000Z', '14d')).toBe('2024-05-01T10:00:00.000Z');
    expect(back('2024-05-15T10:00:00.000Z', '2w')).toBe('2024-05-01T10:00:00.000Z');
    expect(back('2024-05-01T10:00:00.000Z', '12h')).toBe('2024-04-30T22:00:00.000Z');
    expect(back('2024-03-01T00:00:00.000Z', '1d')).toBe('2024-02-29T00:00:00.000Z');
  });

  it('moves back by calendar months and years, crossing year ends', () => {
    expect(back('2024-05-15T10:00:00.000Z', '1y6m')).toBe('2022-11-15T10:00:00.000Z');
    expect(back('2024-02-10T00:00:00.000Z', '3m')).toBe('2023-11-10T00:00:00.000Z');
  });

  it('overflows a missing month end into the next month, like restic (Go AddDate)', () => {
    // March 31 minus a month is "February 31", which normalizes into March.
    expect(back('2024-03-31T12:00:00.000Z', '1m')).toBe('2024-03-02T12:00:00.000Z'); // 2024 is a leap year
    expect(back('2023-03-31T12:00:00.000Z', '1m')).toBe('2023-03-03T12:00:00.000Z');
    expect(back('2024-05-31T00:00:00.000Z', '1m')).toBe('2024-05-01T00:00:00.000Z'); // "April 31"
    expect(back('2024-02-29T00:00:00.000Z', '1y')).toBe('2023-03-01T00:00:00.000Z');
  });

  it('applies years, months and days together, then hours', () => {
    // Go: time.Date(2024-1, 3-1, 31-1) = 2023-02-30 -> 2023-03-02, then -1h
    expect(back('2024-03-31T00:30:00.000Z', '1y1m1d1h')).toBe('2023-03-01T23:30:00.000Z');
  });

  it('keeps milliseconds and does not change its input', () => {
    const from = utc('2024-05-15T10:00:00.123Z');
    const result = subtractSpan(from, { years: 0, months: 0, days: 1, hours: 0 });
    expect(result.toISOString()).toBe('2024-05-14T10:00:00.123Z');
    expect(from.toISOString()).toBe('2024-05-15T10:00:00.123Z');
  });
});
