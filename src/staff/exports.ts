// Downloads from the staff pages. The analysts' response file is pseudonymous (S-10): a keyed
// HMAC instead of any id, arrest month instead of date, age band instead of birth date; no name,
// national id, address, e-mail or register id. CSV cells that a spreadsheet would run as a
// formula are defused.
import { createHmac } from 'node:crypto';
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db/database.ts';
import { eq5dIndex, DEFAULT_VALUE_SET } from '../reports/eq5d/engine.ts';

export const RESPONSE_EXPORT_COLUMNS = [
  'pid',
  'arrest_type',
  'hospital',
  'health_trust',
  'region',
  'arrest_month',
  'sex',
  'age_band',
  'mobility',
  'self_care',
  'usual_activities',
  'pain_discomfort',
  'anxiety_depression',
  'vas',
  'eq5d_index_no2024',
  'mode',
  'language',
  'completed_month',
] as const;

/** Stable for one key: the same person gets the same pid in every download. */
export function staffPseudonym(key: string, registerId: string): string {
  return createHmac('sha256', key).update(`staff-web\u0000person\u0000${registerId}`).digest('hex').slice(0, 20);
}

export function ageBand(birthDate: string, arrestDate: string): string {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ay, am, ad] = arrestDate.split('-').map(Number) as [number, number, number];
  const age = ay - by - (am < bm || (am === bm && ad < bd) ? 1 : 0);
  if (age < 18) return '0-17';
  if (age >= 90) return '90+';
  const low = Math.floor(age / 10) * 10;
  return `${Math.max(18, low)}-${low + 9}`;
}

export async function pseudonymousResponsesCsv(db: Db, key: string): Promise<{ csv: string; rows: number }> {
  const rows = await db
    .selectFrom('responses as r')
    .innerJoin('invitations as i', 'i.id', 'r.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .leftJoin('hospitals as h', 'h.code', 'e.hospital')
    .select([
      's.register_id',
      's.birth_date',
      's.sex',
      'e.arrest_type',
      'e.hospital',
      'e.arrest_date',
      'h.health_trust',
      'h.region',
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
    .where('r.counted', '=', true)
    .orderBy('r.completed_at')
    .orderBy('r.id')
    .execute();
  const records = rows.map((r) => {
    const state = [r.mobility, r.self_care, r.usual_activities, r.pain_discomfort, r.anxiety_depression].join('');
    const index = eq5dIndex(state, DEFAULT_VALUE_SET);
    return {
      pid: staffPseudonym(key, r.register_id),
      arrest_type: r.arrest_type,
      hospital: r.hospital,
      health_trust: r.health_trust ?? '',
      region: r.region ?? '',
      arrest_month: r.arrest_date.slice(0, 7),
      sex: r.sex,
      age_band: ageBand(r.birth_date, r.arrest_date),
      mobility: r.mobility ?? '',
      self_care: r.self_care ?? '',
      usual_activities: r.usual_activities ?? '',
      pain_discomfort: r.pain_discomfort ?? '',
      anxiety_depression: r.anxiety_depression ?? '',
      vas: r.vas ?? '',
      eq5d_index_no2024: index ?? '',
      mode: r.mode,
      language: r.language,
      completed_month: r.completed_at.toISOString().slice(0, 7),
    };
  });
  return { csv: toCsv(records, RESPONSE_EXPORT_COLUMNS), rows: records.length };
}

/** CSV with a header; text that starts with = + - @ (or a tab/CR) is prefixed with ' so spreadsheets show it as text. */
export function toCsv(records: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const safe = records.map((r) => Object.fromEntries(columns.map((c) => [c, defuse(r[c])])));
  return stringify(safe, { header: true, columns: [...columns] });
}

export function rowsToCsv(rows: readonly (readonly string[])[]): string {
  return stringify(rows.map((r) => r.map(defuse)));
}

function defuse(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export function sendCsv(res: Response, filename: string, csv: string): void {
  res
    .status(200)
    .set('Content-Type', 'text/csv; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="${filename}"`)
    .set('Cache-Control', 'no-store')
    // The byte order mark makes spreadsheet programs read æøå as UTF-8.
    .send(`\ufeff${csv}`);
}
