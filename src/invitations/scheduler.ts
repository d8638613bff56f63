// One scheduling pass. Only passes decide what is due and who is eligible, with the pass's clock:
// new invitations at day 90 (all their steps planned at once), windows closed at day 183, waiting
// steps of stopped invitations cancelled, due letters checked and made due for print (or held),
// due e-mails queued — which also rebuilds any job Redis has lost.
import { sql } from 'kysely';
import { addDays, osloDay, type Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { unnestColumns } from '../db/unnest.ts';
import { isOpen } from './fragments.ts';
import type { Channel, ChannelRule, Step } from '../db/schema.ts';
import { deathFileVitalStatus, type VitalStatusAdapter } from './vital-status.ts';
import type { Queues } from '../queue/queues.ts';
import { enqueueDeliveries, pruneDeliveryJobs, removeDeliveryJobs } from '../queue/jobs/delivery.ts';
import {
  channelAtDueTime,
  decideInvitation,
  invitationDueAt,
  planSteps,
  plannedChannel,
  reminderDueTimes,
  usableEmail,
  type InvitationDecision,
  type Programme,
} from './programme.ts';
import { profileGate, registerProfileSet } from './profile-hold.ts';
import { applyStop, checkBeforeSend, loadTargets, type Target } from './send-check.ts';
import { currentProgramme, programmeVersion, type ProgrammeVersion } from './settings.ts';
import { expireClosedWindows, rescheduleReminders, sweepStoppedInvitations } from './transitions.ts';

export interface PassResult {
  invited: number;
  neverInvited: number;
  /** E-mail steps that are due at the pass's time and were (re)queued. */
  dueOutboxIds: number[];
  markedUnknown: number;
  /** Invitations whose window closed in this pass. */
  expired: number;
  /** Waiting steps cancelled by this pass (window closed, stopped invitation, a check at due time). */
  stopped: number;
  /** Letters made due for print, and letters held for staff (no postal address). */
  toPrint: number;
  held: number;
  /** Due steps left for a later pass because vital status was unknown. */
  deferred: number;
  /** Steps held because no register profile is set (src/register/hold.ts). */
  profileHeld: number;
}

export interface PassOptions {
  /** Defaults to the death file fed by `prom deaths import`. */
  vitalStatus?: VitalStatusAdapter;
}

const BATCH = 1000;
/**
 * Batches of new invitations written at once. On the benchmark's 2 cores three writers took a
 * pass over 100,000 survivors from 9.0 to 6.7 s (docs/performance.md, "schedule"); the insert's
 * own work (foreign keys, indexes) is what runs in parallel.
 */
const WRITERS = 3;
/** The step planSteps puts first: the one a new invitation may have due at once. */
const FIRST_STEP: Step = 'invitation';
const ANALYZE_AFTER_ROWS = 5000;
/** A row left `sending` this long belongs to a worker that died mid-send. */
const STUCK_SENDING_MS = 10 * 60 * 1000;

export async function runSchedulingPass(
  db: Db,
  queues: Queues | undefined,
  clock: Clock,
  opts: PassOptions = {},
): Promise<PassResult> {
  const now = clock.now();
  const today = osloDay(now);
  const result: PassResult = {
    invited: 0,
    neverInvited: 0,
    dueOutboxIds: [],
    markedUnknown: 0,
    expired: 0,
    stopped: 0,
    toPrint: 0,
    held: 0,
    deferred: 0,
    profileHeld: 0,
  };
  const programme = await currentProgramme(db);
  // Each batch of due e-mails is queued while the pass goes on with the next batch. The first
  // step of a new invitation that is due at once goes from the insert that wrote it (only with a
  // register profile set: without one the gate below holds it); the due-step scan skips it.
  const queueing = new Queueing(queues);
  const queuedEarly = new Set<number>();
  const queue = (ids: number[]) => {
    result.dueOutboxIds.push(...ids);
    queueing.add(ids);
  };
  try {
    const early = (await registerProfileSet(db))
      ? (ids: number[]) => {
          for (const id of ids) queuedEarly.add(id);
          queue(ids);
        }
      : undefined;
    await inviteNewArrests(db, programme, today, now, result, early);
    await afterInvitations(db, queues, opts, now, today, result, queue, queuedEarly);
  } finally {
    await queueing.done();
  }
  return result;
}

/** The rest of a pass: windows, stuck sends, the profile gate, due steps released. */
async function afterInvitations(
  db: Db,
  queues: Queues | undefined,
  opts: PassOptions,
  now: Date,
  today: string,
  result: PassResult,
  queue: (ids: number[]) => void,
  queuedEarly: Set<number>,
) {
  // Many new rows at once leave the planner's statistics stale; the due-step query then picks
  // a plan a hundred times slower until autovacuum catches up.
  if (result.invited + result.neverInvited >= ANALYZE_AFTER_ROWS) await sql`analyze invitations, outbox`.execute(db);
  const stopped = await closeWindowsAndSweep(db, today, result);
  result.markedUnknown = await markStuckSendsUnknown(db);
  const gate = await profileGate(db, now);
  result.profileHeld = gate.held;
  if (queues) {
    await removeDeliveryJobs(queues, stopped);
    await pruneDeliveryJobs(db, queues);
  }
  if (gate.go) {
    const vital = opts.vitalStatus ?? deathFileVitalStatus(db);
    const stoppedLetters = await releaseDueSteps(db, vital, now, today, result, queue, queuedEarly);
    if (queues) await removeDeliveryJobs(queues, stoppedLetters);
    stopped.push(...stoppedLetters);
  }
  result.stopped = stopped.length;
}

/** addBulk calls one after another, each started without waiting; `done` waits for all and throws the first error. */
class Queueing {
  private chain: Promise<void> = Promise.resolve();
  private error: { err: unknown } | undefined;
  constructor(private readonly queues: Queues | undefined) {}
  add(outboxIds: number[]): void {
    const queues = this.queues;
    if (!queues || outboxIds.length === 0) return;
    this.chain = this.chain
      .then(() => enqueueDeliveries(queues, outboxIds))
      .catch((err: unknown) => {
        this.error ??= { err };
      });
  }
  async done(): Promise<void> {
    await this.chain;
    if (this.error) throw this.error.err;
  }
}

async function inviteNewArrests(
  db: Db,
  programme: ProgrammeVersion,
  today: string,
  now: Date,
  result: PassResult,
  early: ((outboxIds: number[]) => void) | undefined,
) {
  const plans = stepPlanner(now, programme.programme);
  // Up to WRITERS batches are written at once, each on a connection of its own, while the next is
  // read: PostgreSQL runs a statement on one core, and the keyset makes the batches disjoint.
  const writing = new Set<Promise<void>>();
  let settled: PromiseSettledResult<void>[] | undefined;
  try {
    for (let afterId = 0; ;) {
      const batch = await arrestsWithoutInvitation(db, today, programme.programme, afterId);
      if (batch.length === 0) break;
      afterId = batch[batch.length - 1]!.id;
      const write = createInvitations(db, batch, programme, today, now, plans).then(({ invited, never, dueEmails }) => {
        result.invited += invited;
        result.neverInvited += never;
        early?.(dueEmails);
      });
      writing.add(write);
      // A failed write stays in the set: the race below and the check after the loop see it.
      write.then(
        () => writing.delete(write),
        () => undefined,
      );
      if (writing.size >= WRITERS) await Promise.race(writing);
      if (batch.length < BATCH) break;
    }
  } finally {
    // Every write has ended before the pass goes on or throws (a read's error first).
    settled = await Promise.allSettled(writing);
  }
  const failed = settled?.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * planSteps for this pass, once per window: within a pass `now` and the programme are fixed, so
 * the steps depend on the window alone, and the Oslo calendar arithmetic (Intl) is the pass's
 * largest cost when repeated per survivor.
 */
function stepPlanner(now: Date, p: Programme) {
  const cache = new Map<string, ReturnType<typeof planSteps>>();
  return (window: { opensOn: string; closesOn: string }) => {
    const key = `${window.opensOn}/${window.closesOn}`;
    let steps = cache.get(key);
    if (!steps) cache.set(key, (steps = planSteps(invitationDueAt(now, window, p), window, p)));
    return steps;
  };
}

type Candidate = Awaited<ReturnType<typeof arrestsWithoutInvitation>>[number];

/**
 * Arrests that have reached the opening day by `today` and have no invitation row yet, after
 * `afterId` (a keyset: each batch starts where the last ended instead of passing over the
 * arrests already invited).
 */
function arrestsWithoutInvitation(db: Db, today: string, p: Programme, afterId: number) {
  return db
    .selectFrom('arrest_events as e')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select([
      'e.id',
      'e.arrest_date',
      's.language',
      's.email',
      's.bounced_email',
      's.channel_rule',
      's.died_on',
      's.withdrawn_at',
      's.opted_out_at',
    ])
    .where('e.arrest_date', '<=', addDays(today, -p.opensAfterDays))
    .where('e.id', '>', afterId)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('invitations as i').select('i.id').whereRef('i.arrest_event_id', '=', 'e.id'))),
    )
    .orderBy('e.id')
    .limit(BATCH)
    .execute();
}

