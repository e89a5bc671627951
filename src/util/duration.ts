import { z } from 'zod';

/**
 * Two duration spellings appear in plans, and they differ on purpose:
 * - timeouts and intervals (`3s`, `500ms`, `2m`, `1h`): `m` is minutes;
 * - `retention.keep_within` (`1y6m`, `14d`, `12h`): restic's spelling, where
 *   `m` is months and the span is calendar arithmetic from the newest backup.
 */
const clock = /^(\d+)(ms|s|m|h)$/;
const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

export function parseClockDuration(text: string): number | undefined {
  const match = clock.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}

/** A timeout or interval: `3s`, `500ms`, `2m`, `1h`, parsed to milliseconds. */
export const clockDuration = z
  .string()
  .regex(clock, { error: 'expected a duration such as 500ms, 3s, 2m or 1h' })
  .transform((text) => parseClockDuration(text)!);

export interface CalendarSpan {
  years: number;
  months: number;
  days: number;
  hours: number;
}

const calendar = /^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?$/;

export function parseCalendarSpan(text: string): CalendarSpan | undefined {
  const match = calendar.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  const [, y, m, w, d, h] = match.map((part) => Number(part ?? 0));
  return { years: y!, months: m!, days: d! + 7 * w!, hours: h! };
}

export const calendarSpan = z
  .string()
  .regex(calendar, { error: 'expected a span such as 14d, 6m (months), 1y or 2y6m' })
  .refine((text) => text.trim() !== '', { error: 'expected a span such as 14d, 6m (months), 1y or 2y6m' });

/** `from` moved back by `span`, in UTC calendar terms (as restic's keep-within does). */
export function subtractSpan(from: Date, span: CalendarSpan): Date {
  const d = new Date(from.getTime());
  d.setUTCFullYear(d.getUTCFullYear() - span.years, d.getUTCMonth() - span.months, d.getUTCDate() - span.days);
  d.setUTCHours(d.getUTCHours() - span.hours);
  return d;
}
