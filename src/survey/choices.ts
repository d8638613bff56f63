// The respondent's own choices from a survey page or an e-mail link: "do not contact me again"
// and "I would rather answer on paper". The rules live in invitations/person.ts; here
// they are recorded in the audit log too (actor "respondent"), and read back for receipts.
import type { Db } from '../db/database.ts';
import { optOut, preferPaper } from '../invitations/person.ts';
import { audit } from '../audit/log.ts';

export interface ContactChoices {
  optedOut: boolean;
  paper: boolean;
}

export async function contactChoices(db: Db, invitationId: number): Promise<ContactChoices> {
  const row = await db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['s.opted_out_at', 's.channel_rule'])
    .where('i.id', '=', invitationId)
    .executeTakeFirstOrThrow();
  return { optedOut: row.opted_out_at !== null, paper: row.channel_rule === 'paper-only' };
}

/** Idempotent: a second confirmation changes nothing and writes no second audit row. */
export async function chooseNoContact(db: Db, invitationId: number, now: Date): Promise<void> {
  if ((await contactChoices(db, invitationId)).optedOut) return;
  await optOut(db, invitationId, now);
  await audit(db, {
    actor: 'respondent',
    action: 'opt-out',
    entity: 'invitation',
    entityId: invitationId,
    details: { via: 'web' },
  });
}

/** The person's rule becomes paper-only; contact-preferences also makes a letter due at once. */
export async function choosePaper(db: Db, invitationId: number, now: Date): Promise<void> {
  if ((await contactChoices(db, invitationId)).paper) return;
  await preferPaper(db, invitationId, now);
  await audit(db, {
    actor: 'respondent',
    action: 'prefer-paper',
    entity: 'invitation',
    entityId: invitationId,
    details: { via: 'web' },
  });
}
