// Delivery on real services, with BullMQ workers: SMTP answering 421 for a while and 550,
// a crash mid-send, two workers against one database, and Redis killed in the middle of a run.
// Counts messages per outbox key at the SMTP server: never more than one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { deathFileVitalStatus, type VitalStatus, type VitalStatusAdapter } from '../../src/invitations/vital-status.ts';
import { fixedClock, parseNow, type Clock } from '../../src/clock.ts';
import { claimForSending, deliverOutboxRow, type DeliveryDeps } from '../../src/invitations/delivery.ts';
import type { Db } from '../../src/db/database.ts';
import { waitForDrain } from '../../src/invitations/drain.ts';
import { createMailer, type Mailer } from '../../src/invitations/mailer.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { openQueues, type Queues } from '../../src/queue/queues.ts';
import { registerRepeatableJobs } from '../../src/queue/jobs/scheduler.ts';
import { deliveryJobQueued } from '../../src/queue/jobs/delivery.ts';
import { startWorkers } from '../../src/jobs/index.ts';
import { createViews } from '../../src/i18n/views.ts';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/db.ts';
import { person, syntheticNationalId } from '../support/people.ts';
import { baseEnv, ROOT } from '../support/processes.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp.ts';
import { startPrivateRedis } from '../support/private-redis.ts';
import {
  importPeople,
  outboxIdsOf,
  outboxKey,
  stepsOf,
  withAddress,
  type LifecyclePerson,
} from '../support/lifecycle.ts';

const PUBLIC_URL = 'http://prom.test';
let database: TestDatabase;
let smtp: SmtpSink;
let mailer: Mailer;
let deps: DeliveryDeps;
const prefixes: string[] = [];
const views = createViews();

before(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpSink();
  mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent', from: 'Spørreskjema <noreply@prom.test>' });
  deps = { db: database.db, views, mailer, publicUrl: PUBLIC_URL };
});
after(async () => {
  mailer?.close();
  await smtp?.close();
  for (const p of prefixes) await deletePrefix(p);
  await database?.drop();
});

