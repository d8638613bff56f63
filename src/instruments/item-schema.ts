// The zod schema of one item's answer, built from its definition: what the web page and paper
// entry accept. A failure carries an error key (locales/<lang>/items.json) so the page can say,
// in the person's language, how to put it right.
import { z } from 'zod';
import { parseCalendarDate } from '../calendar-date.ts';
import type { Item, Value } from './model.ts';

export type ItemError = 'required' | 'choose' | 'whole' | 'number' | 'range' | 'tooLong' | 'date' | 'yesNo';

/** The value as typed (a form field), trimmed; an empty field is undefined. */
const field = z
  .string()
  .max(10_000)
  .optional()
  .transform((s) => (s === undefined || s.trim() === '' ? undefined : s.trim()));

export function itemSchema(item: Item) {
  return field.transform((text, ctx): Value | undefined => {
    if (text === undefined) {
      if (item.required) ctx.addIssue({ code: 'custom', message: 'required' });
      return undefined;
    }
    const result = parseValue(item, text);
    if (typeof result === 'object') {
      ctx.addIssue({ code: 'custom', message: result.error });
      return z.NEVER;
    }
    return result;
  });
}

/** The first issue's key, for a failed parse of an item schema. */
export function itemError(error: z.ZodError): ItemError {
  const key = error.issues[0]?.message;
  return (
    (['required', 'choose', 'whole', 'number', 'range', 'tooLong', 'date', 'yesNo'] as const).find((k) => k === key) ??
    'required'
  );
}

function parseValue(item: Item, text: string): Value | { error: ItemError } {
  switch (item.type) {
    case 'choice':
      return item.options.some((o) => o.code === text) ? text : { error: 'choose' };
    case 'boolean':
      return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : { error: 'yesNo' };
    case 'integer':
    case 'decimal':
      return parseNumber(item, text);
    case 'date':
      return parseCalendarDate(text) ?? { error: 'date' };
    case 'string':
      return text.length <= item.maxLength ? text : { error: 'tooLong' };
    case 'display':
      return { error: 'required' };
  }
}

/** A decimal comma is accepted ("7,5"); an integer item refuses decimals. */
function parseNumber(item: Item, text: string): number | { error: ItemError } {
  const normalised = text.replace(/\s/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(normalised)) return { error: 'number' };
  const n = Number(normalised);
  if (item.type === 'integer' && !Number.isInteger(n)) return { error: 'whole' };
  if ((item.min !== undefined && n < item.min) || (item.max !== undefined && n > item.max)) return { error: 'range' };
  return n;
}

/** How a value is written in a form field and the CSV: code, 1/0, a number with a point, the date. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}
