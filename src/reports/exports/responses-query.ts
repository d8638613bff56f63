// The register's response export as one query whose columns are the CSV's, already in their
// final form (the NO-2024 index included), so PostgreSQL can write the CSV by itself.
import { RESPONSE_LEVEL_COLUMNS } from '../../invitations/fragments.ts';
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import { DEFAULT_VALUE_SET } from '../eq5d/engine.ts';
import { indexTable, stateOrdinalOfResponse } from './index-lookup.ts';
import { completedAtText, countedResponsesFrom } from './rows.ts';

/**
 * Counted responses with the export's columns, named as in the header and in its order, ordered
 * by (completed_at, id). Text that may be empty becomes NULL: COPY would quote an empty string
 * ("") where csv-stringify writes nothing, and both write NULL as nothing. The other text columns
 * cannot be empty (CHECK constraints).
 */
export function exportedResponses(db: Db) {
  return countedResponsesFrom(db)
    .leftJoin(indexTable(DEFAULT_VALUE_SET), (join) => join.on(sql<boolean>`idx.ordinal = ${stateOrdinalOfResponse}`))
    .select([
      'r.id as response_id',
      sql<string | null>`nullif(s.register_id, '')`.as('register_id'),
      'e.arrest_type',
      sql<string | null>`nullif(e.hospital, '')`.as('hospital'),
      'e.arrest_date',
      ...RESPONSE_LEVEL_COLUMNS,
      'r.vas',
      'idx.index_text as eq5d_index_no2024',
      'r.mode',
      'r.language',
      completedAtText.as('completed_at'),
      'r.respondent',
    ])
    .orderBy('r.completed_at')
    .orderBy('r.id');
}
