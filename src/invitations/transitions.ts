// Stopping invitations and their waiting steps, in one place (docs/architecture.md, principle 2). Every
// update is guarded by the state it leaves, so a repeat or a race changes nothing the second time.
// Each function takes the transaction it runs in and returns the outbox ids it cancelled, so the
// caller can remove their queued jobs.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { InvitationState, Step } from '../db/schema.ts';
import { unnestColumns } from '../db/unnest.ts';
import { hasCountedResponse } from './fragments.ts';
import {
  invitationStateAfterSend,
  invitationStateAfterStop,
  OPEN_STATES,
  WAITING_STATES,
  type PlannedStep,
  type StopReason,
} from './programme.ts';

/** Stops one invitation: person facts cancel it, the window expires it; waiting steps are cancelled. */
export async function stopInvitation(trx: Db, invitationId: number, reason: StopReason): Promise<number[]> {
  const state = invitationStateAfterStop(reason);
  if (state) {
    await trx
      .updateTable('invitations')
      .set({ state, cancel_reason: reason, updated_at: sql`now()` })
      .where('id', '=', invitationId)
      .where('state', 'in', OPEN_STATES)
      .execute();
  }
  if (reason === 'answered') await markAnsweredFromResponses(trx, [invitationId]);
  return cancelWaitingSteps(trx, [invitationId], reason);
}

/** Stops every open invitation of a survivor (death, withdrawal, opt-out), at once. */
export async function stopSurvivor(
  trx: Db,
  survivorId: number,
  reason: 'died' | 'withdrawn' | 'opted_out',
): Promise<number[]> {
  const ids = (await invitationsOf(trx, survivorId).execute()).map((i) => i.id);
  if (ids.length === 0) return [];
  await trx
    .updateTable('invitations')
    .set({ state: 'cancelled', cancel_reason: reason, updated_at: sql`now()` })
    .where('id', 'in', ids)
    .where('state', 'in', OPEN_STATES)
    .execute();
  return cancelWaitingSteps(trx, ids, reason);
}

/** A step went out (an e-mail accepted, a letter handed over): the invitation moves as the programme says. */
export async function advanceAfterSend(trx: Db, invitationId: number, step: Step, currentState: string): Promise<void> {
  const state = invitationStateAfterSend(step, currentState);
  if (!state) return;
  await trx
    .updateTable('invitations')
    .set({ state, updated_at: sql`now()` })
    .where('id', '=', invitationId)
    .where('state', 'in', statesBefore(state))
    .execute();
}

/** An e-mail step the SMTP server accepted, and the invitation state it was claimed in. */
export interface SentEmail {
  outboxId: number;
  invitationId: number;
  step: Step;
  invitationState: string;
  messageId: string;
  at: Date;
}

/**
 * E-mail steps the SMTP server accepted, set-based: each row becomes `sent` and its invitation
 * moves as advanceAfterSend says (a data-modifying CTE, so both or neither), one statement for
 * many rows. The rows' values travel as one array per column (src/db/unnest.ts). An invitation
 * named twice (two of its steps in one call) is moved by one statement per step, in order, so the
 * guards see each move as they would one at a time.
 */
export async function markEmailsSent(db: Db, sent: readonly SentEmail[]): Promise<void> {
  for (const round of oncePerInvitation(sent)) {
    const rows = unnestColumns('r', {
      id: { type: 'bigint', values: round.map((s) => s.outboxId) },
      message_id: { type: 'text', values: round.map((s) => s.messageId) },
      sent_at: { type: 'timestamptz', values: round.map((s) => s.at) },
      next_state: {
        type: 'text',
        values: round.map((s) => invitationStateAfterSend(s.step, s.invitationState) ?? null),
      },
    });
    await db
      .with(
        'r',
        () =>
          sql<{
            id: number;
            message_id: string;
            sent_at: Date;
            next_state: 'sent' | 'reminded' | null;
          }>`(select * from ${rows})`,
      )
      .with('o', (qc) =>
        qc
          .updateTable('outbox as o')
          .from('r')
          .set({
            state: 'sent',
            message_id: sql`r.message_id`,
            sent_at: sql`r.sent_at`,
            last_error: null,
            updated_at: sql`now()`,
          })
          .whereRef('o.id', '=', 'r.id')
          .returning(['o.invitation_id', 'r.next_state']),
      )
      .updateTable('invitations as i')
      .from('o')
      .set({ state: sql`o.next_state`, updated_at: sql`now()` })
      .whereRef('i.id', '=', 'o.invitation_id')
      .where((eb) =>
        eb.or(
          (['sent', 'reminded'] as const).map((state) =>
            eb.and([eb('o.next_state', '=', state), eb('i.state', 'in', statesBefore(state))]),
          ),
        ),
      )
      .execute();
  }
}

/** Splits the rows so that no invitation is named twice in one part; the order per invitation is kept. */
function oncePerInvitation(sent: readonly SentEmail[]): SentEmail[][] {
  const rounds: SentEmail[][] = [];
  const next = new Map<number, number>();
  for (const s of sent) {
    const i = next.get(s.invitationId) ?? 0;
    (rounds[i] ??= []).push(s);
    next.set(s.invitationId, i + 1);
  }
  return rounds;
}

