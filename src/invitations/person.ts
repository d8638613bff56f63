// Transitions of what a survivor (or staff on their behalf) decides about contact: stop all
// contact (opt-out), withdraw consent, answer on paper instead of e-mail, the channel rule. Each
// takes effect at once: open invitations and every waiting outbox step (pending, due for print,
// held) are stopped in the same transaction. Idempotent. Queued jobs of stopped steps are removed
// by the caller when it has the queues (see the returned ids), otherwise by the next scheduling
// pass; a job that runs anyway finds its row cancelled and does nothing.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ChannelRule } from '../db/schema.ts';
import { inHospitalScope, isOpen, type HospitalScope } from './fragments.ts';
import { isOpen as isOpenState } from './programme.ts';
import { makeLetterDueNow } from './print.ts';
import { invitationsOf, stopSurvivor, survivorOf } from './transitions.ts';

/** "Do not contact me again" from a survey link: recorded on the person, stops every open invitation. */
export async function optOut(db: Db, invitationId: number, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const survivorId = await survivorIdOf(trx, invitationId);
    await trx
      .updateTable('survivors')
      .set({ opted_out_at: now, updated_at: sql`now()` })
      .where('id', '=', survivorId)
      .where('opted_out_at', 'is', null)
      .execute();
    await stopSurvivor(trx, survivorId, 'opted_out');
  });
}

/** Consent withdrawn (by the register or staff): returns false when the register id is unknown. */
export async function withdrawConsent(
  db: Db,
  registerId: string,
  now: Date,
  scope: HospitalScope = 'all',
): Promise<boolean> {
  return (await withdrawConsentStopping(db, registerId, now, scope)).found;
}

/**
 * As withdrawConsent, also returning the outbox steps it cancelled (to remove their jobs). A person
 * outside the acting user's hospitals is not found, checked in the transaction of the write.
 */
export async function withdrawConsentStopping(
  db: Db,
  registerId: string,
  now: Date,
  scope: HospitalScope = 'all',
): Promise<{ found: boolean; cancelled: number[] }> {
  return db.transaction().execute(async (trx) => {
    const s = await trx
      .selectFrom('survivors as s')
      .innerJoin('arrest_events as e', 'e.survivor_id', 's.id')
      .select('s.id')
      .where('s.register_id', '=', registerId)
      .where((eb) => inHospitalScope(eb, scope))
      .executeTakeFirst();
    if (!s) return { found: false, cancelled: [] };
    await trx
      .updateTable('survivors')
      .set({ withdrawn_at: now, updated_at: sql`now()` })
      .where('id', '=', s.id)
      .where('withdrawn_at', 'is', null)
      .execute();
    return { found: true, cancelled: await stopSurvivor(trx, s.id, 'withdrawn') };
  });
}

/**
 * "I would rather answer on paper": the person's rule becomes paper-only, waiting e-mail steps turn
 * into letters, and unless a letter is already on its way a letter is due at once (`now`, or the
 * database's time when not given) for the next pass to make due for print.
 */
export async function preferPaper(db: Db, invitationId: number, now?: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const survivorId = await survivorIdOf(trx, invitationId);
    await trx
      .updateTable('survivors')
      .set({ channel_rule: 'paper-only', updated_at: sql`now()` })
      .where('id', '=', survivorId)
      .execute();
    await waitingEmailsToPaper(trx, survivorId);
    await requestLetter(trx, invitationId, now);
  });
}

async function requestLetter(trx: Db, invitationId: number, now: Date | undefined): Promise<void> {
  const inv = await trx
    .selectFrom('invitations')
    .select('state')
    .where('id', '=', invitationId)
    .executeTakeFirstOrThrow();
  if (!isOpenState(inv.state)) return;
  const sentLetter = await trx
    .selectFrom('outbox')
    .select('id')
    .where('invitation_id', '=', invitationId)
    .where('channel', '=', 'paper')
    .where('state', '=', 'sent')
    .executeTakeFirst();
  if (sentLetter) return;
  const address = await trx
    .selectFrom('survivors')
    .select(['address_line', 'postal_code', 'address_returned'])
    .where('id', '=', (eb) =>
      eb
        .selectFrom('arrest_events as e')
        .innerJoin('invitations as i', 'i.arrest_event_id', 'e.id')
        .select('e.survivor_id')
        .where('i.id', '=', invitationId),
    )
    .executeTakeFirstOrThrow();
  // Due for print in this request, also with ROLE=web and no worker: no pass needed.
  await makeLetterDueNow(trx, invitationId, address, now ?? new Date());
}

async function survivorIdOf(trx: Db, invitationId: number): Promise<number> {
  return (await survivorOf(trx, invitationId).executeTakeFirstOrThrow()).survivor_id;
}

function openInvitationIds(trx: Db, survivorId: number) {
  return invitationsOf(trx, survivorId).where((eb) => isOpen(eb));
}

/**
 * A survivor's channel rule (staff or `prom channel`): email-or-paper (default), email-only,
 * paper-only. Planned steps follow the rule from the next invitation on; a change to paper-only
 * also turns waiting e-mail steps into letters at once. A letter never turns back into an e-mail.
 * Returns false when the register id is unknown.
 */
export async function setChannelRule(db: Db, registerId: string, rule: ChannelRule): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const s = await trx.selectFrom('survivors').select('id').where('register_id', '=', registerId).executeTakeFirst();
    if (!s) return false;
    await setChannelRuleOf(trx, s.id, rule);
    return true;
  });
}

/** As setChannelRule, for a survivor by id inside the caller's transaction. */
export async function setChannelRuleOf(trx: Db, survivorId: number, rule: ChannelRule): Promise<void> {
  await trx
    .updateTable('survivors')
    .set({ channel_rule: rule, updated_at: sql`now()` })
    .where('id', '=', survivorId)
    .execute();
  if (rule === 'paper-only') await waitingEmailsToPaper(trx, survivorId);
}

async function waitingEmailsToPaper(trx: Db, survivorId: number): Promise<void> {
  await trx
    .updateTable('outbox')
    .set({ channel: 'paper', updated_at: sql`now()` })
    .where('state', '=', 'pending')
    .where('channel', '=', 'email')
    .where('invitation_id', 'in', openInvitationIds(trx, survivorId))
    .execute();
}
