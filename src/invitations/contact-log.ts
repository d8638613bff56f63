// A survivor's contact log for staff: every step with its intended time, actual time, channel
// and outcome, oldest first.
import type { Db } from '../db/database.ts';

export interface ContactLogEntry {
  invitationId: number;
  invitationState: string;
  step: string;
  channel: string;
  state: string;
  dueAt: Date;
  sentAt: Date | null;
  outcome: string | null;
}

export async function contactLog(db: Db, survivorId: number): Promise<ContactLogEntry[]> {
  const rows = await db
    .selectFrom('outbox as o')
    .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select(['o.invitation_id', 'i.state as invitation_state', 'o.step', 'o.channel', 'o.state', 'o.due_at', 'o.sent_at', 'o.last_error'])
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
  }));
}
