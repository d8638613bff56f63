// Transitions for what a registrar does after a phone call or returned post: a paper form now,
// stopping contact at the person's request and undoing it, a death, a letter that came back
// undeliverable, the person's language. Each runs in one transaction, checks the rules (open,
// window by the caller's clock, answered, alive, consent, the acting user's hospitals) and
// returns what it did, so the page can say so; queued jobs of cancelled steps are removed by the
// next pass (a job that runs first finds its row cancelled).
import { sql } from 'kysely';
import { osloDay } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { Survivor } from '../db/schema.ts';
import type { Lang } from '../i18n/views.ts';
import { setChannelRuleOf } from './person.ts';
import { hasCountedResponse, inHospitalScope, isOpen, type HospitalScope } from './fragments.ts';
import { addressKey, personStopReason, usableEmail } from './programme.ts';
import { makeLetterDueNow } from './print.ts';
import { invitationsOf, recordDeathOn, restoreStateFromSteps, stopSurvivor } from './transitions.ts';

/** The survivor within the actor's hospitals, locked for the transaction; undefined when outside. */
async function survivorInScope(trx: Db, survivorId: number, scope: HospitalScope) {
  return trx
    .selectFrom('survivors as s')
    .innerJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .select([
      's.id',
      's.national_id',
      's.birth_date',
      's.died_on',
      's.withdrawn_at',
      's.opted_out_at',
      's.address_line',
      's.postal_code',
      's.address_returned',
      'e.arrest_date',
    ])
    .where('s.id', '=', survivorId)
    .where((eb) => inHospitalScope(eb, scope))
    .forUpdate('s')
    .executeTakeFirst();
}

/** The person's open invitation by `today` that has no counted response, with its id. */
async function openUnanswered(trx: Db, survivorId: number, today: string): Promise<number | undefined> {
  const row = await invitationsOf(trx, survivorId)
    .where((eb) => isOpen(eb, today))
    .where((eb) => eb.not(hasCountedResponse(eb)))
    .orderBy('i.id', 'desc')
    .executeTakeFirst();
  return row?.id;
}

export type PaperNow =
  'due-for-print' | 'held-no-address' | 'already-on-its-way' | 'not-open' | 'person-stopped' | 'not-found';

/**
 * A letter with the questionnaire, due for print at once: in the print worklist and the next
 * batch without waiting for a pass (a batch checks it again). Only while the window is open, the
 * invitation unanswered and the person alive, consenting and not opted out. Without a usable
 * postal address it is held for staff.
 */
export async function sendPaperNow(db: Db, survivorId: number, scope: HospitalScope, now: Date): Promise<PaperNow> {
  return db.transaction().execute(async (trx) => {
    const person = await survivorInScope(trx, survivorId, scope);
    if (!person) return 'not-found';
    if (personStopReason({ diedOn: person.died_on, withdrawnAt: person.withdrawn_at, optedOutAt: person.opted_out_at }))
      return 'person-stopped';
    const invitationId = await openUnanswered(trx, survivorId, osloDay(now));
    if (invitationId === undefined) return 'not-open';
    return makeLetterDueNow(trx, invitationId, person, now);
  });
}

export type StopContact = { kind: 'stopped'; cancelled: number[] } | { kind: 'already' } | { kind: 'not-found' };

/** "Do not contact me again" by phone or post: recorded with the date and who asked; every waiting step stops. */
export async function stopContact(
  db: Db,
  survivorId: number,
  scope: HospitalScope,
  at: Date,
  source: 'person' | 'relative' | 'other',
): Promise<StopContact> {
  return db.transaction().execute(async (trx) => {
    const person = await survivorInScope(trx, survivorId, scope);
    if (!person) return { kind: 'not-found' as const };
    if (person.opted_out_at) return { kind: 'already' as const };
    await trx
      .updateTable('survivors')
      .set({ opted_out_at: at, opt_out_source: source, updated_at: sql`now()` })
      .where('id', '=', survivorId)
      .execute();
    return { kind: 'stopped' as const, cancelled: await stopSurvivor(trx, survivorId, 'opted_out') };
  });
}

