// Many rows in one statement with one parameter per column: `unnest($1::bigint[], $2::text[], …)`.
// A multi-row VALUES list binds one parameter per value (15,000 for 3,000 outbox rows), which
// costs more to build, send and plan than the rows cost to write.
import { sql, type RawBuilder } from 'kysely';

export type ColumnType = 'bigint' | 'int' | 'text' | 'date' | 'timestamptz';

/** `unnest(…) AS alias(col, …)` over equally long column arrays, for `INSERT … SELECT * FROM`. */
export function unnestColumns(
  alias: string,
  columns: Record<string, { type: ColumnType; values: unknown[] }>,
): RawBuilder<unknown> {
  const names = Object.keys(columns);
  const arrays = names.map((n) => {
    const c = columns[n]!;
    return sql`${c.values}::${sql.raw(c.type)}[]`;
  });
  return sql`unnest(${sql.join(arrays)}) as ${sql.ref(alias)}(${sql.join(names.map((n) => sql.ref(n)))})`;
}
