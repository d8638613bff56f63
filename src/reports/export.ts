// Response export as CSV (UTF-8, comma-separated), streamed page by page so memory stays flat.
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Db } from '../db/database.ts';
import { eq5dIndex, DEFAULT_VALUE_SET } from './eq5d/engine.ts';

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
] as const;

const PAGE = 5000;

export async function exportResponsesCsv(db: Db, out: Writable): Promise<number> {
  const csv = stringify({ header: true, columns: [...RESPONSE_COLUMNS] });
  // Resolves once `out` has taken every byte (a file is flushed before the CLI exits).
  const written = pipeline(csv, out);
  let count = 0;
  let after: { completedAt: Date; id: string } | undefined;
  for (;;) {
    const rows = await page(db, after);
    for (const r of rows) {
      const state = [r.mobility, r.self_care, r.usual_activities, r.pain_discomfort, r.anxiety_depression].join('');
      const index = eq5dIndex(state, DEFAULT_VALUE_SET);
      const ok = csv.write({ ...r, response_id: r.id, eq5d_index_no2024: index ?? '', completed_at: r.completed_at.toISOString() });
      if (!ok) await new Promise((resolve) => csv.once('drain', resolve));
      count++;
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    after = { completedAt: last.completed_at, id: last.id };
  }
  csv.end();
  await written;
  return count;
}

function page(db: Db, after: { completedAt: Date; id: string } | undefined) {
  let q = db
    .selectFrom('responses as r')
    .innerJoin('invitations as i', 'i.id', 'r.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select([
      'r.id',
      's.register_id',
      'e.arrest_type',
      'e.hospital',
      'e.arrest_date',
      'r.mobility',
      'r.self_care',
      'r.usual_activities',
      'r.pain_discomfort',
      'r.anxiety_depression',
      'r.vas',
      'r.mode',
      'r.language',
      'r.completed_at',
    ])
    .where('r.counted', '=', true);
  if (after) {
    q = q.where((eb) => eb.or([eb('r.completed_at', '>', after.completedAt), eb.and([eb('r.completed_at', '=', after.completedAt), eb('r.id', '>', after.id)])]));
  }
  return q.orderBy('r.completed_at').orderBy('r.id').limit(PAGE).execute();
}
