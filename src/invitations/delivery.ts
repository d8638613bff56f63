// Sends one outbox row by e-mail, at most once: the row is claimed as `sending` before the SMTP
// call and marked `sent` after it. A crash in between leaves `sending`, which a later pass turns
// into `unknown` for staff — never a blind resend (ARCHITECTURE principle 2, R-3).
import { sql } from 'kysely';
import { osloDay, type Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { Step } from '../db/schema.ts';
import { deathFileVitalStatus, type VitalStatusAdapter } from '../cohort/vital-status.ts';
import type { Views } from '../web/views.ts';
import { classifySendError, type Mailer } from './mailer.ts';
import { linksFor, renderStepMail } from './messages.ts';
import { holdForProfile } from './profile-hold.ts';
import { currentRegisterProfile, type RegisterProfile } from '../register/profile.ts';
import { channelAtDueTime, reminderDueTimes } from './programme.ts';
import { applyStop, checkBeforeSend, loadTargets, type Target } from './send-check.ts';
import { advanceAfterSend, rescheduleReminders, survivorOf } from './transitions.ts';
import { programmeVersion } from './settings.ts';
import { hashToken, newToken } from './tokens.ts';

export interface DeliveryDeps {
  db: Db;
  views: Views;
  mailer: Mailer;
  publicUrl: string;
  /** Defaults to the death file fed by `prom deaths import`. */
  vitalStatus?: VitalStatusAdapter;
}

/**
 * sent; skipped (not ours, not due, or already taken); cancelled (a rule stopped it); deferred
 * (vital status unknown: back to pending for a later pass); paper (no usable address, or a
 * permanent SMTP failure: the step waits for a pass to make it a letter); failed; unknown; held
 * (no register profile: nobody is contacted until one is set).
 */
export type DeliveryOutcome = 'sent' | 'skipped' | 'cancelled' | 'deferred' | 'paper' | 'failed' | 'unknown' | 'held';

/** Thrown when the message surely did not leave and may be tried again. */
export class RetryLater extends Error {}

export async function deliverOutboxRow(
  deps: DeliveryDeps,
  outboxId: number,
  clock: Clock,
  opts: { finalAttempt?: boolean } = {},
): Promise<DeliveryOutcome> {
  const { db } = deps;
  const now = clock.now();
  // The message says who asks; without a register profile it waits (src/register/hold.ts).
  const profile = await currentRegisterProfile(db);
  if (!profile) {
    await holdForProfile(db, [outboxId]);
    return 'held';
  }
  const row = await claim(db, outboxId, now);
  if (!row) return 'skipped';
  const target = (await loadTargets(db, [row.invitation_id])).get(row.invitation_id)!;
  const check = (await checkBeforeSend(db, deps.vitalStatus ?? deathFileVitalStatus(db), [target], osloDay(now))).get(
    target.invitationId,
  )!;
  if (check.kind === 'stop') {
    await db.transaction().execute(async (trx) => {
      await release(trx, outboxId, { state: 'cancelled', last_error: check.reason });
      await applyStop(trx, target, check.reason);
    });
    return 'cancelled';
  }
  if (check.kind === 'defer') {
    await release(db, outboxId, { state: 'pending', last_error: check.reason });
    return 'deferred';
  }
  if (channelAtDueTime('email', target.channelRule, target.email) === 'paper') {
    await release(db, outboxId, {
      state: 'pending',
      channel: 'paper',
      last_error: 'no usable e-mail address; moved to paper',
    });
    return 'paper';
  }
  return send(deps, row, target, profile.profile, now, opts.finalAttempt ?? false);
}

async function send(
  deps: DeliveryDeps,
  row: Claimed,
  target: Target,
  profile: RegisterProfile,
  now: Date,
  finalAttempt: boolean,
): Promise<DeliveryOutcome> {
  const token = newToken();
  await deps.db
    .insertInto('invitation_tokens')
    .values({ token_hash: hashToken(token), invitation_id: row.invitation_id, outbox_id: row.id })
    .execute();
  const mail = renderStepMail(
    deps.views,
    target.language,
    row.step,
    linksFor(deps.publicUrl, token),
    target.givenName,
    profile,
  );
  try {
    const info = await deps.mailer.send({
      to: target.email!,
      ...mail,
      messageId: messageIdFor(row.id, deps.publicUrl),
    });
    await markSent(deps.db, row, target, info.messageId, now);
    return 'sent';
  } catch (err) {
    return handleSendError(deps.db, row, target.email!, err, finalAttempt);
  }
}

type Claimed = { id: number; invitation_id: number; step: Step; due_at: Date };

/** The row decides: only a pending e-mail step that is due by this clock is taken, and only once. */
async function claim(db: Db, outboxId: number, now: Date): Promise<Claimed | undefined> {
  return db
    .updateTable('outbox')
    .set({ state: 'sending', attempts: sql`attempts + 1`, updated_at: sql`now()` })
    .where('id', '=', outboxId)
    .where('state', '=', 'pending')
    .where('channel', '=', 'email')
    .where('due_at', '<=', now)
    .returning(['id', 'invitation_id', 'step', 'due_at'])
    .executeTakeFirst();
}

async function markSent(db: Db, row: Claimed, target: Target, messageId: string, now: Date) {
  // A first step that went on a later day than planned moves its reminders with it.
  const late = row.step === 'invitation' && osloDay(now) !== osloDay(row.due_at);
  const programme = late ? await programmeVersion(db, target.programmeVersion) : undefined;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('outbox')
      .set({ state: 'sent', message_id: messageId, sent_at: now, last_error: null, updated_at: sql`now()` })
      .where('id', '=', row.id)
      .execute();
    await advanceAfterSend(trx, row.invitation_id, row.step, target.facts.invitationState);
    if (programme) await rescheduleReminders(trx, row.invitation_id, reminderDueTimes(now, programme));
  });
}

