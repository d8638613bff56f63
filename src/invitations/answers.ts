// Transitions of answers: a page saved to the draft, a web response, a returned paper form. Each
// checks the rules itself — open, inside the window by the caller's clock, alive, consent, not
// answered — in the transaction of its write. The first counted response of an invitation counts;
// a later complete one is kept uncounted with flag 'duplicate' for staff.
import { randomUUID } from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import { osloDay, parseNow } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { preparedStatement } from '../db/prepared.ts';
import type { Respondent, ResponsesTable, UncountedReason } from '../db/schema.ts';
import type { Lang } from '../i18n/views.ts';
import { isComplete, type CompleteAnswers } from '../instruments/eq5d-answers.ts';
import { PAGES, type Answers, type PageId } from '../instruments/eq5d-texts.ts';
import { askedValues, isFlowComplete, type Flow } from '../instruments/flow.ts';
import type { Instrument } from '../instruments/model.ts';
import { canonical, questionnaireResponses } from '../instruments/response.ts';
import { draftRespondent } from '../instruments/respondent.ts';
import { hasCountedResponse, isOpen } from './fragments.ts';
import { linkStatus, paperVerdict, type LinkStatus, type PaperVerdict } from './programme.ts';
import { stopInvitation } from './transitions.ts';

/**
 * Saves one page at once; the draft merges page by page, so two tabs never erase each other.
 * One statement: nothing is saved unless the invitation is open and its window has not closed by
 * `today`. Returns false when it was not saved (the caller shows the closed page).
 */
export async function saveDraftAnswer(
  db: Db,
  invitationId: number,
  page: PageId,
  value: number,
  today: string,
): Promise<boolean> {
  return saveDraftAnswers(db, invitationId, { [page]: value }, today);
}