const db = () => database.db;
function testQueues(url = TEST_REDIS_URL): Queues {
  const prefix = uniquePrefix();
  prefixes.push(prefix);
  return openQueues(url, prefix, { backoffMs: 25 });
}
const who = (tag: string, n: number, arrest: string, over: Partial<LifecyclePerson> = {}): LifecyclePerson => ({
  ...person(n, { register_id: tag, email: `${tag.toLowerCase()}@delivery.test`, arrest_date: arrest }),
  ...withAddress,
  ...over,
});
const tags = (prefix: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);
const messagesTo = (registerIds: string[]) => {
  const addresses = new Set(registerIds.map((r) => `${r.toLowerCase()}@delivery.test`));
  return smtp.messages.filter((m) => addresses.has(m.to));
};
/** Every outbox key at most once, and how many keys there were. */
function keysOnce(registerIds: string[]): number {
  const counts = new Map<number, number>();
  for (const m of messagesTo(registerIds)) counts.set(outboxKey(m), (counts.get(outboxKey(m)) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1);
  assert.deepEqual(twice, [], 'an outbox key reached the SMTP server more than once');
  return counts.size;
}

async function withWorkers<T>(queues: Queues, clock: Clock, fn: () => Promise<T>, d: DeliveryDeps = deps): Promise<T> {
  const workers = startWorkers(d, queues, clock, { scheduler: false, concurrency: 10 });
  try {
    return await fn();
  } finally {
    await workers.close();
  }
}

test('an SMTP server answering 421 for a while gets the message once it recovers, exactly once', async () => {
  await importPeople(db(), [who('T1', 1001, '2026-01-01')]);
  const queues = testQueues();
  const clock = fixedClock(parseNow('2026-04-01')!);
  smtp.failWith = 421;
  smtp.failTimes = 3;
  try {
    const drained = await withWorkers(queues, clock, async () => {
      const pass = await runSchedulingPass(db(), queues, clock);
      return waitForDrain(db(), pass.dueOutboxIds, 20_000, 20);
    });
    assert.equal(drained.counts.sent, 1);
  } finally {
    await queues.close();
  }
  assert.deepEqual(smtp.refused.filter((r) => r === 't1@delivery.test').length, 3);
  assert.equal(messagesTo(['T1']).length, 1);
  const [invitation] = await stepsOf(db(), 'T1');
  assert.deepEqual([invitation!.state, invitation!.attempts, invitation!.last_error], ['sent', 4, null]);
  // Only the delivered message's link exists: failed attempts leave no token behind.
  const tokens = await db()
    .selectFrom('invitation_tokens')
    .select('outbox_id')
    .where('outbox_id', '=', invitation!.id)
    .execute();
  assert.equal(tokens.length, 1);
});

test('an SMTP server answering 550 gets no retry; the step and later steps go to paper', async () => {
  await importPeople(db(), [who('T2', 1002, '2026-01-02')]);
  const queues = testQueues();
  const clock = fixedClock(parseNow('2026-04-02')!);
  smtp.failWith = 550;
  smtp.failTimes = 1;
  try {
    const drained = await withWorkers(queues, clock, async () => {
      const pass = await runSchedulingPass(db(), queues, clock);
      return waitForDrain(db(), pass.dueOutboxIds, 20_000, 20);
    });
    assert.deepEqual([drained.counts.paper, drained.counts.sent, drained.waiting], [1, 0, 0]);
    await new Promise((r) => setTimeout(r, 200)); // a retry would come after 25 ms
  } finally {
    await queues.close();
  }
  assert.equal(smtp.refused.filter((r) => r === 't2@delivery.test').length, 1, 'no retry after 550');
  let steps = await stepsOf(db(), 'T2');
  assert.deepEqual([steps[0]!.channel, steps[0]!.state, steps[0]!.attempts], ['paper', 'pending', 1]);
  assert.match(steps[0]!.last_error!, /550.*moved to paper/);
  const s = await db()
    .selectFrom('survivors')
    .select('bounced_email')
    .where('register_id', '=', 'T2')
    .executeTakeFirstOrThrow();
  assert.equal(s.bounced_email, 't2@delivery.test');

  // The next pass makes it a letter due for print; reminder 1 (planned as an e-mail) is a letter too.
  await runSchedulingPass(db(), undefined, clock);
  await runSchedulingPass(db(), undefined, fixedClock(parseNow('2026-04-16')!));
  steps = await stepsOf(db(), 'T2');
  assert.deepEqual(
    steps.map((x) => [x.step, x.channel, x.state]),
    [
      ['invitation', 'paper', 'print'],
      ['reminder1', 'paper', 'print'],
      ['reminder2', 'paper', 'pending'],
    ],
  );
  assert.equal(messagesTo(['T2']).length, 0);
});

test('a worker that stopped between "sending" and "sent" leaves "unknown" for staff, never a resend', async () => {
  await importPeople(db(), [who('T3', 1003, '2026-01-03')]);
  const clock = fixedClock(parseNow('2026-04-03')!);
  const pass = await runSchedulingPass(db(), undefined, clock);
  const [invitation] = await stepsOf(db(), 'T3');
  assert.ok(pass.dueOutboxIds.includes(invitation!.id));
  // As if a worker claimed the row 11 minutes ago and died before the SMTP answer.
  await db()
    .updateTable('outbox')
    .set({ state: 'sending', updated_at: sql`now() - interval '11 minutes'` })
    .where('id', '=', invitation!.id)
    .execute();
  assert.equal(await deliverOutboxRow(deps, invitation!.id, clock), 'skipped');
  const next = await runSchedulingPass(db(), undefined, clock);
  assert.equal(next.markedUnknown, 1);
  assert.ok(!next.dueOutboxIds.includes(invitation!.id));
  assert.equal((await stepsOf(db(), 'T3'))[0]!.state, 'unknown');
  assert.equal(await deliverOutboxRow(deps, invitation!.id, clock), 'skipped');
  assert.equal(messagesTo(['T3']).length, 0);
});

test('a step deferred on one day and queued again the next: the drain waits for its new job instead of counting the old deferral', async () => {
  await importPeople(db(), [who('T8', 1008, '2026-01-08')]);
  const queues = testQueues();
  const deathFile = deathFileVitalStatus(db());
  let registerAnswers = false;
  const vitalStatus: VitalStatusAdapter = {
    name: 'test-registry',
    lookup: async (ids) =>
      registerAnswers
        ? deathFile.lookup(ids)
        : new Map(ids.map((id): [string, VitalStatus] => [id, { kind: 'unknown', reason: 'timeout' }])),
  };
  const withRegister = { ...deps, vitalStatus };
  const queued = deliveryJobQueued(queues);
  try {
    const day1 = fixedClock(parseNow('2026-04-08')!);
    await withWorkers(
      queues,
      day1,
      async () => {
        const pass = await runSchedulingPass(db(), queues, day1, { vitalStatus });
        await waitForDrain(db(), pass.dueOutboxIds, 20_000, 20, queued);
      },
      withRegister,
    );
    const [deferred] = await stepsOf(db(), 'T8');
    assert.deepEqual([deferred!.state, deferred!.last_error?.split(':')[0]], ['pending', 'vital_status_unknown']);
    // The next day the register answers; the pass queues the step while no worker is running.
    registerAnswers = true;
    const day2 = fixedClock(parseNow('2026-04-09')!);
    const pass = await runSchedulingPass(db(), queues, day2, { vitalStatus });
    assert.deepEqual(pass.dueOutboxIds, [deferred!.id]);
    const beforeItRuns = await waitForDrain(db(), pass.dueOutboxIds, 300, 20, queued);
    assert.deepEqual([beforeItRuns.counts.deferred, beforeItRuns.waiting, beforeItRuns.lost], [0, 1, 0]);
    const drained = await withWorkers(
      queues,
      day2,
      () => waitForDrain(db(), pass.dueOutboxIds, 20_000, 20, queued),
      withRegister,
    );
    assert.deepEqual([drained.counts.sent, drained.counts.deferred, drained.waiting], [1, 0, 0]);
  } finally {
    await queues.close();
  }
  assert.equal(messagesTo(['T8']).length, 1);
});

test('an e-mail on the hot path costs two statements: claim with its target, death file and link token; sent', async () => {
  await importPeople(db(), [who('T4', 1004, '2026-01-04')]);
  const clock = fixedClock(parseNow('2026-04-04')!);
  await runSchedulingPass(db(), undefined, clock);
  const [invitation] = await stepsOf(db(), 'T4');
  const statements: string[] = [];
  const counting = db().withPlugin({
    transformQuery: (args) => {
      statements.push(args.node.kind);
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  });
  assert.equal(await deliverOutboxRow({ ...deps, db: counting }, invitation!.id, clock), 'sent');
  assert.equal(statements.length, 2, statements.join(', '));
  assert.equal((await tokensOf(invitation!.id)).length, 1, 'the link token was written with the claim');
  const [after] = await stepsOf(db(), 'T4');
  assert.equal(after!.state, 'sent');
  assert.equal(after!.attempts, 1);
  const state = await db()
    .selectFrom('invitations')
    .innerJoin('outbox', 'outbox.invitation_id', 'invitations.id')
    .select('invitations.state')
    .where('outbox.id', '=', invitation!.id)
    .executeTakeFirstOrThrow();
  assert.equal(state.state, 'sent');
  assert.equal(messagesTo(['T4']).length, 1);
});

const tokensOf = (outboxId: number) =>
  db().selectFrom('invitation_tokens').select('token_hash').where('outbox_id', '=', outboxId).execute();

test("the claim's death-file read answers as the death file's own look-up; a step that does not go keeps no token", async () => {
  // D1 is named in the death file after the pass planned the step (no death recorded on the
  // person yet); D2 is not named; D3's address is removed after the pass, so the step turns to paper.
  await importPeople(db(), [
    who('D1', 1501, '2026-01-05'),
    who('D2', 1502, '2026-01-05'),
    who('D3', 1503, '2026-01-05'),
  ]);
  const clock = fixedClock(parseNow('2026-04-05')!);
  await runSchedulingPass(db(), undefined, clock);
  // As a death file row that arrived without being matched to the person (no died_on recorded).
  await db()
    .insertInto('deaths')
    .values({ national_id: syntheticNationalId(1501), died_on: '2026-03-30', source: 'test' })
    .execute();
  await db().updateTable('survivors').set({ email: null }).where('register_id', '=', 'D3').execute();
  const ids = new Map<string, number>();
  for (const tag of ['D1', 'D2', 'D3']) {
    const first = (await stepsOf(db(), tag))[0]!;
    assert.deepEqual([first.state, first.channel], ['pending', 'email']);
    ids.set(tag, first.id);
  }
  const plain = await deathFileVitalStatus(db()).lookup([syntheticNationalId(1501), syntheticNationalId(1502)]);
  assert.deepEqual(plain.get(syntheticNationalId(1501)), { kind: 'dead', diedOn: '2026-03-30' });
  assert.deepEqual(plain.get(syntheticNationalId(1502)), { kind: 'alive' });

  assert.equal(await deliverOutboxRow(deps, ids.get('D1')!, clock), 'cancelled');
  assert.equal(await deliverOutboxRow(deps, ids.get('D2')!, clock), 'sent');
  const died = await db()
    .selectFrom('survivors')
    .select(['national_id', 'died_on'])
    .where('national_id', 'in', [syntheticNationalId(1501), syntheticNationalId(1502)])
    .execute();
  // What the claim read is what the plain look-up answers: the death file's date, or alive.
  assert.deepEqual(
    [syntheticNationalId(1501), syntheticNationalId(1502)].map((id) => died.find((r) => r.national_id === id)!.died_on),
    [syntheticNationalId(1501), syntheticNationalId(1502)].map((id) => {
      const v = plain.get(id)!;
      return v.kind === 'dead' ? v.diedOn : null;
    }),
  );
  assert.equal(messagesTo(['D1']).length, 0);
  assert.equal(messagesTo(['D2']).length, 1);
  assert.equal((await tokensOf(ids.get('D1')!)).length, 0, 'no token for a step that was stopped');
  assert.equal((await tokensOf(ids.get('D2')!)).length, 1);
  // A second run of the same job claims nothing and writes no second token.
  assert.equal(await deliverOutboxRow(deps, ids.get('D2')!, clock), 'skipped');
  assert.equal((await tokensOf(ids.get('D2')!)).length, 1);
  assert.equal(await deliverOutboxRow(deps, ids.get('D3')!, clock), 'paper');
  assert.equal((await tokensOf(ids.get('D3')!)).length, 0, 'no token for a step moved to paper');
});

test('two workers against the same database, each with its own queue holding every job, send nothing twice', async () => {
  const people = tags('W', 1, 60);
  await importPeople(
    db(),
    people.map((t, i) => who(t, 1100 + i, '2026-02-01')),
  );
  const now = parseNow('2026-05-02')!;
  await runSchedulingPass(db(), undefined, fixedClock(now)); // invitations and outbox rows
  const [a, b] = [testQueues(), testQueues()];
  const before = smtp.messages.length;
  try {
    if (TEST_DB === 'postgres') {
      const startAt = Date.now() + 4000;
      const runs = await Promise.all([a, b].map((q) => workerProcess(q.prefix, now, startAt)));
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const sentHere = runs.map((r) => (JSON.parse(r.stdout) as { sentHere: number }).sentHere);
      // Earlier tests' reminders fall due too; whatever went, each process counted only its own.
      assert.equal(
        sentHere[0]! + sentHere[1]!,
        smtp.messages.length - before,
        `each process's own sends: ${sentHere.join(' + ')}`,
      );
    } else {
      // PGlite allows one process: two sets of workers in this one, racing on the same rows.
      const clock = fixedClock(now);
      await withWorkers(a, clock, () =>
        withWorkers(b, clock, async () => {
          const passes = await Promise.all([runSchedulingPass(db(), a, clock), runSchedulingPass(db(), b, clock)]);
          await waitForDrain(db(), passes[0].dueOutboxIds, 30_000, 20);
        }),
      );
    }
  } finally {
    await a.close();
    await b.close();
  }
  assert.equal(keysOnce(people), 60);
  assert.equal(messagesTo(people).length, 60);
  const all = new Map<number, number>();
  for (const m of smtp.messages) all.set(outboxKey(m), (all.get(outboxKey(m)) ?? 0) + 1);
  assert.ok(
    [...all.values()].every((n) => n === 1),
    'no outbox key twice, whoever it belonged to',
  );
});

function workerProcess(
  prefix: string,
  now: Date,
  startAt: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = baseEnv({
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    SMTP_URL: smtp.url,
    PUBLIC_URL,
    NOW: now.toISOString(),
    START_AT: String(startAt),
  });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/lifecycle-worker.ts'], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('Redis killed and restarted (before and during delivery): no step lost, none sent twice', async () => {
  const redis = await startPrivateRedis();
  const queues = openQueues(redis.url, uniquePrefix(), { backoffMs: 25 });
  queues.connection.on('error', () => {});
  // A slower mailer, so the kill lands while messages are going out.
  const slow: DeliveryDeps = {
    ...deps,
    mailer: { send: async (m) => (await new Promise((r) => setTimeout(r, 15)), mailer.send(m)), close: () => {} },
  };
  try {
    // 1. Jobs queued, then Redis dies before any worker took them.
    const first = tags('K', 1, 30);
    await importPeople(
      db(),
      first.map((t, i) => who(t, 1200 + i, '2026-03-01')),
    );
    const clock = fixedClock(parseNow('2026-05-30')!);
    const queued = await runSchedulingPass(db(), queues, clock);
    assert.equal((await queues.delivery.getJobCounts('waiting')).waiting, queued.dueOutboxIds.length);
    await redis.kill();
    await redis.start();
    assert.equal((await queues.delivery.getJobCounts('waiting')).waiting, 0, 'the jobs are gone with Redis');
    await registerRepeatableJobs(queues); // as at start-up
    assert.deepEqual(
      (await queues.scheduler.getJobSchedulers()).map((s) => s.key),
      ['scheduling-pass'],
    );
    await withWorkers(queues, clock, () => reconcileUntilSettled(queues, clock, first), slow);
    assert.equal(keysOnce(first), 30);

    // 2. Redis dies while the workers are sending.
    const second = tags('K', 31, 40);
    await importPeople(
      db(),
      second.map((t, i) => who(t, 1300 + i, '2026-03-02')),
    );
    const clock2 = fixedClock(parseNow('2026-05-31')!);
    await withWorkers(
      queues,
      clock2,
      async () => {
        await runSchedulingPass(db(), queues, clock2);
        // Bounded, so that a delivery that never starts fails here with a reason instead of hanging.
        const deadline = Date.now() + 60_000;
        while (messagesTo(second).length < 10) {
          if (Date.now() > deadline) throw new Error(`${messagesTo(second).length} of 40 sent before the kill`);
          await new Promise((r) => setTimeout(r, 5));
        }
        await redis.kill();
        await new Promise((r) => setTimeout(r, 100));
        await redis.start();
        await reconcileUntilSettled(queues, clock2, second);
      },
      slow,
    );
    assert.equal(keysOnce(second), 40);
    const states = await db()
      .selectFrom('outbox')
      .select('state')
      .where('id', 'in', await outboxIdsOf(db(), second))
      .where('step', '=', 'invitation')
      .execute();
    assert.deepEqual([...new Set(states.map((s) => s.state))], ['sent']);
  } finally {
    await queues.close();
    await redis.stop();
  }
});

/** What the repeatable job does after a Redis loss: passes re-queue due rows until all have settled. */
async function reconcileUntilSettled(queues: Queues, clock: Clock, registerIds: string[]): Promise<void> {
  const rows = await db()
    .selectFrom('outbox')
    .select('id')
    .where('id', 'in', await outboxIdsOf(db(), registerIds))
    .where('step', '=', 'invitation')
    .execute();
  const ids = rows.map((r) => r.id);
  const deadline = Date.now() + 30_000;
  for (;;) {
    await runSchedulingPass(db(), queues, clock);
    const drained = await waitForDrain(db(), ids, 1000, 20);
    if (drained.waiting === 0) return;
    if (Date.now() > deadline) throw new Error(`${drained.waiting} rows still waiting`);
  }
}

/** A `db` that records each statement's kind and whether it has a WITH (the claim and the mark-sent do). */
function countingDb() {
  const statements: { kind: string; cte: boolean }[] = [];
  const counting = db().withPlugin({
    transformQuery: (args) => {
      statements.push({ kind: args.node.kind, cte: 'with' in args.node && args.node.with !== undefined });
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  });
  const count = (kind: string) => statements.filter((s) => s.kind === kind && s.cte).length;
  return { counting, claims: () => count('SelectQueryNode'), marks: () => count('UpdateQueryNode') };
}

test('concurrent deliveries in one process share their statements: fewer claims and mark-sents than e-mails, each job its own outcome', async () => {
  const people = tags('C', 1, 12);
  await importPeople(
    db(),
    people.map((t, i) => who(t, 1600 + i, '2026-01-07')),
  );
  const clock = fixedClock(parseNow('2026-04-07')!);
  await runSchedulingPass(db(), undefined, clock);
  const ids = await Promise.all(people.map(async (t) => (await stepsOf(db(), t))[0]!.id));
  const { counting, claims, marks } = countingDb();
  // The SMTP answers come back together (as from a busy pool), so the mark-sents meet as well.
  let gone = 0;
  let allGone!: () => void;
  const together = new Promise<void>((r) => (allGone = r));
  const gated: Mailer = {
    send: async (m) => {
      const info = await mailer.send(m);
      if (++gone === ids.length) allGone();
      await together;
      return info;
    },
    close: () => {},
  };
  const d = { ...deps, db: counting, mailer: gated };
  // Every step once, one of them twice (as two queues holding the same job), and a row this database does not hold.
  const outcomes = await Promise.all([...ids, ids[3]!, 987_654_321].map((id) => deliverOutboxRow(d, id, clock)));
  assert.deepEqual(outcomes, [...ids.map(() => 'sent'), 'skipped', 'foreign']);
  assert.ok(claims() < ids.length, `${claims()} claim statements for ${ids.length} e-mails`);
  assert.ok(marks() < ids.length, `${marks()} mark-sent statements for ${ids.length} e-mails`);
  assert.equal(keysOnce(people), ids.length);
  const rows = await db()
    .selectFrom('outbox as o')
    .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
    .select(['o.state', 'o.attempts', 'i.state as invitation_state'])
    .select((eb) =>
      eb
        .selectFrom('invitation_tokens as t')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('t.outbox_id', '=', 'o.id')
        .as('tokens'),
    )
    .where('o.id', 'in', ids)
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.state, r.attempts, r.invitation_state, Number(r.tokens)]),
    ids.map(() => ['sent', 1, 'sent', 1]),
  );
});

