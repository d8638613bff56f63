// The EQ-5D index as a column of the export's SQL: every state's index, computed once by the
// scoring engine and written into the query as a small table that rows join by their state.
// PostgreSQL then formats the whole row itself (COPY), and the engine stays the one place that
// scores; the table holds exactly the text JavaScript prints for each number.
import { sql, type AliasedRawBuilder, type RawBuilder } from 'kysely';
import { eq5dIndex, type ValueSetId } from '../eq5d/engine.ts';

const LEVELS = [1, 2, 3, 4, 5] as const;

/** Each state's ordinal (11111 = 0 … 55555 = 3124) and index text, as csv-stringify writes a number. */
function indexRows(valueSet: ValueSetId): string[] {
  const rows: string[] = [];
  for (const mo of LEVELS)
    for (const sc of LEVELS)
      for (const ua of LEVELS)
        for (const pd of LEVELS)
          for (const ad of LEVELS) {
            const text = String(eq5dIndex([mo, sc, ua, pd, ad], valueSet));
            // Only a number's characters go into the SQL text.
            if (!/^-?[0-9.e+-]+$/.test(text)) throw new Error(`${valueSet}: index of a state is not a number`);
            rows.push(`(${rows.length},'${text}')`);
          }
  return rows;
}

const valuesLists = new Map<ValueSetId, string>();

/**
 * `idx(ordinal, index_text)`: the value set's 3125 indices. Literal values, not parameters: COPY
 * takes none. A join on one integer key is a hash lookup per row, where subscripting a text array
 * would walk the array's elements every time.
 */
export function indexTable(valueSet: ValueSetId): AliasedRawBuilder<{ ordinal: number; index_text: string }, 'idx'> {
  let values = valuesLists.get(valueSet);
  if (values === undefined) {
    values = indexRows(valueSet).join(',');
    valuesLists.set(valueSet, values);
  }
  return sql<{
    ordinal: number;
    index_text: string;
  }>`(select * from (values ${sql.raw(values)}) as v(ordinal, index_text))`.as('idx');
}

/**
 * The ordinal of `r`'s state, NULL when a level is missing (so the left join finds no index).
 * Levels are 1–5 by the table's CHECK, so this is the state read as a base-5 number.
 */
export const stateOrdinalOfResponse: RawBuilder<number | null> = sql<number | null>`(r.mobility - 1) * 625
  + (r.self_care - 1) * 125 + (r.usual_activities - 1) * 25 + (r.pain_discomfort - 1) * 5 + (r.anxiety_depression - 1)`;
