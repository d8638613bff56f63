// Counted responses with their arrest and person facts, read page by page (keyset on
// completed_at, id) so an export of any size runs in constant memory on PGlite and PostgreSQL.
import { sql } from 'kysely';
import { countsForAnalysis } from '../../invitations/fragments.ts';
import type { Db } from '../../db/database.ts';
import type { Lang } from '../../i18n/views.ts';
import type { Respondent } from '../../db/schema.ts';

/** Large pages: each is one indexed range scan; fewer round trips matter more than page memory. */
const PAGE = 20_000;

export interface ResponseRow {
  id: string;
  register_id: string;
  arrest_type: 'OHCA' | 'IHCA';
  hospital: string;
  arrest_date: string;
  birth_date: string;
  sex: 'female' | 'male';
  mobility: number | null;
  self_care: number | null;
  usual_activities: number | null;
  pain_discomfort: number | null;
  anxiety_depression: number | null;
  vas: number | null;
  /** 0012: answers to items of other instruments, by linkId (null before instruments were data). */
  items: Record<string, unknown> | null;
  /** 0012: one stored FHIR QuestionnaireResponse per instrument asked (null before instruments were data). */
  questionnaire_responses: unknown[] | null;
  mode: 'web' | 'paper';
  /** 0015: who filled it in (null: not recorded, e.g. given before it was asked). */
  respondent: Respondent | null;
  language: Lang;
  /** ISO 8601 in UTC with microseconds, as text: exact for paging, and no Date parsing per row. */
  completed_at: string;
}

export async function* responseRows(db: Db): AsyncGenerator<ResponseRow> {
  let after: { completedAt: string; id: string } | undefined;
  for (;;) {
    const rows = await page(db, after);
    yield* rows;
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1]!;
    after = { completedAt: last.completed_at, id: last.id };
  }
}

/** Counted responses with the columns every export and the API's results read. */
export function countedResponses(db: Db) {
  return db
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
      's.birth_date',
      's.sex',
      'r.mobility',
      'r.self_care',
      'r.usual_activities',
      'r.pain_discomfort',
      'r.anxiety_depression',
      'r.vas',
      'r.items',
      'r.questionnaire_responses',
      'r.mode',
      'r.respondent',
      'r.language',
      sql<string>`to_char(r.completed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('completed_at'),
    ])
    .where((eb) => countsForAnalysis(eb));
}

function page(db: Db, after: { completedAt: string; id: string } | undefined): Promise<ResponseRow[]> {
  let q = countedResponses(db);
  if (after) {
    const at = sql<Date>`${after.completedAt}::timestamptz`;
    q = q.where((eb) =>
      eb.or([eb('r.completed_at', '>', at), eb.and([eb('r.completed_at', '=', at), eb('r.id', '>', after.id)])]),
    );
  }
  return q.orderBy('r.completed_at').orderBy('r.id').limit(PAGE).execute();
}

/** The five levels as the state string, e.g. '12345', or null when any is missing. */
export function stateOf(r: ResponseRow): string | null {
  const levels = [r.mobility, r.self_care, r.usual_activities, r.pain_discomfort, r.anxiety_depression];
  return levels.some((l) => l === null) ? null : levels.join('');
}
