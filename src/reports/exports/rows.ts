// Counted responses with their arrest and person facts, read page by page (keyset on
// completed_at, id) so an export of any size runs in constant memory on PGlite and PostgreSQL.
import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import { countsForAnalysis, RESPONSE_LEVEL_COLUMNS } from '../../invitations/fragments.ts';
import type { Db } from '../../db/database.ts';
import type { Lang } from '../../i18n/views.ts';
import type { Database, Respondent } from '../../db/schema.ts';

/** Large pages: each is one indexed range scan; fewer round trips matter more than page memory. */
export const PAGE = 20_000;

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
  yield* inPages(
    (after) => page(db, after),
    (r) => ({ completedAt: r.completed_at, id: r.id }),
  );
}

/** Where the previous page ended: its last row's completed_at (text, as selected) and id. */
export interface PageEnd {
  completedAt: string;
  id: string;
}

/** Reads pages of `PAGE` rows, each after the last row of the one before, until a short page. */
export async function* inPages<T>(
  read: (after: PageEnd | undefined) => Promise<T[]>,
  endOf: (last: T) => PageEnd,
): AsyncGenerator<T> {
  let after: PageEnd | undefined;
  for (;;) {
    const rows = await read(after);
    yield* rows;
    if (rows.length < PAGE) return;
    after = endOf(rows[rows.length - 1]!);
  }
}

/** Rows of `r` after a page's end in (completed_at, id) order; every paged export orders by these two. */
export function afterPageEnd(
  eb: ExpressionBuilder<Database & { r: Database['responses'] }, 'r'>,
  after: PageEnd,
): Expression<SqlBool> {
  const at = sql<Date>`${after.completedAt}::timestamptz`;
  return eb.or([eb('r.completed_at', '>', at), eb.and([eb('r.completed_at', '=', at), eb('r.id', '>', after.id)])]);
}

/** ISO 8601 in UTC with microseconds: exact for paging, and no Date parsing per row. */
export const completedAtText = sql<string>`to_char(r.completed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Counted responses joined to their arrest (`e`), invitation (`i`) and person (`s`); no columns yet. */
export function countedResponsesFrom(db: Db) {
  return db
    .selectFrom('responses as r')
    .innerJoin('invitations as i', 'i.id', 'r.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .where((eb) => countsForAnalysis(eb));
}

/** Counted responses with the columns every export and the API's results read. */
export function countedResponses(db: Db) {
  return countedResponsesFrom(db).select([
    'r.id',
    's.register_id',
    'e.arrest_type',
    'e.hospital',
    'e.arrest_date',
    's.birth_date',
    's.sex',
    ...RESPONSE_LEVEL_COLUMNS,
    'r.vas',
    'r.items',
    'r.questionnaire_responses',
    'r.mode',
    'r.respondent',
    'r.language',
    completedAtText.as('completed_at'),
  ]);
}

function page(db: Db, after: PageEnd | undefined): Promise<ResponseRow[]> {
  let q = countedResponses(db);
  if (after) q = q.where((eb) => afterPageEnd(eb, after));
  return q.orderBy('r.completed_at').orderBy('r.id').limit(PAGE).execute();
}

/** The five levels as the state string, e.g. '12345', or null when any is missing. */
export function stateOf(r: ResponseRow): string | null {
  const levels = [r.mobility, r.self_care, r.usual_activities, r.pain_discomfort, r.anxiety_depression];
  return levels.some((l) => l === null) ? null : levels.join('');
}
