// What a survivor (or staff on their behalf) can decide about contact: stop all contact (opt-out),
// withdraw consent, or answer on paper instead of e-mail. Each takes effect at once: open
// invitations and waiting outbox steps are stopped in the same transaction. Idempotent.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

type Reason = 'opted_out' | 'withdrawn';

/** "Do not contact me again" from a survey link: recorded on the person, stops every open invitation. */
export async function optOut(db: Db, invitationId: number, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const survivorId = await survivorOf(trx, invitationId);
    await trx.updateTable('survivors').set({ opted_out_at: now, updated_at: sql`now()` }).where('id', '=', survivorId).where('opted_out_at', 'is', null).execute();
    await stopOpenInvitations(trx, survivorId, 'opted_out');
  });
}

/** Consent withdrawn (by the register or staff): returns false when the register id is unknown. */
export async function withdrawConsent(db: Db, registerId: string, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const s = await trx.selectFrom('survivors').select('id').where('register_id', '=', registerId).executeTakeFirst();
    if (!s) return false;
    await trx.updateTable('survivors').set({ withdrawn_at: now, updated_at: sql`now()` }).where('id', '=', s.id).where('withdrawn_at', 'is', null).execute();
    await stopOpenInvitations(trx, s.id, 'withdrawn');
    return true;
  });
}

/** "I would rather answer on paper": the person's rule becomes paper-only and waiting e-mail steps turn into letters. */
export async function preferPaper(db: Db, invitationId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const survivorId = await survivorOf(trx, invitationId);
    await trx.updateTable('survivors').set({ channel_rule: 'paper-only', updated_at: sql`now()` }).where('id', '=', survivorId).execute();
    await trx
      .updateTable('outbox')
      .set({ channel: 'paper', updated_at: sql`now()` })
      .where('state', '=', 'pending')
      .where('channel', '=', 'email')
      .where('invitation_id', 'in', openInvitationIds(trx, survivorId))
      .execute();
  });
}

async function survivorOf(trx: Db, invitationId: number): Promise<number> {
  const row = await trx
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select('e.survivor_id')
    .where('i.id', '=', invitationId)
    .executeTakeFirstOrThrow();
  return row.survivor_id;
}

function openInvitationIds(trx: Db, survivorId: number) {
  return trx
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select('i.id')
    .where('e.survivor_id', '=', survivorId)
    .where('i.state', 'in', ['planned', 'sent', 'reminded']);
}

async function stopOpenInvitations(trx: Db, survivorId: number, reason: Reason): Promise<void> {
  const open = (await openInvitationIds(trx, survivorId).execute()).map((r) => r.id);
  if (open.length === 0) return;
  await trx.updateTable('outbox').set({ state: 'cancelled', last_error: reason, updated_at: sql`now()` }).where('invitation_id', 'in', open).where('state', '=', 'pending').execute();
  await trx.updateTable('invitations').set({ state: 'cancelled', cancel_reason: reason, updated_at: sql`now()` }).where('id', 'in', open).execute();
}
