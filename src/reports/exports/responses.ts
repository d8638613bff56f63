// The register's own response export (identifiable by register_id, for register staff):
// CSV, UTF-8, comma-separated, streamed with constant memory.
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Db } from '../../db/database.ts';
import { eq5dIndex, DEFAULT_VALUE_SET } from '../eq5d/engine.ts';
import { responseRows, stateOf } from './rows.ts';
import { formatValue } from '../../instruments/item-schema.ts';
import { answeredInstruments, itemColumns } from '../../instruments/programme.ts';
import type { Instruments } from '../../instruments/eq5d-texts.ts';

export const RESPONSE_COLUMNS = [
  'response_id',
  'register_id',
  'arrest_type',
  'hospital',
  'arrest_date',
  'mobility',
  'self_care',
  'usual_activities',
  'pain_discomfort',
  'anxiety_depression',
  'vas',
  'eq5d_index_no2024',
  'mode',
  'language',
  'completed_at',
  'respondent',
] as const;

/**
 * After today's columns and `respondent` (self, assisted, proxy; empty = not recorded), one per item of every added instrument that has responses, named by its
 * linkId, empty where not asked (choice: the code; boolean 1/0; date YYYY-MM-DD; decimal with a point).
 */
export async function exportResponsesCsv(db: Db, out: Writable, texts?: Instruments): Promise<number> {
  const extra = texts ? itemColumns(await answeredInstruments(db, texts)) : [];
  // Array records in column order: csv-stringify does less work than with objects.
  const csv = stringify({ header: true, columns: [...RESPONSE_COLUMNS, ...extra] });
  // Resolves once `out` has taken every byte (a file is flushed before the CLI exits).
  const written = pipeline(csv, out);
  let count = 0;
  for await (const r of responseRows(db)) {
    const state = stateOf(r);
    const index = state === null ? null : eq5dIndex(state, DEFAULT_VALUE_SET);
    const ok = csv.write([
      r.id,
      r.register_id,
      r.arrest_type,
      r.hospital,
      r.arrest_date,
      r.mobility,
      r.self_care,
      r.usual_activities,
      r.pain_discomfort,
      r.anxiety_depression,
      r.vas,
      index ?? '',
      r.mode,
      r.language,
      r.completed_at,
      r.respondent ?? '',
      ...extra.map((linkId) => formatValue(r.items?.[linkId])),
    ]);
    if (!ok) await new Promise((resolve) => csv.once('drain', resolve));
    count++;
  }
  csv.end();
  await written;
  return count;
}
