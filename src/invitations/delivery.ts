// Sends one outbox row by e-mail, at most once: the row is claimed as `sending` before the SMTP
// call and marked `sent` after it. A crash in between leaves `sending`, which a later pass turns
// into `unknown` for staff — never a blind resend (ARCHITECTURE principle 2, R-3).
import { sql } from 'kysely';
import { osloDay, type Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { Views } from '../web/views.ts';
import { classifySendError, type Mailer } from './mailer.ts';
import { renderInvitationMail } from './messages.ts';
import { sendStopReason, type StopReason } from './programme.ts';
import { hashToken, newToken } from './tokens.ts';

export interface DeliveryDeps {
  db: Db;
  views: Views;
  mailer: Mailer;
  publicUrl: string;
}

export type DeliveryOutcome = 'sent' | 'skipped' | 'cancelled' | 'failed' | 'unknown';

/** Thrown when the message surely did not leave and may be tried again. */
export class RetryLater extends Error {}

export async function deliverOutboxRow(
  deps: DeliveryDeps,
  outboxId: number,
  clock: Clock,
  opts: { finalAttempt?: boolean } = {},
): Promise<DeliveryOutcome> {
  const now = clock.now();
  const row = await claim(deps.db, outboxId, now);
  if (!row) return 'skipped';
  const target = await loadTarget(deps.db, row.invitation_id);
  const stop = sendStopReason(target, osloDay(now));
  if (stop) {
    await cancelStep(deps.db, outboxId, row.invitation_id, stop);
    return 'cancelled';
  }
  if (!target.email) {
    await settle(deps.db, outboxId, { state: 'failed', last_error: 'no e-mail address' });
    return 'failed';
  }
  const token = newToken();
  await deps.db.insertInto('invitation_tokens').values({ token_hash: hashToken(token), invitation_id: row.invitation_id, outbox_id: outboxId }).execute();
  const mail = renderInvitationMail(deps.views, target.language, `${deps.publicUrl}/s/${token}`, target.given_name);
  try {
    const info = await deps.mailer.send({ to: target.email, ...mail, messageId: messageIdFor(outboxId, deps.publicUrl) });
    await markSent(deps.db, outboxId, row.invitation_id, row.step, info.messageId, now);
    return 'sent';
  } catch (err) {
    return handleSendError(deps.db, outboxId, err, opts.finalAttempt ?? false);
  }
}

async function claim(db: Db, outboxId: number, now: Date) {
  return db
    .updateTable('outbox')
    .set({ state: 'sending', attempts: sql`attempts + 1`, updated_at: sql`now()` })
    .where('id', '=', outboxId)
    .where('state', '=', 'pending')
    .where('channel', '=', 'email')
    .where('due_at', '<=', now)
    .returning(['id', 'invitation_id', 'step'])
    .executeTakeFirst();
}

async function loadTarget(db: Db, invitationId: number) {
  const t = await db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['i.state', 'i.opens_on', 'i.closes_on', 'i.language', 's.email', 's.given_name', 's.died_on', 's.withdrawn_at', 's.opted_out_at'])
    .select((eb) =>
      eb.exists(eb.selectFrom('responses as r').select('r.id').whereRef('r.invitation_id', '=', 'i.id').where('r.counted', '=', true)).as('answered'),
    )
    .where('i.id', '=', invitationId)
    .executeTakeFirstOrThrow();
  return {
    ...t,
    answered: Boolean(t.answered),
    invitationState: t.state,
    diedOn: t.died_on,
    withdrawnAt: t.withdrawn_at,
    optedOutAt: t.opted_out_at,
    window: { opensOn: t.opens_on, closesOn: t.closes_on },
  };
}

async function cancelStep(db: Db, outboxId: number, invitationId: number, reason: StopReason) {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('outbox').set({ state: 'cancelled', last_error: reason, updated_at: sql`now()` }).where('id', '=', outboxId).execute();
    if (reason === 'answered' || reason === 'superseded') return;
    await trx
      .updateTable('invitations')
      .set({ state: reason === 'window_closed' ? 'expired' : 'cancelled', cancel_reason: reason, updated_at: sql`now()` })
      .where('id', '=', invitationId)
      .where('state', 'in', ['planned', 'sent', 'reminded'])
      .execute();
  });
}

async function markSent(db: Db, outboxId: number, invitationId: number, step: string, messageId: string, now: Date) {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('outbox')
      .set({ state: 'sent', message_id: messageId, sent_at: now, last_error: null, updated_at: sql`now()` })
      .where('id', '=', outboxId)
      .execute();
    await trx
      .updateTable('invitations')
      .set({ state: step === 'invitation' ? 'sent' : 'reminded', updated_at: sql`now()` })
      .where('id', '=', invitationId)
      .where('state', 'in', step === 'invitation' ? ['planned'] : ['planned', 'sent'])
      .execute();
  });
}

async function handleSendError(db: Db, outboxId: number, err: unknown, finalAttempt: boolean): Promise<DeliveryOutcome> {
  const kind = classifySendError(err);
  const message = describe(err);
  if (kind === 'transient' && !finalAttempt) {
    await db.deleteFrom('invitation_tokens').where('outbox_id', '=', outboxId).execute();
    await settle(db, outboxId, { state: 'pending', last_error: message });
    throw new RetryLater(message);
  }
  if (kind === 'unknown') {
    await settle(db, outboxId, { state: 'unknown', last_error: message });
    return 'unknown';
  }
  await settle(db, outboxId, { state: 'failed', last_error: kind === 'transient' ? `gave up: ${message}` : message });
  return 'failed';
}

async function settle(db: Db, outboxId: number, change: { state: 'pending' | 'failed' | 'unknown'; last_error: string }) {
  await db.updateTable('outbox').set({ ...change, updated_at: sql`now()` }).where('id', '=', outboxId).execute();
}

/** The provider's log shows no recipient data; only the SMTP reply is kept. */
function describe(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  return [e.code, e.responseCode, e.response ?? e.message].filter(Boolean).join(' ').slice(0, 500);
}

function messageIdFor(outboxId: number, publicUrl: string): string {
  return `<outbox-${outboxId}@${new URL(publicUrl).hostname}>`;
}