test('a batch claim answers as the per-row claims on the same data: rows, tokens, attempts and death-file reads', async () => {
  const people = tags('B', 1, 6);
  await importPeople(
    db(),
    people.map((t, i) => who(t, 1700 + i, '2026-01-08')),
  );
  const now = parseNow('2026-04-08')!;
  await runSchedulingPass(db(), undefined, fixedClock(now));
  const steps = new Map(await Promise.all(people.map(async (t) => [t, await stepsOf(db(), t)] as const)));
  const first = (t: string) => steps.get(t)![0]!.id;
  // B2 is named in the death file; B3's step is a letter; B4's step went already; B1's reminder is not due.
  await db()
    .insertInto('deaths')
    .values({ national_id: syntheticNationalId(1701), died_on: '2026-04-01', source: 'test' })
    .execute();
  await db().updateTable('outbox').set({ channel: 'paper' }).where('id', '=', first('B3')).execute();
  await db().updateTable('outbox').set({ state: 'sent' }).where('id', '=', first('B4')).execute();
  const asked = [
    first('B1'),
    first('B2'),
    first('B3'),
    first('B4'),
    first('B5'),
    steps.get('B1')![1]!.id,
    987_654_322,
    first('B5'),
    first('B6'),
  ];
  const requests = asked.map((outboxId, i) => ({ outboxId, now, tokenHash: Buffer.alloc(32, i + 1) }));
  class Rollback extends Error {}
  const inRolledBack = async (fn: (trx: Db) => Promise<unknown>) => {
    let seen: unknown;
    await db()
      .transaction()
      .execute(async (trx) => {
        const result = await fn(trx);
        const tokens = await trx
          .selectFrom('invitation_tokens')
          .select(['outbox_id', 'token_hash', 'invitation_id'])
          .where('outbox_id', 'in', asked)
          .orderBy('outbox_id')
          .execute();
        const outbox = await trx
          .selectFrom('outbox')
          .select(['id', 'state', 'attempts'])
          .where('id', 'in', asked)
          .orderBy('id')
          .execute();
        seen = { result, tokens, outbox };
        throw new Rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
    return seen;
  };
  for (const readDeathFile of [true, false]) {
    const batch = (await inRolledBack((trx) => claimForSending(trx, requests, readDeathFile))) as {
      result: ({ row: { id: number; deathFileDiedOn: string | null } } | undefined)[];
    };
    const perRow = await inRolledBack(async (trx) => {
      const answers = [];
      for (const q of requests) answers.push((await claimForSending(trx, [q], readDeathFile))[0]);
      return answers;
    });
    assert.deepEqual(batch, perRow);
    // And what they answered: the due e-mail steps claimed once each, the rest not.
    assert.deepEqual(
      batch.result.map((r) => r?.row.id),
      [first('B1'), first('B2'), undefined, undefined, first('B5'), undefined, undefined, undefined, first('B6')],
    );
    assert.deepEqual(
      batch.result.map((r) => r?.row.deathFileDiedOn),
      [null, readDeathFile ? '2026-04-01' : null, undefined, undefined, null, undefined, undefined, undefined, null],
    );
  }
});
