// One scheduling pass: decides, with the pass's clock, which arrests get an invitation now,
// writes invitation and outbox rows in one transaction per batch, and queues the e-mail steps
// that are due (which also rebuilds any job Redis has lost).
import { sql } from 'kysely';
import { addDays, osloDay, type Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import type { Queues } from '../queue/queues.ts';
import { enqueueDeliveries } from '../queue/queues.ts';
import { decideInvitation, PROGRAMME } from './programme.ts';

export interface PassResult {
  invited: number;
  neverInvited: number;
  /** E-mail steps that are due at the pass's time and were (re)queued. */
  dueOutboxIds: number[];
  markedUnknown: number;
}

const BATCH = 1000;
/** A row left `sending` this long belongs to a worker that died mid-send. */
const STUCK_SENDING_MS = 10 * 60 * 1000;

export async function runSchedulingPass(db: Db, queues: Queues | undefined, clock: Clock): Promise<PassResult> {
  const now = clock.now();
  const today = osloDay(now);
  const result: PassResult = { invited: 0, neverInvited: 0, dueOutboxIds: [], markedUnknown: 0 };
  for (;;) {
    const batch = await arrestsWithoutInvitation(db, today);
    if (batch.length === 0) break;
    const { invited, never } = await createInvitations(db, batch, today, now);
    result.invited += invited;
    result.neverInvited += never;
    if (batch.length < BATCH) break;
  }
  result.markedUnknown = await markStuckSendsUnknown(db);
  result.dueOutboxIds = await dueEmailSteps(db, now);
  if (queues) await enqueueDeliveries(queues, result.dueOutboxIds);
  return result;
}

type Candidate = Awaited<ReturnType<typeof arrestsWithoutInvitation>>[number];

/** Arrests that have reached day 90 by `today` and have no invitation row yet. */
function arrestsWithoutInvitation(db: Db, today: string) {
  return db
    .selectFrom('arrest_events as e')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['e.id', 'e.arrest_date', 's.language', 's.email', 's.channel_rule', 's.died_on', 's.withdrawn_at', 's.opted_out_at'])
    .where('e.arrest_date', '<=', addDays(today, -PROGRAMME.opensAfterDays))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('invitations as i').select('i.id').whereRef('i.arrest_event_id', '=', 'e.id'))))
    .orderBy('e.id')
    .limit(BATCH)
    .execute();
}

async function createInvitations(db: Db, batch: Candidate[], today: string, now: Date) {
  let invited = 0;
  let never = 0;
  await db.transaction().execute(async (trx) => {
    for (const c of batch) {
      const decision = decideInvitation(
        c.arrest_date,
        { diedOn: c.died_on, withdrawnAt: c.withdrawn_at, optedOutAt: c.opted_out_at, email: c.email, channelRule: c.channel_rule },
        today,
      );
      if (decision.kind === 'not-yet') continue;
      const inserted = await trx
        .insertInto('invitations')
        .values({
          arrest_event_id: c.id,
          state: decision.kind === 'invite' ? 'planned' : decision.reason === 'window_closed' ? 'expired' : 'cancelled',
          cancel_reason: decision.kind === 'never' ? decision.reason : null,
          opens_on: decision.window.opensOn,
          closes_on: decision.window.closesOn,
          language: c.language,
          created_at: now,
        })
        .onConflict((oc) => oc.column('arrest_event_id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) continue; // a concurrent pass got there first
      if (decision.kind === 'never') {
        never++;
        continue;
      }
      invited++;
      await trx
        .insertInto('outbox')
        .values({ invitation_id: inserted.id, step: 'invitation', channel: decision.channel, due_at: now, created_at: now })
        .execute();
    }
  });
  return { invited, never };
}

/** Judged by the wall clock: a crashed worker is a real-time fact, whatever the pass's clock says. */
async function markStuckSendsUnknown(db: Db): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({ state: 'unknown', last_error: 'worker stopped while sending; check the mail log before resending', updated_at: sql`now()` })
    .where('state', '=', 'sending')
    .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${STUCK_SENDING_MS / 1000})`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

async function dueEmailSteps(db: Db, now: Date): Promise<number[]> {
  const rows = await db
    .selectFrom('outbox')
    .select('id')
    .where('state', '=', 'pending')
    .where('channel', '=', 'email')
    .where('due_at', '<=', now)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