/**
 * The invitation rows and every planned step in one statement (the transactional outbox): a
 * data-modifying CTE inserts the batch's invitations and the outbox rows of those it inserted,
 * so both or neither are written, in one round trip per batch.
 */
async function createInvitations(
  db: Db,
  batch: Candidate[],
  programme: ProgrammeVersion,
  today: string,
  now: Date,
  plans: ReturnType<typeof stepPlanner>,
) {
  const p = programme.programme;
  const decided = batch
    .map((c) => {
      const person = {
        diedOn: c.died_on,
        withdrawnAt: c.withdrawn_at,
        optedOutAt: c.opted_out_at,
        email: c.email,
        bouncedEmail: c.bounced_email,
        channelRule: c.channel_rule,
      };
      return { c, decision: decideInvitation(c.arrest_date, person, today, p) };
    })
    .filter((d): d is Decided => d.decision.kind !== 'not-yet');
  if (decided.length === 0) return { invited: 0, never: 0, dueEmails: [] };
  // Steps are keyed by arrest until the insert gives the invitation ids.
  const steps: PlannedStep[] = [];
  for (const { c, decision } of decided) {
    if (decision.kind === 'never') continue;
    for (const s of plans(decision.window))
      steps.push({
        arrestEventId: c.id,
        step: s.step,
        channel: plannedChannel(s.step, decision.channel, c.channel_rule, p),
        dueAt: s.dueAt,
      });
  }
  const inserted = await insertInvitationsAndSteps(db, decided, steps, programme, now);
  const byArrest = new Map(decided.map((d) => [d.c.id, d]));
  let never = 0;
  const dueEmails: number[] = [];
  for (const row of inserted) {
    const { c, decision } = byArrest.get(row.arrest_event_id)!;
    if (decision.kind === 'never') never++;
    else if (row.first_step_id !== null && dueAsEmail(c, decision, plans(decision.window)[0]!, now, p))
      dueEmails.push(row.first_step_id);
  }
  return { invited: inserted.length - never, never, dueEmails };
}

