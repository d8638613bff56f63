// Many rows in one statement with one parameter per column: `unnest($1::bigint[], $2::text[], …)`.
// A multi-row VALUES list binds one parameter per value (15,000 for 3,000 outbox rows), which
// costs more to build, send and plan than the rows cost to write.
import { sql, type RawBuilder } from 'kysely';

/** A column's type and its values, typed so each encodes without guessing. */
export type Column =
  | { type: 'bigint' | 'int'; values: readonly (number | null)[] }
  | { type: 'text'; values: readonly (string | null)[] }
  /** Calendar dates as `YYYY-MM-DD`: a Date would carry a time zone into a day. */
  | { type: 'date'; values: readonly (string | null)[] }
  | { type: 'timestamptz'; values: readonly (Date | null)[] };

/** `unnest(…) AS alias(col, …)` over equally long column arrays, for `INSERT … SELECT * FROM`. */
export function unnestColumns(alias: string, columns: Record<string, Column>): RawBuilder<unknown> {
  const names = Object.keys(columns);
  const arrays = names.map((n) => {
    const c = columns[n]!;
    return sql`${arrayLiteral(c)}::${sql.raw(c.type)}[]`;
  });
  return sql`unnest(${sql.join(arrays)}) as ${sql.ref(alias)}(${sql.join(names.map((n) => sql.ref(n)))})`;
}

/**
 * The column as one PostgreSQL array literal (`{1,2,NULL}`, `{"a","b\"c"}`), sent as a single
 * text parameter. The driver can take the JS array itself, but it builds the literal value by
 * value through string concatenation and a local-time date format: at 300,000 outbox rows per
 * scheduling pass that was a third of everything the pass allocated (docs/performance.md).
 */
export function arrayLiteral(c: Column): string {
  const parts = new Array<string>(c.values.length);
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i];
    parts[i] = v === null || v === undefined ? 'NULL' : element(c.type, v);
  }
  return `{${parts.join(',')}}`;
}

function element(type: Column['type'], v: number | string | Date): string {
  if (type === 'bigint' || type === 'int') {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TypeError(`not an integer: ${String(v)}`);
    return String(v);
  }
  if (type === 'timestamptz') {
    if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw new TypeError(`not a time: ${String(v)}`);
    return v.toISOString();
  }
  // Quoted, so commas, braces, blanks and the word NULL stay text; a backslash escapes `"` and `\`.
  const s = String(v);
  return `"${NEEDS_ESCAPE.test(s) ? s.replace(/["\\]/g, '\\$&') : s}"`;
}

const NEEDS_ESCAPE = /["\\]/;
