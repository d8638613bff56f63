// A survivor's contact log for staff: every step with its intended time, actual time, channel
// and outcome, oldest first. Planned steps show too, so staff see what will happen next.
import type { Db } from '../db/database.ts';

export interface ContactLogEntry {
  invitationId: number;
  invitationState: string;
  step: string;
  channel: string;
  /** Outbox state; see docs/architecture.md "Outbox states". */
  state: string;
  dueAt: Date;
  sentAt: Date | null;
  /** The SMTP reply or stop reason (last_error), e.g. 'answered', 'address_missing', '550 …'. */
  outcome: string | null;
  /** Same as dueAt: when the programme meant the step to go. */
  intendedAt: Date;
  /** When it went (sentAt), or when it last changed state if it did not go. */
  actualAt: Date | null;
  attempts: number;
  /** Why the invitation stopped, if it did ('died', 'withdrawn', 'opted_out', 'window_closed', …). */
  invitationReason: string | null;
}

export async function contactLog(db: Db, survivorId: number): Promise<ContactLogEntry[]> {
  const rows = await db
    .selectFrom('outbox as o')
    .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select([
      'o.invitation_id',
      'i.state as invitation_state',
      'i.cancel_reason',
      'o.step',
      'o.channel',
      'o.state',
      'o.due_at',
      'o.sent_at',
      'o.last_error',
      'o.attempts',
      'o.updated_at',
    ])
    .where('e.survivor_id', '=', survivorId)
    .orderBy('o.due_at')
    .orderBy('o.id')
    .execute();
  return rows.map((r) => ({
    invitationId: r.invitation_id,
    invitationState: r.invitation_state,
    step: r.step,
    channel: r.channel,
    state: r.state,
    dueAt: r.due_at,
    sentAt: r.sent_at,
    outcome: r.last_error,
    intendedAt: r.due_at,
    actualAt: r.sent_at ?? (r.state === 'pending' ? null : r.updated_at),
    attempts: r.attempts,
    invitationReason: r.cancel_reason,
  }));
}
