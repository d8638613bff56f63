// Sends one outbox row by e-mail, at most once: the row is claimed as `sending` before the SMTP
// call and marked `sent` after it. A crash in between leaves `sending`, which a later pass turns
// into `unknown` for staff — never a blind resend (docs/architecture.md, principle 2).
import { sql } from 'kysely';
import { osloDay, type Clock } from '../clock.ts';
import { coalesce } from '../db/coalesce.ts';
import type { Db } from '../db/database.ts';
import { unnestColumns } from '../db/unnest.ts';
import type { Step } from '../db/schema.ts';
import { deathFileAnswer, deathFileDiedOn, type VitalStatusAdapter } from './vital-status.ts';
import type { Views } from '../i18n/views.ts';
import { classifySendError, type Mailer } from './mailer.ts';
import { linksFor, renderStepMail } from './messages.ts';
import { holdForProfile } from './profile-hold.ts';
import { storedRegisterProfile, type RegisterProfile } from '../register/profile.ts';
import { channelAtDueTime, reminderDueTimes } from './programme.ts';
import { applyStop, checkBeforeSend, TARGET_COLUMNS, targetFacts, toTarget, type Target } from './send-check.ts';
import { markEmailsSent, rescheduleReminders, survivorOf, type SentEmail } from './transitions.ts';
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
export type DeliveryOutcome =
  'sent' | 'skipped' | 'cancelled' | 'deferred' | 'paper' | 'failed' | 'unknown' | 'held' | 'foreign';

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
  // The link's token is written with the claim, so it exists before the message can leave; a
  // step that does not go after all takes its unsent token with it when it is released.
  const token = newToken();
  const tokenHash = hashToken(token);
  const claimed = await batchesOf(db).claim[deps.vitalStatus ? 'withoutDeathFile' : 'withDeathFile']({
    outboxId,
    now,
    tokenHash,
  });
  if (!claimed) return whyNotClaimed(db, outboxId);
  const { row, profile } = claimed;
  const target = row.target;
  // The death file (the default source) was read in the claim's statement; another source is asked now.
  const vital = deps.vitalStatus ?? deathFileAnswer(target.nationalId, row.deathFileDiedOn);
  const check = (await checkBeforeSend(db, vital, [target], osloDay(now))).get(target.invitationId)!;
  if (check.kind === 'stop') {
    await db.transaction().execute(async (trx) => {
      await release(trx, outboxId, { state: 'cancelled', last_error: check.reason }, tokenHash);
      await applyStop(trx, target, check.reason);
    });
    return 'cancelled';
  }
  if (check.kind === 'defer') {
    await release(db, outboxId, { state: 'pending', last_error: check.reason }, tokenHash);
    return 'deferred';
  }
  if (channelAtDueTime('email', target.channelRule, target.email) === 'paper') {
    await release(
      db,
      outboxId,
      { state: 'pending', channel: 'paper', last_error: 'no usable e-mail address; moved to paper' },
      tokenHash,
    );
    return 'paper';
  }
  return send(deps, row, profile, token, now, opts.finalAttempt ?? false);
}

/** A claimed e-mail step and whom it goes to. */
interface Claimed {
  id: number;
  invitationId: number;
  step: Step;
  dueAt: Date;
  target: Target;
  /** The death file's date for this person, read with the claim (null: not named as dead, or not read). */
  deathFileDiedOn: string | null;
}

/** One job's claim: its row, its clock, and the hash of the link token written if the row is taken. */
export interface ClaimRequest {
  outboxId: number;
  now: Date;
  tokenHash: Buffer;
}