export type ResumeContact = { kind: 'resumed'; restored: number } | { kind: 'not-stopped' } | { kind: 'not-found' };

/**
 * Undoes a stop of contact: the invitations the stop cancelled come back while their window is
 * open (by `now`), in the state their sent steps give them, with the steps the stop cancelled;
 * steps that fell due meanwhile go at the next pass. A death or a withdrawal is not undone here.
 */
export async function resumeContact(
  db: Db,
  survivorId: number,
  scope: HospitalScope,
  now: Date,
): Promise<ResumeContact> {
  return db.transaction().execute(async (trx) => {
    const person = await survivorInScope(trx, survivorId, scope);
    if (!person) return { kind: 'not-found' as const };
    if (!person.opted_out_at) return { kind: 'not-stopped' as const };
    await trx
      .updateTable('survivors')
      .set({ opted_out_at: null, opt_out_source: null, updated_at: sql`now()` })
      .where('id', '=', survivorId)
      .execute();
    if (person.died_on || person.withdrawn_at) return { kind: 'resumed' as const, restored: 0 };
    const stopped = await invitationsOf(trx, survivorId)
      .where('i.state', '=', 'cancelled')
      .where('i.cancel_reason', '=', 'opted_out')
      .where('i.closes_on', '>', osloDay(now))
      .execute();
    let restored = 0;
    for (const { id } of stopped) {
      await restoreStateFromSteps(trx, id);
      const steps = await trx
        .updateTable('outbox')
        .set({ state: 'pending', last_error: null, updated_at: sql`now()` })
        .where('invitation_id', '=', id)
        .where('state', '=', 'cancelled')
        .where('last_error', '=', 'opted_out')
        .executeTakeFirst();
      restored += Number(steps.numUpdatedRows);
    }
    return { kind: 'resumed' as const, restored };
  });
}

export type RecordDeath = { kind: 'recorded'; cancelled: number[] } | { kind: 'not-found' };

/** A death (from a relative's call or the population register): recorded for the vital-status check, every contact stops. */
export async function recordDeath(
  db: Db,
  survivorId: number,
  scope: HospitalScope,
  diedOn: string,
  source: string,
): Promise<RecordDeath> {
  return db.transaction().execute(async (trx) => {
    const person = await survivorInScope(trx, survivorId, scope);
    if (!person) return { kind: 'not-found' as const };
    await trx
      .insertInto('deaths')
      .values({ national_id: person.national_id, died_on: diedOn, source })
      .onConflict((oc) => oc.column('national_id').doUpdateSet({ died_on: diedOn, source }))
      .execute();
    return { kind: 'recorded' as const, cancelled: await recordDeathOn(trx, survivorId, diedOn) };
  });
}

export type LetterReturned =
  | { kind: 'to-email' | 'address-unknown' | 'already-answered'; letterId: number }
  | { kind: 'already-returned' }
  | { kind: 'not-found' };

/**
 * A letter came back undeliverable. The address it went to is flagged (unusable until a new one
 * is entered); the letter's step goes again by e-mail when there is a usable address, otherwise it
 * is held on the "address unknown" worklist, and a new address releases it at the next pass.
 */