/** A send moves an invitation forward only: to sent from planned, to reminded from planned or sent. */
const statesBefore = (state: 'sent' | 'reminded'): InvitationState[] =>
  state === 'sent' ? ['planned'] : ['planned', 'sent'];

/**
 * An open (or reopened) invitation's state from its steps that went: reminded after a sent
 * reminder, sent after the sent invitation step, else planned.
 */
export async function restoreStateFromSteps(trx: Db, invitationId: number): Promise<void> {
  await trx
    .updateTable('invitations as i')
    .set({
      state: sql`case when exists (select 1 from outbox o where o.invitation_id = i.id and o.state = 'sent' and o.step in ('reminder1', 'reminder2')) then 'reminded'
                      when exists (select 1 from outbox o where o.invitation_id = i.id and o.state = 'sent' and o.step = 'invitation') then 'sent'
                      else 'planned' end`,
      cancel_reason: null,
      updated_at: sql`now()`,
    })
    .where('i.id', '=', invitationId)
    .where('i.state', 'in', [...OPEN_STATES, 'cancelled'])
    .execute();
}

/** A survivor's invitations, as a query (usable as a subquery). */
export function invitationsOf(db: Db, survivorId: number) {
  return db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select('i.id')
    .where('e.survivor_id', '=', survivorId);
}

/** The survivor an invitation belongs to, as a query (usable as a subquery). */
export function survivorOf(db: Db, invitationId: number) {
  return db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select('e.survivor_id')
    .where('i.id', '=', invitationId);
}

/** A death recorded on the person: every open invitation and waiting step stops at once. Returns the cancelled steps. */
export async function recordDeathOn(trx: Db, survivorId: number, diedOn: string): Promise<number[]> {
  await trx
    .updateTable('survivors')
    .set({ died_on: diedOn, updated_at: sql`now()` })
    .where('id', '=', survivorId)
    .execute();
  return stopSurvivor(trx, survivorId, 'died');
}

/** The window is judged by passes: invitations whose closing day has come expire, with their steps. */
export async function expireClosedWindows(trx: Db, today: string): Promise<{ expired: number; cancelled: number[] }> {
  const expired = await trx
    .updateTable('invitations')
    .set({ state: 'expired', cancel_reason: 'window_closed', updated_at: sql`now()` })
    .where('state', 'in', OPEN_STATES)
    .where('closes_on', '<=', today)
    .returning('id')
    .execute();
  const ids = expired.map((r) => r.id);
  return { expired: ids.length, cancelled: ids.length ? await cancelWaitingSteps(trx, ids, 'window_closed') : [] };
}

/**
 * Safety net for paths that stop an invitation but leave some steps waiting (an answer cancels
 * only `pending` steps; a paper answer may not change the state at all).
 */
export async function sweepStoppedInvitations(trx: Db): Promise<number[]> {
  const answeredOpen = await trx
    .selectFrom('invitations as i')
    .select('i.id')
    .where('i.state', 'in', OPEN_STATES)
    .where((eb) => hasCountedResponse(eb))
    .execute();
  await markAnsweredFromResponses(
    trx,
    answeredOpen.map((r) => r.id),
  );
  const rows = await trx
    .updateTable('outbox as o')
    .from('invitations as i')
    .set({ state: 'cancelled', last_error: sql`coalesce(i.cancel_reason, i.state)`, updated_at: sql`now()` })
    .whereRef('i.id', '=', 'o.invitation_id')
    .where('o.state', 'in', WAITING_STATES)
    .where('i.state', 'not in', OPEN_STATES)
    .returning('o.id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Reminders count from the day the invitation actually went (an e-mail sent, a letter made due
 * for print), so a late first step never brings them closer. Only waiting reminders move, and
 * only later.
 */
export async function rescheduleReminders(trx: Db, invitationId: number, reminders: PlannedStep[]): Promise<void> {
  for (const r of reminders) {
    await trx
      .updateTable('outbox')
      .set({ due_at: sql`greatest(due_at, ${r.dueAt}::timestamptz)`, updated_at: sql`now()` })
      .where('invitation_id', '=', invitationId)
      .where('step', '=', r.step)
      .where('state', '=', 'pending')
      .execute();
  }
}

/** A counted response (web or paper) makes an open invitation answered, at the response's time. */
async function markAnsweredFromResponses(trx: Db, invitationIds: number[]): Promise<void> {
  if (invitationIds.length === 0) return;
  await trx
    .updateTable('invitations as i')
    .set({
      state: 'answered',
      answered_at: sql`(select min(r.completed_at) from responses r where r.invitation_id = i.id and r.counted)`,
      updated_at: sql`now()`,
    })
    .where('i.id', 'in', invitationIds)
    .where('i.state', 'in', OPEN_STATES)
    .where((eb) => hasCountedResponse(eb))
    .execute();
}

async function cancelWaitingSteps(trx: Db, invitationIds: number[], reason: string): Promise<number[]> {
  const rows = await trx
    .updateTable('outbox')
    .set({ state: 'cancelled', last_error: reason, updated_at: sql`now()` })
    .where('invitation_id', 'in', invitationIds)
    .where('state', 'in', WAITING_STATES)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
