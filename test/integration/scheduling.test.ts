// The scheduling pass's batched queries against plain ones on the same data, on PGlite and
// PostgreSQL: which arrests get an invitation (the keyset over arrests without one), which steps
// each invitation gets (planned once per window in a pass), and which due steps are queued as
// e-mails (the due-step query reading the person's channel rule and address itself).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { addDays, fixedClock, osloDay } from '../../src/clock.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { channelAtDueTime, invitationDueAt, OPEN_STATES, planSteps } from '../../src/invitations/programme.ts';
import { loadTargets } from '../../src/invitations/send-check.ts';
import { currentProgramme } from '../../src/invitations/settings.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;
const db = () => database.db;
const AT = new Date('2025-06-02T10:00:00Z');
const TODAY = osloDay(AT);
/** More than two of the pass's batches of 1,000. */
const N = 2_600;

before(async () => {
  database = await createTestDatabase();
  // Varied people: no address, a bounced address, paper-only, e-mail-only, dead, with a postal
  // address or not; arrests from before the window (never invited) to day 90 a month after
  // today (not yet, in either test's pass).
  await sql`insert into survivors (register_id, national_id, birth_date, sex, given_name, email, bounced_email,
      channel_rule, died_on, address_line, postal_code, language)
    select 'S' || g, lpad(g::text, 11, '0'), date '1950-01-01' + (g % 9000), 'female', 'Navn' || g,
      case when g % 7 = 0 then null else 'p' || g || '@example.test' end,
      case when g % 11 = 0 then 'p' || g || '@example.test' end,
      case when g % 13 = 0 then 'paper-only' when g % 17 = 0 then 'email-only' else 'email-or-paper' end,
      case when g % 19 = 0 then date '2025-01-01' end,
      case when g % 3 = 0 then 'Gate ' || g end, case when g % 3 = 0 then '0150' end,
      (array['nb','nn','en'])[1 + g % 3]
    from generate_series(1, ${N}) g`.execute(db());
  await sql`insert into arrest_events (survivor_id, arrest_date, arrest_type, hospital)
    select id, ${addDays(TODAY, -90)}::date + case when id % 10 = 0 then 30 else -(id % 120)::int end, 'OHCA', 'H' || (id % 5) from survivors`.execute(
    db(),
  );
});
after(async () => {
  await database?.drop();
});

/**
 * The plain query: due waiting steps of open invitations with no earlier waiting step, and the
 * channel at due time from the whole target (loadTargets), as the pass did before it read the
 * person in the due-step query itself.
 */
async function plainDueEmails(at: Date) {
  const rows = await db()
    .selectFrom('outbox as o')
    .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
    .select(['o.id', 'o.invitation_id', 'o.channel'])
    .where('o.state', 'in', ['pending', 'held'])
    .where('o.due_at', '<=', at)
    .where('i.state', 'in', [...OPEN_STATES])
    .where('i.closes_on', '>', osloDay(at)) // the pass expires the rest first
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
    .execute();
  const targets = await loadTargets(db(), [...new Set(rows.map((r) => r.invitation_id))]);
  const expected = rows
    .filter((r) => {
      const t = targets.get(r.invitation_id)!;
      return channelAtDueTime(r.channel, t.channelRule, t.email) === 'email';
    })
    .map((r) => r.id)
    .sort((a, b) => a - b);
  return { rows, expected };
}

test('a pass invites exactly the arrests the plain query finds, with the steps planSteps gives each window, and queues the due e-mails it finds', async () => {
  const programme = (await currentProgramme(db())).programme;
  const plain = await db()
    .selectFrom('arrest_events as e')
    .select('e.id')
    .where('e.arrest_date', '<=', addDays(TODAY, -programme.opensAfterDays))
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('invitations as i').select('i.id').whereRef('i.arrest_event_id', '=', 'e.id'))),
    )
    .execute();
  assert.ok(plain.length > 2000 && plain.length < N, `${plain.length} arrests due an invitation`);

  const pass = await runSchedulingPass(db(), undefined, fixedClock(AT));
  const invitations = await db()
    .selectFrom('invitations')
    .select(['id', 'arrest_event_id', 'state', 'opens_on', 'closes_on'])
    .execute();
  assert.deepEqual(
    invitations.map((i) => i.arrest_event_id).sort((a, b) => a - b),
    plain.map((r) => r.id).sort((a, b) => a - b),
  );
  assert.equal(pass.invited + pass.neverInvited, plain.length);
  // The first steps due at once were queued from the insert that wrote them; e-mail rows stay
  // pending, so the plain query after the pass finds the same set.
  const due = await plainDueEmails(AT);
  assert.ok(due.expected.length > 1000, `${due.expected.length} e-mails due`);
  assert.deepEqual(
    [...pass.dueOutboxIds].sort((a, b) => a - b),
    due.expected,
  );
  assert.equal(new Set(pass.dueOutboxIds).size, pass.dueOutboxIds.length, 'each due e-mail once');

  const steps = await db()
    .selectFrom('outbox')
    .select(['invitation_id', 'step', 'due_at'])
    .orderBy('invitation_id')
    .orderBy('due_at')
    .execute();
  const got = new Map<number, string[]>();
  for (const s of steps)
    got.set(s.invitation_id, [...(got.get(s.invitation_id) ?? []), `${s.step}@${s.due_at.toISOString()}`]);
  let planned = 0;
  for (const i of invitations) {
    // Invitations never sent (window closed, a stop) have no steps.
    const expected =
      i.state === 'planned'
        ? planSteps(invitationDueAt(AT, { opensOn: i.opens_on, closesOn: i.closes_on }, programme), {
            opensOn: i.opens_on,
            closesOn: i.closes_on,
          }).map((s) => `${s.step}@${s.dueAt.toISOString()}`)
        : undefined;
    if (expected) planned++;
    assert.deepEqual(got.get(i.id), expected, `steps of invitation ${i.id}`);
  }
  assert.ok(planned > 1000, `${planned} invitations planned`);
});

