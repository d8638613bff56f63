// Transitions of letters and print batches. A pass makes a paper step due for print (`print`) or
// holds it; a batch takes due steps that pass the check again into `letters` rows (one per step,
// never two) with a short code each; staff confirm the hand-over of the letters of their own
// hospitals, which makes those steps `sent`. Drawing the PDF is the paper module's (src/paper/).
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Step } from '../db/schema.ts';
import type { Lang } from '../i18n/views.ts';
import { osloDay } from '../clock.ts';
import { hasCountedResponse, inHospitalScope, type HospitalScope } from './fragments.ts';
import { usablePostalAddress } from './programme.ts';
import { issueShortCode } from './short-codes.ts';
import { advanceAfterSend, restoreStateFromSteps } from './transitions.ts';

/**
 * The `paper_request` step of an invitation, due for print now (or held without an address);
 * one per invitation, and none while another letter waits for print or an address.
 */
export async function makeLetterDueNow(
  trx: Db,
  invitationId: number,
  address: { address_line: string | null; postal_code: string | null; address_returned: string | null },
  now: Date,
): Promise<'due-for-print' | 'held-no-address' | 'already-on-its-way'> {
  const waiting = await trx
    .selectFrom('outbox')
    .select('id')
    .where('invitation_id', '=', invitationId)
    .where('channel', '=', 'paper')
    .where('state', 'in', ['print', 'held'])
    .executeTakeFirst();
  const existing = await trx
    .selectFrom('outbox')
    .select(['id', 'state'])
    .where('invitation_id', '=', invitationId)
    .where('step', '=', 'paper_request')
    .executeTakeFirst();
  if (waiting || (existing && existing.state !== 'cancelled')) return 'already-on-its-way';
  const usable = usablePostalAddress({
    addressLine: address.address_line,
    postalCode: address.postal_code,
    addressReturned: address.address_returned,
  });
  const state = usable ? ('print' as const) : ('held' as const);
  const lastError = usable ? null : 'address_missing';
  if (existing) {
    await trx
      .updateTable('outbox')
      .set({ state, channel: 'paper', due_at: now, last_error: lastError, updated_at: sql`now()` })
      .where('id', '=', existing.id)
      .execute();
  } else {
    await trx
      .insertInto('outbox')
      .values({
        invitation_id: invitationId,
        step: 'paper_request',
        channel: 'paper',
        state,
        due_at: now,
        last_error: lastError,
        created_at: now,
      })
      .execute();
  }
  return usable ? 'due-for-print' : 'held-no-address';
}

/** Letters that can no longer go: the postal address is gone (a pass looks again). */
export async function holdForAddress(db: Db, outboxIds: number[]): Promise<void> {
  if (outboxIds.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ state: 'held', last_error: 'address_missing', updated_at: sql`now()` })
    .where('id', 'in', outboxIds)
    .where('state', '=', 'print')
    .execute();
}

/** A letter left for a later batch (vital status unknown): it stays due for print with the reason. */
export async function deferLetter(db: Db, outboxId: number, reason: string): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ last_error: reason, updated_at: sql`now()` })
    .where('id', '=', outboxId)
    .where('state', '=', 'print')
    .execute();
}

export interface LetterToPrint {
  outboxId: number;
  invitationId: number;
  step: Step;
  language: Lang;
  name: string | null;
  addressLine: string;
  postalCode: string;
  city: string | null;
}

const kindOf = (step: Step): 'invitation' | 'reminder' =>
  step === 'reminder1' || step === 'reminder2' ? 'reminder' : 'invitation';

/**
 * A new batch of the checked letters: a short code per letter (kept sealed by `seal` for
 * reprints), one `letters` row per step. A step another batch took first stays there (unique
 * outbox_id); when none is left, nothing is made and undefined is returned.
 */