/**
 * Whether a new invitation's first step is a due e-mail, as the due-step scan would find it: the
 * invitation is open (just planned), the step is due by `now`, no step of it comes earlier, and
 * at due time its channel is e-mail (the person's rule and usable address as read by this pass).
 */
function dueAsEmail(
  c: Candidate,
  decision: Extract<InvitationDecision, { kind: 'invite' }>,
  first: { step: Step; dueAt: Date },
  now: Date,
  p: Programme,
): boolean {
  if (first.dueAt > now) return false;
  const planned = plannedChannel(first.step, decision.channel, c.channel_rule, p);
  const address = usableEmail({ email: c.email, bouncedEmail: c.bounced_email });
  return channelAtDueTime(planned, c.channel_rule, address) === 'email';
}

type Decided = { c: Candidate; decision: Exclude<InvitationDecision, { kind: 'not-yet' }> };
type PlannedStep = { arrestEventId: number; step: Step; channel: Channel; dueAt: Date };

/**
 * One statement for the batch; a concurrent pass that got there first wins (on conflict do
 * nothing), and then no steps are written for that arrest by this pass.
 */
async function insertInvitationsAndSteps(
  db: Db,
  decided: Decided[],
  steps: PlannedStep[],
  programme: ProgrammeVersion,
  now: Date,
) {
  const rows = unnestColumns('t', {
    arrest_event_id: { type: 'bigint', values: decided.map((d) => d.c.id) },
    state: { type: 'text', values: decided.map((d) => invitationState(d.decision)) },
    cancel_reason: {
      type: 'text',
      values: decided.map((d) => (d.decision.kind === 'never' ? d.decision.reason : null)),
    },
    opens_on: { type: 'date', values: decided.map((d) => d.decision.window.opensOn) },
    closes_on: { type: 'date', values: decided.map((d) => d.decision.window.closesOn) },
    language: { type: 'text', values: decided.map((d) => d.c.language) },
  });
  const stepRows = unnestColumns('p', {
    arrest_event_id: { type: 'bigint', values: steps.map((s) => s.arrestEventId) },
    step: { type: 'text', values: steps.map((s) => s.step) },
    channel: { type: 'text', values: steps.map((s) => s.channel) },
    due_at: { type: 'timestamptz', values: steps.map((s) => s.dueAt) },
  });
  const inserted = await sql<{ id: number; arrest_event_id: number; first_step_id: number | null }>`
    with inv as (
      insert into invitations (arrest_event_id, state, cancel_reason, opens_on, closes_on, language, programme_version, created_at)
      select t.*, ${programme.version || null}::int, ${now}::timestamptz from ${rows}
      on conflict (arrest_event_id) do nothing
      returning id, arrest_event_id
    ), steps as (
      insert into outbox (invitation_id, step, channel, due_at, created_at)
      select inv.id, p.step, p.channel, p.due_at, ${now}::timestamptz
      from ${stepRows} join inv on inv.arrest_event_id = p.arrest_event_id
      order by inv.id, p.due_at
      returning id, invitation_id, step
    )
    select inv.id, inv.arrest_event_id, st.id as first_step_id
    from inv left join steps st on st.invitation_id = inv.id and st.step = ${FIRST_STEP}`.execute(db);
  return inserted.rows;
}

