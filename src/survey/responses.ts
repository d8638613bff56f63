// Reading invitations by link token, saving answers page by page, and the one final response.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Lang } from '../web/views.ts';
import { TOKEN_PATTERN, hashToken } from '../invitations/tokens.ts';
import { isComplete, type CompleteAnswers } from './answers.ts';
import type { Answers, PageId } from './instrument.ts';

export type LinkStatus = 'open' | 'answered' | 'closed';

export interface LinkedInvitation {
  invitationId: number;
  status: LinkStatus;
  language: Lang;
}

export function linkStatus(state: string): LinkStatus {
  if (state === 'answered') return 'answered';
  return state === 'planned' || state === 'sent' || state === 'reminded' ? 'open' : 'closed';
}

export async function findByToken(db: Db, token: string): Promise<LinkedInvitation | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const row = await db
    .selectFrom('invitation_tokens as t')
    .innerJoin('invitations as i', 'i.id', 't.invitation_id')
    .select(['i.id', 'i.state', 'i.language'])
    .where('t.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row && { invitationId: row.id, status: linkStatus(row.state), language: row.language };
}

export async function invitationStatus(db: Db, invitationId: number): Promise<LinkStatus> {
  return (await invitationInfo(db, invitationId)).status;
}

/** The link status and, for a closed invitation, why it closed (e.g. 'opted_out'). */
export async function invitationInfo(db: Db, invitationId: number): Promise<{ status: LinkStatus; cancelReason: string | null }> {
  const row = await db.selectFrom('invitations').select(['state', 'cancel_reason']).where('id', '=', invitationId).executeTakeFirstOrThrow();
  return { status: linkStatus(row.state), cancelReason: row.cancel_reason };
}

export async function loadAnswers(db: Db, invitationId: number): Promise<Answers> {
  const row = await db.selectFrom('answer_drafts').select('answers').where('invitation_id', '=', invitationId).executeTakeFirst();
  return (row?.answers ?? {}) as Answers;
}

/** Saves one page at once; the draft merges page by page, so two tabs never erase each other. */
export async function saveAnswer(db: Db, invitationId: number, page: PageId, value: number): Promise<void> {
  const patch = JSON.stringify({ [page]: value });
  await db
    .insertInto('answer_drafts')
    .values({ invitation_id: invitationId, answers: patch })
    .onConflict((oc) =>
      oc.column('invitation_id').doUpdateSet({
        answers: sql`answer_drafts.answers || ${patch}::jsonb`,
        version: sql`answer_drafts.version + 1`,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

export type SubmitResult = 'submitted' | 'already-answered' | 'closed' | 'incomplete';

/**
 * Turns the saved draft into the one counted response, in one transaction with the invitation's
 * state change; a double click or a second tab finds the response already there.
 */
export async function submitWebResponse(db: Db, invitationId: number, lang: Lang, now: Date): Promise<SubmitResult> {
  return db.transaction().execute(async (trx) => {
    const inv = await trx.selectFrom('invitations').select('state').where('id', '=', invitationId).forUpdate().executeTakeFirstOrThrow();
    const status = linkStatus(inv.state);
    const draft = await trx.selectFrom('answer_drafts').select('answers').where('invitation_id', '=', invitationId).executeTakeFirst();
    const answers = (draft?.answers ?? {}) as Answers;
    if (status === 'answered') {
      // A paper response counted first: this complete web response is kept uncounted and flagged (docs/paper.md).
      if (isComplete(answers)) await keepWebDuplicate(trx, invitationId, lang, answers, now);
      return 'already-answered';
    }
    if (status === 'closed') return 'closed';
    if (!isComplete(answers)) return 'incomplete';
    await trx
      .insertInto('responses')
      .values(webResponse(invitationId, lang, answers, now))
      .execute();
    await trx.updateTable('invitations').set({ state: 'answered', answered_at: now, updated_at: sql`now()` }).where('id', '=', invitationId).execute();
    // Reminders still waiting are cancelled in the same transaction: no message after an answer.
    await trx
      .updateTable('outbox')
      .set({ state: 'cancelled', last_error: 'answered', updated_at: sql`now()` })
      .where('invitation_id', '=', invitationId)
      .where('state', '=', 'pending')
      .execute();
    return 'submitted';
  });
}

/** The response row for a complete web questionnaire. */
function webResponse(invitationId: number, lang: Lang, answers: CompleteAnswers, now: Date) {
  return {
    id: randomUUID(),
    invitation_id: invitationId,
    mode: 'web' as const,
    language: lang,
    mobility: answers.mobility,
    self_care: answers.self_care,
    usual_activities: answers.usual_activities,
    pain_discomfort: answers.pain_discomfort,
    anxiety_depression: answers.anxiety_depression,
    vas: answers.vas,
    completed_at: now,
  };
}

/** Stores a complete web response next to a counted paper one, once, uncounted with flag 'duplicate'. */
async function keepWebDuplicate(trx: Db, invitationId: number, lang: Lang, answers: CompleteAnswers, now: Date): Promise<void> {
  const existing = await trx.selectFrom('responses').select(['mode', 'counted']).where('invitation_id', '=', invitationId).execute();
  if (existing.some((r) => r.mode === 'web') || !existing.some((r) => r.counted && r.mode === 'paper')) return;
  await trx
    .insertInto('responses')
    .values({ ...webResponse(invitationId, lang, answers, now), counted: false, flag: 'duplicate' })
    .execute();
}