/**
 * The hot path's first statement, for every job waiting to claim (see batchesOf). The claim
 * (`pending` → `sending`, only if due by the job's `now`, only once, and only while a register
 * profile is set: the message says who asks) is a data-modifying CTE over the requests (one array
 * per column, src/db/unnest.ts) joined to the invitation and the survivor, with the profile in
 * force beside them. A second data-modifying CTE writes the link token of each claimed row
 * (nothing for a row the claim did not take), and with `readDeathFile` the death file's row for
 * each person is read in the same statement (the send-time check then needs no look-up of its
 * own). One answer per request, in order: undefined when its row was not taken; a row asked for
 * twice is claimed for the first request only.
 */
export async function claimForSending(
  db: Db,
  requests: readonly ClaimRequest[],
  readDeathFile: boolean,
  profiles: Map<number, RegisterProfile> = new Map(),
): Promise<({ row: Claimed; profile: RegisterProfile } | undefined)[]> {
  const first = new Map<number, ClaimRequest>();
  for (const r of requests) if (!first.has(r.outboxId)) first.set(r.outboxId, r);
  const asked = [...first.values()];
  const r = unnestColumns('r', {
    id: { type: 'bigint', values: asked.map((q) => q.outboxId) },
    claim_at: { type: 'timestamptz', values: asked.map((q) => q.now) },
    token_hash: { type: 'text', values: asked.map((q) => q.tokenHash.toString('hex')) },
  });
  const rows = await db
    .with('r', () => sql<{ id: number; claim_at: Date; token_hash: string }>`(select * from ${r})`)
    .with('c', (qc) =>
      qc
        .updateTable('outbox as o')
        .from('r')
        .set({ state: 'sending', attempts: sql`o.attempts + 1`, updated_at: sql`now()` })
        .whereRef('o.id', '=', 'r.id')
        .where('o.state', '=', 'pending')
        .where('o.channel', '=', 'email')
        .whereRef('o.due_at', '<=', 'r.claim_at')
        .where((eb) => eb.exists(eb.selectFrom('register_profiles').select('version')))
        .returning(['o.id', 'o.invitation_id', 'o.step', 'o.due_at', 'r.token_hash']),
    )
    .with('t', (qc) =>
      qc
        .insertInto('invitation_tokens')
        .columns(['token_hash', 'invitation_id', 'outbox_id'])
        .expression((eb) =>
          eb.selectFrom('c').select([sql<Buffer>`decode(c.token_hash, 'hex')`.as('h'), 'c.invitation_id', 'c.id']),
        ),
    )
    .with('p', (qc) =>
      qc.selectFrom('register_profiles').select(['version', 'profile']).orderBy('version', 'desc').limit(1),
    )
    .selectFrom('c')
    .innerJoin('invitations as i', 'i.id', 'c.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .crossJoin('p')
    .select(TARGET_COLUMNS)
    .select(targetFacts)
    .select(['c.id as outbox_id', 'c.step', 'c.due_at', 'p.version as profile_version', 'p.profile'])
    .select(
      (readDeathFile ? deathFileDiedOn(sql.ref('s.national_id')) : sql<string | null>`null::date`).as(
        'death_file_died_on',
      ),
    )
    .execute();
  // Every row of one statement saw the same profile; a version, once stored, never changes.
  let profile: RegisterProfile | undefined;
  if (rows.length > 0) {
    const { profile_version: version, profile: stored } = rows[0]!;
    profile = profiles.get(version) ?? storedRegisterProfile(stored);
    profiles.set(version, profile);
  }
  const claimed = new Map<number, Claimed>();
  for (const row of rows) {
    claimed.set(row.outbox_id, {
      id: row.outbox_id,
      invitationId: row.id,
      step: row.step,
      dueAt: row.due_at,
      target: toTarget(row),
      deathFileDiedOn: row.death_file_died_on ?? null,
    });
  }
  return requests.map((q) => {
    const row = first.get(q.outboxId) === q ? claimed.get(q.outboxId) : undefined;
    return row && { row, profile: profile! };
  });
}

/**
 * The hot path's statements, shared by the jobs running in this process on one `db`: a claim or
 * a mark-sent asked for while one is in flight waits, and the next statement serves every
 * waiting job at once (src/db/coalesce.ts). One job alone runs at once, as before; with many
 * jobs in flight the statements per message fall. Each job still gets its own outcome.
 */
function batchesOf(db: Db): Batches {
  let b = batches.get(db);
  if (!b) {
    const profiles = new Map<number, RegisterProfile>();
    b = {
      claim: {
        withDeathFile: coalesce((q: ClaimRequest[]) => claimForSending(db, q, true, profiles)),
        withoutDeathFile: coalesce((q: ClaimRequest[]) => claimForSending(db, q, false, profiles)),
      },
      markSent: coalesce(async (sent: SentEmail[]) => {
        await markEmailsSent(db, sent);
        return sent.map(() => undefined);
      }),
    };
    batches.set(db, b);
  }
  return b;
}

interface Batches {
  claim: Record<
    'withDeathFile' | 'withoutDeathFile',
    (q: ClaimRequest) => Promise<{ row: Claimed; profile: RegisterProfile } | undefined>
  >;
  markSent: (sent: SentEmail) => Promise<undefined>;
}

const batches = new WeakMap<Db, Batches>();

/** Not claimed: no profile (the step waits as held), another installation's row, or already taken. */
async function whyNotClaimed(db: Db, outboxId: number): Promise<DeliveryOutcome> {
  const facts = await db
    .selectNoFrom((eb) => [
      eb.exists(eb.selectFrom('outbox').select('id').where('id', '=', outboxId)).as('ours'),
      eb.exists(eb.selectFrom('register_profiles').select('version')).as('profile'),
    ])
    .executeTakeFirstOrThrow();
  if (!facts.ours) return 'foreign';
  if (!facts.profile) {
    await holdForProfile(db, [outboxId]);
    return 'held';
  }
  return 'skipped';
}

async function send(
  deps: DeliveryDeps,
  row: Claimed,
  profile: RegisterProfile,
  token: string,
  now: Date,
  finalAttempt: boolean,
): Promise<DeliveryOutcome> {
  const { target } = row;
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
    await markSent(deps.db, row, info.messageId, now);
    return 'sent';
  } catch (err) {
    return handleSendError(deps.db, row, target.email!, err, finalAttempt);
  }
}