async function handleSendError(
  db: Db,
  row: Claimed,
  address: string,
  err: unknown,
  finalAttempt: boolean,
): Promise<DeliveryOutcome> {
  const kind = classifySendError(err);
  const message = describe(err);
  if (kind === 'unknown') {
    // It may have been delivered: the link must keep working, and a person decides.
    await release(db, row.id, { state: 'unknown', last_error: message });
    return 'unknown';
  }
  await db.deleteFrom('invitation_tokens').where('outbox_id', '=', row.id).execute();
  if (kind === 'transient' && !finalAttempt) {
    await release(db, row.id, { state: 'pending', last_error: message });
    throw new RetryLater(message);
  }
  if (kind === 'transient') {
    await release(db, row.id, { state: 'failed', last_error: `gave up: ${message}` });
    return 'failed';
  }
  // Permanent (5xx): no retry; the address is marked unusable and this step becomes a letter.
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('survivors as s')
      .set({ bounced_email: address, updated_at: sql`now()` })
      .where('s.id', '=', survivorOf(trx, row.invitation_id))
      .execute();
    await release(trx, row.id, { state: 'pending', channel: 'paper', last_error: `${message}; moved to paper` });
  });
  return 'paper';
}

type Release = { state: 'pending' | 'failed' | 'unknown' | 'cancelled'; last_error: string; channel?: 'paper' };

/** Leaves `sending` (only from there: a stale worker never overwrites a later decision). */
async function release(db: Db, outboxId: number, change: Release) {
  await db
    .updateTable('outbox')
    .set({ ...change, updated_at: sql`now()` })
    .where('id', '=', outboxId)
    .where('state', '=', 'sending')
    .execute();
}

/** The provider's log shows no recipient data; only the SMTP reply is kept. */
function describe(err: unknown): string {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  return [e.code, e.responseCode, e.response ?? e.message]
    .filter(Boolean)
    .join(' ')
    .replace(/\S+@\S+/g, '<address>')
    .slice(0, 500);
}

function messageIdFor(outboxId: number, publicUrl: string): string {
  return `<outbox-${outboxId}@${new URL(publicUrl).hostname}>`;
}
