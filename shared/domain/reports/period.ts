import { DAY_MS } from '../clock.ts';

/** A report's window: the `days` UTC days ending with today, inclusive. */
export type ReportPeriod = { from: string; to: string; days: number };

export const MAX_REPORT_DAYS = 366;

export function reportPeriod(now: Date, days: number): ReportPeriod {
  if (!(Number.isInteger(days) && days >= 1 && days <= MAX_REPORT_DAYS)) throw new RangeError(`days must be a whole number from 1 to ${MAX_REPORT_DAYS}, got ${days}`);
  const to = now.toISOString().slice(0, 10);
  return { from: new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * DAY_MS).toISOString().slice(0, 10), to, days };
}

/** Every UTC day of the period, oldest first. */
export function daysOf(period: ReportPeriod): string[] {
  const start = Date.parse(`${period.from}T00:00:00Z`);
  return Array.from({ length: period.days }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}