async function markSent(db: Db, row: Claimed, messageId: string, now: Date) {
  const sent: SentEmail = {
    outboxId: row.id,
    invitationId: row.invitationId,
    step: row.step,
    invitationState: row.target.facts.invitationState,
    messageId,
    at: now,
  };
  // A first step that went on a later day than planned moves its reminders with it.
  if (row.step !== 'invitation' || osloDay(now) === osloDay(row.dueAt)) return batchesOf(db).markSent(sent);
  const programme = await programmeVersion(db, row.target.programmeVersion);
  await db.transaction().execute(async (trx) => {
    await markEmailsSent(trx, [sent]);
    await rescheduleReminders(trx, row.invitationId, reminderDueTimes(now, programme));
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
      .where('s.id', '=', survivorOf(trx, row.invitationId))
      .execute();
    await release(trx, row.id, { state: 'pending', channel: 'paper', last_error: `${message}; moved to paper` });
  });
  return 'paper';
}

type Release = { state: 'pending' | 'failed' | 'unknown' | 'cancelled'; last_error: string; channel?: 'paper' };

/**
 * Leaves `sending` (only from there: a stale worker never overwrites a later decision). With
 * `unsentToken`, the token the claim wrote for a message that did not go is removed with it.
 */
async function release(db: Db, outboxId: number, change: Release, unsentToken?: Buffer) {
  const base = unsentToken
    ? db.with('gone', (qc) =>
        qc
          .deleteFrom('invitation_tokens')
          .where('token_hash', '=', unsentToken)
          .where('outbox_id', '=', outboxId)
          .returning('outbox_id'),
      )
    : db;
  await base
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