test('the e-mails a pass queues are the due steps the plain query and the full targets give', async () => {
  // A later pass (12 days on): invitation steps of the first pass went nowhere (no worker), so
  // only they are due; reminders wait behind them. Mark some as sent so their reminders fall due.
  const later = new Date(AT.getTime() + 15 * 86_400_000);
  await sql`update outbox set state = 'sent', sent_at = ${AT}
    where step = 'invitation' and channel = 'email' and state = 'pending' and invitation_id % 2 = 0`.execute(db());
  // Read before the pass changes letters.
  const { rows, expected } = await plainDueEmails(later);
  assert.ok(expected.length > 1000, `${expected.length} e-mails due`);
  assert.ok(rows.length > expected.length, 'some due steps are letters');

  const pass = await runSchedulingPass(db(), undefined, fixedClock(later));
  assert.deepEqual(
    [...pass.dueOutboxIds].sort((a, b) => a - b),
    expected,
  );
});

test('a batch that fails mid-pass: the pass throws that error once the other writes have ended, and the next pass invites the rest exactly once', async () => {
  const own = await createTestDatabase();
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  try {
    const n = 4_500; // five batches, three written at once
    await sql`insert into survivors (register_id, national_id, birth_date, sex, given_name, email, language)
      select 'F' || g, lpad(g::text, 11, '0'), date '1950-01-01', 'male', 'Navn' || g, 'f' || g || '@example.test', 'nb'
      from generate_series(1, ${n}) g`.execute(own.db);
    await sql`insert into arrest_events (survivor_id, arrest_date, arrest_type, hospital)
      select id, ${addDays(TODAY, -90)}::date, 'OHCA', 'H1' from survivors order by id`.execute(own.db);
    // The second batch's statement fails (arrest ids 1001–2000, in order), as a lost connection would.
    const [failing] = await sql<{ id: number }>`select id from arrest_events order by id offset 1500 limit 1`
      .execute(own.db)
      .then((r) => r.rows);
    await sql`create function refuse_one() returns trigger language plpgsql as $$
      begin
        if new.arrest_event_id = ${sql.lit(failing!.id)} then raise exception 'batch refused for the test'; end if;
        return new;
      end $$`.execute(own.db);
    await sql`create trigger refuse_one before insert on invitations for each row execute function refuse_one()`.execute(
      own.db,
    );

    await assert.rejects(runSchedulingPass(own.db, undefined, fixedClock(AT)), /batch refused for the test/);
    const afterFailure = await sql<{ n: number }>`select count(*)::int as n from invitations`.execute(own.db);
    const written = afterFailure.rows[0]!.n;
    assert.ok(written < n, `${written} invitations after the failure`);
    // Each batch of 1,000 arrests (in id order) is written whole or not at all.
    const batches = await sql<{ size: number; invited: number }>`
      select count(*)::int as size, count(i.id)::int as invited
      from (select id, (row_number() over (order by id) - 1) / 1000 as batch from arrest_events) e
      left join invitations i on i.arrest_event_id = e.id
      group by e.batch`.execute(own.db);
    for (const b of batches.rows) assert.ok(b.invited === 0 || b.invited === b.size, JSON.stringify(b));
    const failedOne = await sql`select 1 from invitations where arrest_event_id = ${failing!.id}`.execute(own.db);
    assert.equal(failedOne.rows.length, 0);

    await sql`drop trigger refuse_one on invitations`.execute(own.db);
    const pass = await runSchedulingPass(own.db, undefined, fixedClock(AT));
    assert.equal(pass.invited, n - written);
    const counts = await sql<{ invitations: number; arrests: number; steps: number }>`
      select count(*)::int as invitations, count(distinct arrest_event_id)::int as arrests,
        (select count(*)::int from outbox) as steps
      from invitations`.execute(own.db);
    const programme = (await currentProgramme(own.db)).programme;
    const window = { opensOn: TODAY, closesOn: addDays(TODAY, 93) };
    const perInvitation = planSteps(invitationDueAt(AT, window, programme), window, programme).length;
    assert.deepEqual(counts.rows[0], { invitations: n, arrests: n, steps: n * perInvitation });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, [], 'no write left unawaited');
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await own.drop();
  }
});
