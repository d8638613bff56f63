// Time is an input: every rule that depends on "now" takes a Clock, so tests and the
// command line (`prom schedule --now`) can run the service at any date.
import { isCalendarDate } from './calendar-date.ts';
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date): Clock {
  const ms = at.getTime();
  return { now: () => new Date(ms) };
}

export const ZONE = 'Europe/Oslo';
const osloDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * The last minute asked about and its date: every request asks, and formatting in a time zone is
 * not free. A minute never spans two dates, since Oslo's offset from UTC is whole minutes.
 */
let lastMinute = NaN;
let lastDay = '';

/** The calendar date in Oslo at an instant, as YYYY-MM-DD. */
export function osloDay(at: Date): string {
  const minute = Math.floor(at.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDay = osloDate.format(at); // throws for an invalid date, before the cache is touched
    lastMinute = minute;
  }
  return lastDay;
}

/** Calendar arithmetic on YYYY-MM-DD strings (no time zone involved). */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Midnight at the start of an Oslo calendar day, as an instant (handles DST). */
export function osloMidnight(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  // Oslo is UTC+1 or UTC+2; try both offsets and keep the one that lands on that day at 00:00.
  for (const offsetHours of [1, 2]) {
    const candidate = new Date(Date.UTC(y, m - 1, d, -offsetHours));
    if (osloDay(candidate) === day && osloHour(candidate) === 0) return candidate;
  }
  return new Date(Date.UTC(y, m - 1, d, -1));
}

function osloHour(at: Date): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', hourCycle: 'h23' }).format(at));
}

/**
 * Parses `--now` values: a date (taken as Oslo noon, safely inside that day) or an ISO time
 * with its offset (Z or ±hh:mm), so the answer never depends on the server's time zone.
 */
export function parseNow(value: string): Date | undefined {
  if (!isCalendarDate(value.slice(0, 10))) return undefined;
  if (value.length === 10) {
    const midnight = osloMidnight(value);
    return osloDay(midnight) === value ? new Date(midnight.getTime() + 12 * 3600_000) : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