export async function takeIntoBatch(
  db: Db,
  letters: LetterToPrint[],
  opts: { actor: string; now: Date; today: string; pages: number; seal: (code: string) => string },
): Promise<number | undefined> {
  return db
    .transaction()
    .execute(async (trx) => {
      const batch = await trx
        .insertInto('print_batches')
        .values({ created_by: opts.actor, made_at: opts.now })
        .returning('id')
        .executeTakeFirstOrThrow();
      const rows = [];
      for (const l of letters) {
        const code = await issueShortCode(trx, l.invitationId);
        rows.push({
          outbox_id: l.outboxId,
          invitation_id: l.invitationId,
          batch_id: batch.id,
          kind: kindOf(l.step),
          language: l.language,
          pages: opts.pages,
          letter_date: opts.today,
          name: l.name,
          address_line: l.addressLine,
          postal_code: l.postalCode,
          city: l.city,
          short_code_enc: opts.seal(code),
        });
      }
      let inserted = 0;
      for (let i = 0; i < rows.length; i += 500) {
        const done = await trx
          .insertInto('letters')
          .values(rows.slice(i, i + 500))
          .onConflict((oc) => oc.column('outbox_id').where('returned_at', 'is', null).doNothing())
          .returning('id')
          .execute();
        inserted += done.length;
      }
      if (inserted === 0) throw new EmptyBatch();
      await trx.updateTable('print_batches').set({ letters: inserted }).where('id', '=', batch.id).execute();
      return batch.id;
    })
    .catch((err: unknown) => {
      if (err instanceof EmptyBatch) return undefined;
      throw err;
    });
}

class EmptyBatch extends Error {}

/** Where a batch's (or a reprint's) files were written. */
export async function recordBatchFiles(
  db: Db,
  batchId: number,
  files: { pdfFile: string; manifestFile: string; letters?: number },
): Promise<void> {
  const set = {
    pdf_file: files.pdfFile,
    manifest_file: files.manifestFile,
    ...(files.letters === undefined ? {} : { letters: files.letters }),
  };
  await db.updateTable('print_batches').set(set).where('id', '=', batchId).execute();
}

