// The register's own response export (identifiable by register_id, for register staff):
// CSV, UTF-8, comma-separated, streamed with constant memory.
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { postgresPool, type Db } from '../../db/database.ts';
import { formatValue } from '../../instruments/item-schema.ts';
import { answeredInstruments, itemColumns } from '../../instruments/programme.ts';
import type { Instruments } from '../../instruments/eq5d-texts.ts';
import { copyCsv } from './copy-csv.ts';
import { exportedResponses } from './responses-query.ts';
import { afterPageEnd, inPages, PAGE } from './rows.ts';

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
 *
 * On PostgreSQL without item columns, the server writes the rows (COPY); otherwise (PGlite, or
 * items, whose values are formatted in JavaScript) pages of the same query go through csv-stringify.
 * Both give the same bytes: the query's columns are already final and the two quote alike.
 */
export async function exportResponsesCsv(db: Db, out: Writable, texts?: Instruments): Promise<number> {
  const extra = texts ? itemColumns(await answeredInstruments(db, texts)) : [];
  const pool = postgresPool(db);
  if (pool && extra.length === 0) {
    out.write(stringifySync([[...RESPONSE_COLUMNS]]));
    return copyCsv(pool, exportedResponses(db), out);
  }
  return writePages(db, out, extra);
}

async function writePages(db: Db, out: Writable, extra: string[]): Promise<number> {
  const csv = stringify({ header: true, columns: [...RESPONSE_COLUMNS, ...extra] });
  // Resolves once `out` has taken every byte (a file is flushed before the CLI exits).
  const written = pipeline(csv, out);
  const withItems = exportedResponses(db).select('r.items');
  const rows = inPages(
    (after) => (after ? withItems.where((eb) => afterPageEnd(eb, after)) : withItems).limit(PAGE).execute(),
    (last) => ({ completedAt: last.completed_at, id: last.response_id }),
  );
  let count = 0;
  for await (const r of rows) {
    // Array records in column order: csv-stringify does less work than with objects.
    const ok = csv.write([
      ...RESPONSE_COLUMNS.map((column) => r[column]),
      ...extra.map((linkId) => formatValue(r.items?.[linkId])),
    ]);
    if (!ok) await new Promise((resolve) => csv.once('drain', resolve));
    count++;
  }
  csv.end();
  await written;
  return count;
}
