// The one check for calendar dates that come from outside (query strings, forms, API bodies and
// cursors, CSV files): YYYY-MM-DD, a day that exists, within 1900-01-01 … 2100-12-31. A date
// PostgreSQL would refuse (2026-02-30, year 0000) must be a 400 at the edge, never a 500.
import { z } from 'zod';

export const EARLIEST_DAY = '1900-01-01';
export const LATEST_DAY = '2100-12-31';

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Why `text` is not an accepted calendar date, or undefined when it is one. */
export function calendarDateProblem(text: string): string | undefined {
  const m = SHAPE.exec(text);
  if (!m) return 'must be a date written YYYY-MM-DD';
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(0);
  day.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0–99 as 1900–1999
  if (mo < 1 || mo > 12 || d < 1 || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d)
    return 'is not a real calendar date';
  if (text < EARLIEST_DAY || text > LATEST_DAY) return `must be between ${EARLIEST_DAY} and ${LATEST_DAY}`;
  return undefined;
}

export function isCalendarDate(text: string): boolean {
  return calendarDateProblem(text) === undefined;
}

/** The date, or undefined when it is not an accepted calendar date. */
export function parseCalendarDate(text: string): string | undefined {
  return isCalendarDate(text) ? text : undefined;
}

/** A zod string that is an accepted calendar date, one message per problem. */
export function calendarDateSchema(missing = 'is missing') {
  return z
    .string({ message: missing })
    .trim()
    .superRefine((d, ctx) => {
      const problem = calendarDateProblem(d);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,6})?Z$/;

/**
 * A UTC instant written YYYY-MM-DDTHH:MM:SS[.ffffff]Z whose day is an accepted calendar date
 * (Date.parse takes 2026-02-30T… and PostgreSQL does not). Returns the text unchanged.
 */
export function parseUtcInstant(text: string): string | undefined {
  const m = INSTANT.exec(text);
  return m && isCalendarDate(m[1]!) ? text : undefined;
}