function invitationState(decision: Decided['decision']) {
  if (decision.kind === 'invite') return 'planned';
  return decision.reason === 'window_closed' ? 'expired' : 'cancelled';
}

async function closeWindowsAndSweep(db: Db, today: string, result: PassResult): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    const closed = await expireClosedWindows(trx, today);
    result.expired = closed.expired;
    return [...closed.cancelled, ...(await sweepStoppedInvitations(trx))];
  });
}

/** Judged by the wall clock: a crashed worker is a real-time fact, whatever the pass's clock says. */
async function markStuckSendsUnknown(db: Db): Promise<number> {
  const result = await db
    .updateTable('outbox')
    .set({
      state: 'unknown',
      last_error: 'worker stopped while sending; check the mail log before resending',
      updated_at: sql`now()`,
    })
    .where('state', '=', 'sending')
    .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${STUCK_SENDING_MS / 1000})`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

type DueRow = {
  id: number;
  invitation_id: number;
  step: Step;
  channel: Channel;
  state: string;
  due_at: Date;
  channel_rule: ChannelRule;
  email: string | null;
  bounced_email: string | null;
};

/**
 * Due steps of open invitations, oldest first, with what the channel at due time needs of the
 * person (channel rule and address), so e-mail steps need no other read. A reminder waits while an earlier step of its
 * invitation has not gone (pending, sending, or a letter held for an address), so it never
 * overtakes the invitation.
 */
function dueSteps(db: Db, now: Date, afterId: number): Promise<DueRow[]> {
  // One batch is a thousand rows, but the planner expects the whole due set and starts parallel
  // workers, whose start-up took half of each batch's time (12 ms against 6 ms serial, 100,000
  // due steps on 2 cores): the batch runs without them.
  return db.transaction().execute(async (trx) => {
    await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
    return dueStepsQuery(trx, now, afterId).execute();
  });
}

function dueStepsQuery(db: Db, now: Date, afterId: number) {
  return db
    .selectFrom('outbox as o')
    .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['o.id', 'o.invitation_id', 'o.step', 'o.channel', 'o.state', 'o.due_at'])
    .select(['s.channel_rule', 's.email', 's.bounced_email'])
    .where('o.state', 'in', ['pending', 'held'])
    .where('o.due_at', '<=', now)
    .where('o.id', '>', afterId)
    .where((eb) => isOpen(eb))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('outbox as p')
            .select('p.id')
            .whereRef('p.invitation_id', '=', 'o.invitation_id')
            .whereRef('p.due_at', '<', 'o.due_at')
            .where('p.step', '<>', 'paper_request')
            .where('p.state', 'in', ['pending', 'sending', 'held']),
        ),
      ),
    )
    .orderBy('o.id')
    .limit(BATCH);
}

async function releaseDueSteps(
  db: Db,
  vital: VitalStatusAdapter,
  now: Date,
  today: string,
  result: PassResult,
  queue: (outboxIds: number[]) => void,
  queuedEarly: Set<number>,
): Promise<number[]> {
  const stopped: number[] = [];
  for (let afterId = 0; ;) {
    const rows = await dueSteps(db, now, afterId);
    if (rows.length === 0) return stopped;
    afterId = rows[rows.length - 1]!.id;
    const emails: number[] = [];
    const letterRows: DueRow[] = [];
    for (const row of rows) {
      if (queuedEarly.has(row.id)) continue; // queued from the insert that wrote it
      const address = usableEmail({ email: row.email, bouncedEmail: row.bounced_email });
      if (channelAtDueTime(row.channel, row.channel_rule, address) === 'email') emails.push(row.id);
      else letterRows.push(row);
    }
    queue(emails);
    // Letters are checked now (send-time check), so they need the whole target.
    const targets = await loadTargets(db, [...new Set(letterRows.map((r) => r.invitation_id))]);
    const letters = letterRows.map((row) => ({ row, target: targets.get(row.invitation_id)! }));
    stopped.push(...(await releaseLetters(db, vital, letters, now, today, result)));
    if (rows.length < BATCH) return stopped;
  }
}

/** Letters: no postal address → held for staff; otherwise the send-time check, then due for print. */
async function releaseLetters(
  db: Db,
  vital: VitalStatusAdapter,
  letters: { row: DueRow; target: Target }[],
  now: Date,
  today: string,
  result: PassResult,
) {
  const stopped: number[] = [];
  const withAddress = letters.filter((l) => l.target.hasPostalAddress);
  const held = letters.filter((l) => !l.target.hasPostalAddress);
  await setState(
    db,
    held.filter((l) => l.row.state === 'pending').map((l) => l.row.id),
    'held',
    'address_missing',
  );
  result.held += held.length;
  const checks = await checkBeforeSend(
    db,
    vital,
    withAddress.map((l) => l.target),
    today,
  );
  const go = withAddress.filter((l) => checks.get(l.target.invitationId)!.kind === 'go');
  await setState(
    db,
    go.map((l) => l.row.id),
    'print',
    null,
  );
  result.toPrint += go.length;
  for (const { row, target } of go.filter((l) => l.row.step === 'invitation' && osloDay(l.row.due_at) !== today)) {
    const programme = await programmeVersion(db, target.programmeVersion);
    await rescheduleReminders(db, row.invitation_id, reminderDueTimes(now, programme));
  }
  for (const { row, target } of withAddress) {
    const check = checks.get(target.invitationId)!;
    if (check.kind === 'go') continue;
    if (check.kind === 'defer') {
      await setState(db, [row.id], 'pending', check.reason);
      result.deferred++;
    } else {
      stopped.push(...(await db.transaction().execute((trx) => applyStop(trx, target, check.reason))));
    }
  }
  return stopped;
}

/** Moves waiting letters; the channel becomes paper for good (an e-mail step with no usable address). */
async function setState(db: Db, ids: number[], state: 'print' | 'held' | 'pending', lastError: string | null) {
  if (ids.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ state, channel: 'paper', last_error: lastError, updated_at: sql`now()` })
    .where('id', 'in', ids)
    .where('state', 'in', ['pending', 'held'])
    .execute();
}