export async function markLetterReturned(
  db: Db,
  survivorId: number,
  letterId: number,
  scope: HospitalScope,
  actor: string,
  now: Date,
): Promise<LetterReturned> {
  return db.transaction().execute(async (trx) => {
    const letter = await trx
      .selectFrom('letters as l')
      .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
      .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
      .select([
        'l.id',
        'l.outbox_id',
        'l.invitation_id',
        'l.address_line',
        'l.postal_code',
        'l.returned_at',
        'e.survivor_id',
      ])
      .where('l.id', '=', letterId)
      .where('e.survivor_id', '=', survivorId)
      .where((eb) => inHospitalScope(eb, scope))
      .forUpdate('l')
      .executeTakeFirst();
    if (!letter) return { kind: 'not-found' as const };
    if (letter.returned_at) return { kind: 'already-returned' as const };
    await trx.updateTable('letters').set({ returned_at: now, returned_by: actor }).where('id', '=', letterId).execute();
    await trx
      .updateTable('survivors')
      .set({ address_returned: addressKey(letter.address_line, letter.postal_code), updated_at: sql`now()` })
      .where('id', '=', letter.survivor_id)
      .execute();
    const open = await trx
      .selectFrom('invitations as i')
      .select('i.id')
      .where('i.id', '=', letter.invitation_id)
      .where((eb) => isOpen(eb, osloDay(now)))
      .where((eb) => eb.not(hasCountedResponse(eb)))
      .executeTakeFirst();
    if (!open) return { kind: 'already-answered' as const, letterId };
    const contact = await trx
      .selectFrom('survivors')
      .select(['email', 'bounced_email', 'channel_rule'])
      .where('id', '=', letter.survivor_id)
      .executeTakeFirstOrThrow();
    const byEmail =
      contact.channel_rule !== 'paper-only' &&
      usableEmail({ email: contact.email, bouncedEmail: contact.bounced_email }) !== null;
    // The one case where a step moves from paper to e-mail: the letter is known not to have arrived.
    await trx
      .updateTable('outbox')
      .set(
        byEmail
          ? {
              state: 'pending',
              channel: 'email',
              due_at: now,
              last_error: 'letter returned undeliverable; sent by e-mail',
            }
          : { state: 'held', last_error: 'address_returned' },
      )
      .set({ updated_at: sql`now()` })
      .where('id', '=', letter.outbox_id)
      .execute();
    return { kind: byEmail ? ('to-email' as const) : ('address-unknown' as const), letterId };
  });
}

export type ContactDetails = Pick<
  Survivor,
  'email' | 'phone' | 'address_line' | 'postal_code' | 'city' | 'language' | 'channel_rule'
>;

/**
 * New contact details from a phone call (validated like the import). A new address or e-mail is
 * usable at once (a flagged one stays unusable only while it is the same); a new language applies
 * to open invitations; a new channel rule as `prom channel`. Returns the names of the fields that
 * changed, or undefined outside the actor's hospitals.
 */
export async function changeContactDetails(
  db: Db,
  survivorId: number,
  scope: HospitalScope,
  v: ContactDetails,
): Promise<string[] | undefined> {
  return db.transaction().execute(async (trx) => {
    if (!(await survivorInScope(trx, survivorId, scope))) return undefined;
    const before = await trx
      .selectFrom('survivors')
      .select(['email', 'phone', 'address_line', 'postal_code', 'city', 'language', 'channel_rule'])
      .where('id', '=', survivorId)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('survivors')
      .set({
        email: v.email,
        phone: v.phone,
        address_line: v.address_line,
        postal_code: v.postal_code,
        city: v.city,
        updated_at: sql`now()`,
      })
      .where('id', '=', survivorId)
      .execute();
    if (before.language !== v.language) await changeLanguage(trx, survivorId, v.language);
    if (before.channel_rule !== v.channel_rule) await setChannelRuleOf(trx, survivorId, v.channel_rule);
    return (Object.keys(before) as (keyof typeof before)[]).filter((k) => before[k] !== v[k]);
  });
}

/** The person's language: open invitations follow, so the next e-mail or letter is in it. */
async function changeLanguage(trx: Db, survivorId: number, language: Lang): Promise<void> {
  await trx
    .updateTable('survivors')
    .set({ language, updated_at: sql`now()` })
    .where('id', '=', survivorId)
    .execute();
  await trx
    .updateTable('invitations')
    .set({ language, updated_at: sql`now()` })
    .where(
      'id',
      'in',
      invitationsOf(trx, survivorId).where((eb) => isOpen(eb)),
    )
    .execute();
}