/** A deliberate reprint of batch `of` is its own batch row with `reprint_of`. */
export async function recordReprint(db: Db, of: number, actor: string, now: Date): Promise<number> {
  const row = await db
    .insertInto('print_batches')
    .values({ created_by: actor, made_at: now, reprint_of: of })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export type ConfirmResult =
  | { kind: 'confirmed'; sent: number; pulled: number[]; remaining: number }
  | { kind: 'not-found' }
  | { kind: 'already' }
  | { kind: 'is-reprint' };

/**
 * The letters of the batch within `scope` went to the print shop: their steps still due for
 * print become `sent` (invitations planned → sent, or → reminded, as for e-mail), and the letters
 * are marked handed over. Letters whose step was stopped after the batch was made are returned
 * (`pulled`, letter ids), to be taken out of the pile. Letters of other hospitals stay for their
 * registrars, an admin or `prom letters confirm` (`remaining`); the batch counts as handed over
 * when none is left. A batch without a letter in scope is 'not-found'.
 */
export async function confirmHandOver(
  db: Db,
  batchId: number,
  actor: string,
  scope: HospitalScope,
  now: Date,
): Promise<ConfirmResult> {
  return db.transaction().execute(async (trx) => {
    const batch = await trx
      .selectFrom('print_batches')
      .select(['id', 'reprint_of'])
      .where('id', '=', batchId)
      .forUpdate()
      .executeTakeFirst();
    if (!batch) return { kind: 'not-found' as const };
    const rows = await trx
      .selectFrom('letters as l')
      .innerJoin('outbox as o', 'o.id', 'l.outbox_id')
      .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
      .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
      .select([
        'l.id as letter_id',
        'l.handed_over_at',
        'o.id as outbox_id',
        'o.step',
        'o.state',
        'i.id as invitation_id',
        'i.state as invitation_state',
      ])
      .where('l.batch_id', '=', batch.reprint_of ?? batchId)
      .where((eb) => inHospitalScope(eb, scope))
      .orderBy('l.id')
      .execute();
    if (rows.length === 0) return { kind: 'not-found' as const };
    if (batch.reprint_of !== null) return { kind: 'is-reprint' as const };
    const open = rows.filter((r) => r.handed_over_at === null);
    if (open.length === 0) return { kind: 'already' as const };
    const going = open.filter((r) => r.state === 'print');
    if (going.length) {
      await trx
        .updateTable('outbox')
        .set({ state: 'sent', sent_at: now, last_error: null, updated_at: sql`now()` })
        .where(
          'id',
          'in',
          going.map((r) => r.outbox_id),
        )
        .where('state', '=', 'print')
        .execute();
    }
    for (const r of going) await advanceAfterSend(trx, r.invitation_id, r.step, r.invitation_state);
    await trx
      .updateTable('letters')
      .set({ handed_over_at: now, handed_over_by: actor })
      .where(
        'id',
        'in',
        open.map((r) => r.letter_id),
      )
      .execute();
    const left = await trx
      .selectFrom('letters')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('batch_id', '=', batchId)
      .where('handed_over_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (left.n === 0)
      await trx
        .updateTable('print_batches')
        .set({ handed_over_at: now, handed_over_by: actor })
        .where('id', '=', batchId)
        .execute();
    return {
      kind: 'confirmed' as const,
      sent: going.length,
      pulled: open.filter((r) => r.state !== 'print' && r.state !== 'sent').map((r) => r.letter_id),
      remaining: left.n,
    };
  });
}

export interface HandOverSummary {
  batchId: number;
  /** Letters in scope not yet handed over, per hospital code. */
  perHospital: { hospital: string; letters: number }[];
  letters: number;
}

/** What confirming would hand over: the batch's letters within `scope` not handed over yet. */
export async function handOverSummary(
  db: Db,
  batchId: number,
  scope: HospitalScope,
): Promise<HandOverSummary | undefined> {
  const batch = await db
    .selectFrom('print_batches')
    .select(['id', 'reprint_of'])
    .where('id', '=', batchId)
    .executeTakeFirst();
  if (!batch || batch.reprint_of !== null) return undefined;
  const rows = await db
    .selectFrom('letters as l')
    .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select(['e.hospital', sql<number>`count(*)::int`.as('n')])
    .where('l.batch_id', '=', batchId)
    .where('l.handed_over_at', 'is', null)
    .where((eb) => inHospitalScope(eb, scope))
    .groupBy('e.hospital')
    .orderBy('e.hospital')
    .execute();
  if (rows.length === 0) return undefined;
  return {
    batchId,
    perHospital: rows.map((r) => ({ hospital: r.hospital, letters: r.n })),
    letters: rows.reduce((a, r) => a + r.n, 0),
  };
}

export type UndoResult = { kind: 'undone'; letters: number } | { kind: 'nothing-today' } | { kind: 'not-found' };

/**
 * A hand-over confirmed by mistake is undone the same Oslo day (`today`): the letters within
 * `scope` handed over today return to "due for print" — unless their invitation has been answered
 * meanwhile — and the invitations go back to the state their other sent steps give them.
 */
export async function undoHandOver(db: Db, batchId: number, scope: HospitalScope, today: string): Promise<UndoResult> {
  return db.transaction().execute(async (trx) => {
    const batch = await trx
      .selectFrom('print_batches')
      .select(['id', 'reprint_of'])
      .where('id', '=', batchId)
      .forUpdate()
      .executeTakeFirst();
    if (!batch || batch.reprint_of !== null) return { kind: 'not-found' as const };
    const rows = await trx
      .selectFrom('letters as l')
      .innerJoin('outbox as o', 'o.id', 'l.outbox_id')
      .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
      .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
      .select(['l.id', 'l.outbox_id', 'l.invitation_id', 'l.handed_over_at', 'o.state'])
      .select((eb) => hasCountedResponse(eb).as('answered'))
      .where('l.batch_id', '=', batchId)
      .where((eb) => inHospitalScope(eb, scope))
      .execute();
    if (rows.length === 0) return { kind: 'not-found' as const };
    const undoable = rows.filter((r) => r.handed_over_at && osloDay(r.handed_over_at) === today);
    if (undoable.length === 0) return { kind: 'nothing-today' as const };
    await trx
      .updateTable('letters')
      .set({ handed_over_at: null, handed_over_by: null })
      .where(
        'id',
        'in',
        undoable.map((r) => r.id),
      )
      .execute();
    await trx
      .updateTable('print_batches')
      .set({ handed_over_at: null, handed_over_by: null })
      .where('id', '=', batchId)
      .execute();
    const back = undoable.filter((r) => r.state === 'sent' && !r.answered);
    if (back.length) {
      await trx
        .updateTable('outbox')
        .set({ state: 'print', sent_at: null, updated_at: sql`now()` })
        .where(
          'id',
          'in',
          back.map((r) => r.outbox_id),
        )
        .where('state', '=', 'sent')
        .execute();
      for (const invitationId of new Set(back.map((r) => r.invitation_id)))
        await restoreStateFromSteps(trx, invitationId);
    }
    return { kind: 'undone' as const, letters: undoable.length };
  });
}
