// The one transition `prom demo` uses: a synthetic person's past contact (an invitation sent on
// the opening day, expired or answered, with its response), written as history in a database of
// the demo's own. No rule applies to people who do not exist, so nothing is checked here but the
// shape; keeping it in the owner keeps every write of these tables in one module.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { Window } from './programme.ts';

export interface SyntheticContact {
  arrestEventId: number;
  window: Window;
  invitedAt: Date;
  messageId: string;
  /** Absent: the invitation expired unanswered. */
  answer?: { answeredAt: Date; mode: 'web' | 'paper'; levels: number[]; vas: number; completedAt: Date };
}

export async function recordSyntheticContact(trx: Db, c: SyntheticContact): Promise<void> {
  const invitation = await trx
    .insertInto('invitations')
    .values({
      arrest_event_id: c.arrestEventId,
      state: c.answer ? 'answered' : 'expired',
      cancel_reason: c.answer ? null : 'window_closed',
      opens_on: c.window.opensOn,
      closes_on: c.window.closesOn,
      language: 'nb',
      created_at: c.invitedAt,
      answered_at: c.answer?.answeredAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('outbox')
    .values({
      invitation_id: invitation.id,
      step: 'invitation',
      channel: 'email',
      state: 'sent',
      due_at: c.invitedAt,
      sent_at: c.invitedAt,
      message_id: c.messageId,
      created_at: c.invitedAt,
    })
    .execute();
  if (!c.answer) return;
  const [mobility, self_care, usual_activities, pain_discomfort, anxiety_depression] = c.answer.levels;
  await trx
    .insertInto('responses')
    .values({
      id: randomUUID(),
      invitation_id: invitation.id,
      mode: c.answer.mode,
      language: 'nb',
      mobility,
      self_care,
      usual_activities,
      pain_discomfort,
      anxiety_depression,
      vas: c.answer.vas,
      completed_at: c.answer.completedAt,
    })
    .execute();
}