/** Several items of one page at once (values by linkId; null for an optional item left blank). */
export async function saveDraftAnswers(
  db: Db,
  invitationId: number,
  values: Record<string, unknown>,
  today: string,
): Promise<boolean> {
  const result = await saveDraftStatement(db, invitationId, JSON.stringify(values), today);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Every saved page runs it: built once, a prepared statement on PostgreSQL (src/db/prepared.ts). */
export const saveDraftStatement = preparedStatement((db: Db, invitationId: number, patch: string, today: string) =>
  db
    .insertInto('answer_drafts')
    .columns(['invitation_id', 'answers'])
    .expression((eb) =>
      eb
        .selectFrom('invitations as i')
        .select(['i.id', sql<string>`${patch}::jsonb`.as('answers')])
        .where('i.id', '=', invitationId)
        .where((w) => isOpen(w, today)),
    )
    .onConflict((oc) =>
      oc.column('invitation_id').doUpdateSet({
        answers: sql`answer_drafts.answers || excluded.answers`,
        version: sql`answer_drafts.version + 1`,
        updated_at: sql`now()`,
      }),
    ),
);

/** EQ-5D's pages by page id, other items by linkId. */
export type DraftAnswers = Answers & { readonly [linkId: string]: unknown };

export interface Draft {
  answers: DraftAnswers;
  /** Grows with every saved page; the check page sends it back with the submit. */
  version: number;
}

/** The draft's answers and the programme version the invitation was planned with: every survey page needs both. */
export async function loadDraftAndProgramme(
  db: Db,
  invitationId: number,
): Promise<{ answers: DraftAnswers; programmeVersion: number | null }> {
  const row = await db
    .selectFrom('invitations as i')
    .leftJoin('answer_drafts as d', 'd.invitation_id', 'i.id')
    .select(['i.programme_version', 'd.answers'])
    .where('i.id', '=', invitationId)
    .executeTakeFirstOrThrow();
  return { answers: row.answers ?? {}, programmeVersion: row.programme_version };
}

/** What every guarded survey page needs: whether the link is open, the draft, the programme version. */
export interface SurveyState extends Draft {
  status: LinkStatus;
  /** Why a closed invitation closed (e.g. 'opted_out'), else null. */
  cancelReason: string | null;
  programmeVersion: number | null;
}

/**
 * The invitation's link status (as `invitationInfo` judges it by `today`) with its draft and
 * programme version, in one statement: a survey page reads this once. An invitation that no
 * longer exists (erased at the person's request) is closed. Saving still re-checks the rules in
 * its own statement (saveDraftAnswers); this read only decides which page to show.
 */
export async function loadSurveyState(db: Db, invitationId: number, today: string): Promise<SurveyState> {
  const row = await db
    .selectFrom('invitations as i')
    .leftJoin('answer_drafts as d', 'd.invitation_id', 'i.id')
    .select([...SURVEY_STATE_COLUMNS])
    .where('i.id', '=', invitationId)
    .executeTakeFirst();
  return surveyStateOf(row, today);
}

/**
 * What loadSurveyState selects, from `invitations as i` left-joined with `answer_drafts as d` on
 * the invitation: for a statement that reads it along with something else (the session row).
 */
export const SURVEY_STATE_COLUMNS = [
  'i.state',
  'i.closes_on',
  'i.cancel_reason',
  'i.programme_version',
  'd.answers',
  'd.version',
] as const;

/** The SURVEY_STATE_COLUMNS of one invitation as read. */
export interface SurveyStateRow {
  state: string;
  closes_on: string;
  cancel_reason: string | null;
  programme_version: number | null;
  answers: DraftAnswers | null;
  version: number | null;
}

/** The survey state of a row read with SURVEY_STATE_COLUMNS; no row: the invitation was erased (closed). */
export function surveyStateOf(row: SurveyStateRow | undefined, today: string): SurveyState {
  if (!row) return { status: 'closed', cancelReason: null, programmeVersion: null, answers: {}, version: 0 };
  return {
    status: linkStatus(row.state, row.closes_on, today),
    cancelReason: row.cancel_reason,
    programmeVersion: row.programme_version,
    answers: row.answers ?? {},
    version: row.version ?? 0,
  };
}

export async function loadDraft(db: Db, invitationId: number): Promise<Draft> {
  const row = await db
    .selectFrom('answer_drafts')
    .select(['answers', 'version'])
    .where('invitation_id', '=', invitationId)
    .executeTakeFirst();
  return { answers: row?.answers ?? {}, version: row?.version ?? 0 };
}

export type WebAnswerResult = 'submitted' | 'already-answered' | 'closed' | 'incomplete' | 'changed';

/**
 * The saved draft becomes the one counted response, in one transaction with the invitation's
 * state change and the cancelling of every waiting step. Stored only if the draft is still the
 * version the check page showed (`shownVersion`); otherwise 'changed' and nothing is stored.
 */
export async function recordWebAnswer(
  db: Db,
  invitationId: number,
  lang: Lang,
  now: Date,
  shownVersion: number | undefined,
  flow: Flow = EQ5D_ONLY,
): Promise<WebAnswerResult> {
  return db.transaction().execute(async (trx) => {
    const inv = await trx
      .selectFrom('invitations')
      .select(['state', 'closes_on'])
      .where('id', '=', invitationId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const status = linkStatus(inv.state, inv.closes_on, osloDay(now));
    const draft = await loadDraft(trx, invitationId);
    const complete =
      isComplete(draft.answers) && isFlowComplete(flow, draft.answers) ? webAnswers(flow, draft.answers) : undefined;
    const respondent = draftRespondent(draft.answers);
    if (status === 'answered') {
      if (complete) await keepWebDuplicate(trx, invitationId, lang, { ...complete, respondent }, now);
      return 'already-answered';
    }
    if (status === 'closed') return 'closed';
    if (!complete) return 'incomplete';
    if (shownVersion !== draft.version) return 'changed';
    await recordAnswer(trx, {
      invitationId,
      mode: 'web',
      language: lang,
      answers: { ...complete, respondent },
      completedAt: now,
    });
    await stopInvitation(trx, invitationId, 'answered');
    return 'submitted';
  });
}

const EQ5D_ONLY: Flow = { instruments: [], steps: PAGES.map((key) => ({ kind: 'eq5d', key })) };

function webAnswers(flow: Flow, answers: DraftAnswers & CompleteAnswers): AnswerSet {
  return {
    eq5d: {
      mobility: answers.mobility,
      self_care: answers.self_care,
      usual_activities: answers.usual_activities,
      pain_discomfort: answers.pain_discomfort,
      anxiety_depression: answers.anxiety_depression,
      vas: answers.vas,
    },
    items: askedValues(flow, answers),
    instruments: flow.instruments,
  };
}

/** What one response holds: the EQ-5D columns, the other items by linkId, the instruments asked. */
export interface AnswerSet {
  eq5d: PaperAnswers;
  items: Record<string, unknown>;
  /** Empty for a response given before instruments were data (EQ-5D only, no QuestionnaireResponse kept). */
  instruments: Instrument[];
  /** 0015: who filled it in; null or absent when not recorded. */
  respondent?: Respondent | null;
}

export interface AnswerRecord {
  invitationId: number;
  mode: 'web' | 'paper';
  language: Lang;
  answers: AnswerSet;
  completedAt: Date;
  counted?: boolean;
  letterId?: number;
}

/**
 * The one writer of a response row, web or paper: the flat values (EQ-5D columns, other items as
 * jsonb) and a FHIR QuestionnaireResponse per instrument asked. The caller has checked the rules.
 */
async function recordAnswer(trx: Db, r: AnswerRecord): Promise<string> {
  const id = randomUUID();
  const counted = r.counted ?? true;
  const { eq5d, items, instruments } = r.answers;
  const respondent = r.answers.respondent ?? null;
  const values = { ...items, ...eq5d };
  await trx
    .insertInto('responses')
    .values({
      id,
      invitation_id: r.invitationId,
      mode: r.mode,
      language: r.language,
      ...eq5d,
      counted,
      flag: counted ? null : 'duplicate',
      letter_id: r.letterId ?? null,
      completed_at: r.completedAt,
      items: instruments.length > 0 ? JSON.stringify(items) : null,
      questionnaire_responses:
        instruments.length > 0
          ? JSON.stringify(questionnaireResponses(instruments, values, r.completedAt, respondent))
          : null,
      questionnaires: instruments.length > 0 ? instruments.map(canonical) : null,
      respondent,
    })
    .execute();
  return id;
}

/** A complete web response next to a counted paper one is kept once, uncounted, with flag 'duplicate'. */
async function keepWebDuplicate(
  trx: Db,
  invitationId: number,
  lang: Lang,
  answers: AnswerSet,
  now: Date,
): Promise<void> {
  const existing = await trx
    .selectFrom('responses')
    .select(['mode', 'counted'])
    .where('invitation_id', '=', invitationId)
    .execute();
  if (existing.some((r) => r.mode === 'web') || !existing.some((r) => r.counted && r.mode === 'paper')) return;
  await recordAnswer(trx, { invitationId, mode: 'web', language: lang, answers, completedAt: now, counted: false });
}

/** Levels 1–5 or null (blank or more than one ticked), the VAS 0–100 or null. */
export type PaperAnswers = Pick<
  Insertable<ResponsesTable>,
  'mobility' | 'self_care' | 'usual_activities' | 'pain_discomfort' | 'anxiety_depression' | 'vas'
>;

export interface PaperLetter {
  id: number;
  invitation_id: number;
  language: Lang;
}

export type PaperAnswerResult =
  { kind: 'counted' | 'duplicate'; responseId: string } | { kind: 'uncounted'; reason: UncountedReason };

/** The rules for a form received on `receivedOn`, read inside the caller's transaction (the invitation row is locked). */
export async function paperVerdictFor(trx: Db, invitationId: number, receivedOn: string): Promise<PaperVerdict> {
  const f = await trx
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['i.state', 'i.cancel_reason', 'i.closes_on', 's.died_on', 's.withdrawn_at'])
    .select((eb) => hasCountedResponse(eb).as('answered'))
    .where('i.id', '=', invitationId)
    .forUpdate('i')
    .executeTakeFirstOrThrow();
  return paperVerdict(
    {
      invitationState: f.state,
      cancelReason: f.cancel_reason,
      closesOn: f.closes_on,
      answered: Boolean(f.answered),
      diedOn: f.died_on,
      withdrawnAt: f.withdrawn_at,
    },
    receivedOn,
  );
}

/**
 * A returned paper form, final after entry: counted (the invitation becomes answered and its
 * waiting steps stop), kept uncounted as a duplicate, or — after a death, a withdrawal, a stop or
 * too late — recorded as an uncounted return without its answers. Runs in the caller's
 * transaction, which has locked the letter.
 */
export async function recordPaperAnswer(
  trx: Db,
  letter: PaperLetter,
  answers: PaperAnswers,
  receivedOn: string,
  staffId: number,
  now: Date,
  extra: { items: Record<string, unknown>; instruments: Instrument[]; respondent?: Respondent | null } = {
    items: {},
    instruments: [],
  },
): Promise<PaperAnswerResult> {
  const verdict = await paperVerdictFor(trx, letter.invitation_id, receivedOn);
  if (verdict.kind === 'uncounted') {
    await recordUncountedReturn(trx, letter, receivedOn, verdict.reason, staffId);
    return verdict;
  }
  const counted = verdict.kind === 'count';
  const noon = parseNow(receivedOn)!;
  const id = await recordAnswer(trx, {
    invitationId: letter.invitation_id,
    mode: 'paper',
    language: letter.language,
    answers: { eq5d: answers, ...extra },
    completedAt: noon < now ? noon : now,
    counted,
    letterId: letter.id,
  });
  if (counted) await answerInvitation(trx, letter.invitation_id);
  return { kind: counted ? 'counted' : 'duplicate', responseId: id };
}

/**
 * A counted paper answer makes the invitation answered, also one that expired inside the postal
 * grace or was stopped only because the person asked not to be contacted (programme.ts).
 */
async function answerInvitation(trx: Db, invitationId: number): Promise<void> {
  await trx
    .updateTable('invitations as i')
    .set({
      state: 'answered',
      cancel_reason: null,
      answered_at: sql`(select min(r.completed_at) from responses r where r.invitation_id = i.id and r.counted)`,
      updated_at: sql`now()`,
    })
    .where('i.id', '=', invitationId)
    .where('i.state', 'in', ['expired', 'cancelled'])
    .execute();
  await stopInvitation(trx, invitationId, 'answered');
}

/** The form is recorded (return id, date received, reason) and nothing of its answers is kept, not even entries. */
async function recordUncountedReturn(
  trx: Db,
  letter: PaperLetter,
  receivedOn: string,
  reason: UncountedReason,
  staffId: number,
): Promise<void> {
  await trx.deleteFrom('paper_entries').where('letter_id', '=', letter.id).execute();
  await trx
    .insertInto('uncounted_returns')
    .values({
      letter_id: letter.id,
      invitation_id: letter.invitation_id,
      received_on: receivedOn,
      reason,
      recorded_by: staffId,
    })
    .onConflict((oc) => oc.column('letter_id').doNothing())
    .execute();
}
