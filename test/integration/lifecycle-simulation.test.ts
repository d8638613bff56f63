// Nine months of the contact programme for a synthetic cohort of 1,000 survivors with arrests
// spread over eight months: late imports, deaths (some before the register sends the person),
// withdrawals, opt-outs, requests for paper, missing e-mail and postal addresses, channel rules,
// a population register that sometimes cannot answer, and answers on the web and on paper at
// various days. One scheduling pass a day at noon Oslo with a test clock, delivery by BullMQ
// workers with the same clock, Redis flushed twice and the mail server slow one day on the way.
// Every message the SMTP server receives is then checked against the rules, and the expected
// messages against what arrived.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { addDays, osloDay, parseNow, type Clock } from '../../src/clock.ts';
import { setChannelRule } from '../../src/invitations/person.ts';
import { optOut, preferPaper, withdrawConsentStopping } from '../../src/invitations/person.ts';
import { importDeaths } from '../../src/cohort/deaths-import.ts';
import { deathFileVitalStatus, type VitalStatus, type VitalStatusAdapter } from '../../src/invitations/vital-status.ts';
import type { ChannelRule } from '../../src/db/schema.ts';
import { waitForDrain } from '../../src/invitations/drain.ts';
import { runSchedulingPass, type PassResult } from '../../src/invitations/scheduler.ts';
import { openQueues, type Queues } from '../../src/queue/queues.ts';
import { deliveryJobQueued, removeDeliveryJobs } from '../../src/queue/jobs/delivery.ts';
import { startWorkers, type Workers } from '../../src/jobs/index.ts';
import { createWorld, type World } from '../support/world.ts';
import { person, syntheticNationalId } from '../support/people.ts';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis.ts';
import {
  answerOnPaper,
  answerOnWeb,
  importPeople,
  linksIn,
  outboxKey,
  withAddress,
  type LifecyclePerson,
} from '../support/lifecycle.ts';

const N = 1000;
const FIRST_ARREST = '2025-12-01';
const ARREST_SPAN_DAYS = 243; // eight months
const SIM_START = '2026-02-20';
const SIM_END = '2026-11-20'; // nine months of daily passes
const FLUSH_BEFORE_DELIVERY = '2026-05-12';
const FLUSH_DURING_DELIVERY = '2026-08-04';
/** The SMTP server takes 4 s over the day's first message: longer than a round of waiting. */
const SLOW_SMTP_DAY = '2026-03-24';

/** What the simulation decided for one survivor, and the days things actually happened. */
interface Sim {
  tag: string;
  nationalId: string;
  arrest: string;
  opens: string;
  closes: string;
  importOn: string;
  email: boolean;
  address: boolean;
  rule: ChannelRule;
  /** The population register cannot answer for this person before this day. */
  vitalUnknownUntil?: string;
  plan: {
    death?: string;
    withdraw?: string;
    optOutAfter?: number;
    webAnswerAfter?: number;
    paperAnswerAfter?: number;
    paperRequestAfter?: number;
  };
  happened: {
    death?: string;
    withdraw?: string;
    optOut?: string;
    answer?: string;
    paperRequest?: string;
    invitationId?: number;
  };
}

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function dayNumber(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function cohort(): Sim[] {
  const rnd = mulberry32(20261124);
  const between = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const chance = (p: number) => rnd() < p;
  return Array.from({ length: N }, (_, i) => {
    const arrest = addDays(FIRST_ARREST, between(0, ARREST_SPAN_DAYS - 1));
    const r = rnd();
    const importAfter = r < 0.05 ? between(95, 175) : r < 0.07 ? between(184, 200) : between(20, 85);
    const rule: ChannelRule = chance(0.05) ? 'paper-only' : chance(0.05) ? 'email-only' : 'email-or-paper';
    const plan: Sim['plan'] = {};
    if (chance(0.06)) plan.death = addDays(arrest, between(30, 200));
    if (chance(0.03)) plan.withdraw = addDays(arrest, between(40, 170));
    if (chance(0.03)) plan.optOutAfter = between(1, 40);
    const a = rnd();
    if (a < 0.45) plan.webAnswerAfter = between(1, 45);
    else if (a < 0.55) plan.paperAnswerAfter = between(10, 60);
    if (chance(0.02)) plan.paperRequestAfter = between(1, 12);
    return {
      tag: `S${String(i + 1).padStart(4, '0')}`,
      nationalId: syntheticNationalId(5000 + i),
      arrest,
      opens: addDays(arrest, 90),
      closes: addDays(arrest, 183),
      importOn: addDays(arrest, importAfter),
      email: !chance(0.12),
      address: !chance(0.04),
      rule,
      ...(chance(0.02) ? { vitalUnknownUntil: addDays(arrest, 92) } : {}),
      plan,
      happened: {},
    };
  });
}

let world: World;
let queues: Queues;
let workers: Workers | undefined;
const people = cohort();
const byNationalId = new Map(people.map((p) => [p.nationalId, p]));
let today = SIM_START;
const clock: Clock = { now: () => parseNow(today)! };
let requeuedAfterLoss = 0;
/** Rows still `sending` when a round of waiting ran out (a slow machine, not a lost job). */
let slowSends = 0;
/** Outbox key → the simulated day the SMTP server received it. */
const receivedOn = new Map<number, string[]>();

/** The population register: the death file, except for people it cannot answer for yet. */
let vitalStatus: VitalStatusAdapter;

before(async () => {
  world = await createWorld();
  queues = openQueues(TEST_REDIS_URL, uniquePrefix(), { backoffMs: 20 });
  const deathFile = deathFileVitalStatus(world.database.db);
  vitalStatus = {
    name: 'simulated-registry',
    async lookup(ids) {
      const answers: Map<string, VitalStatus> = await deathFile.lookup(ids);
      for (const id of ids) {
        const p = byNationalId.get(id);
        if (p?.vitalUnknownUntil && today < p.vitalUnknownUntil)
          answers.set(id, { kind: 'unknown', reason: 'simulated outage' });
      }
      return answers;
    },
  };
});
after(async () => {
  await workers?.close();
  await queues?.close();
  await deletePrefix(queues.prefix);
  await world?.close();
});

const startSimWorkers = () =>
  startWorkers({ ...world.deps, vitalStatus }, queues, clock, { scheduler: false, concurrency: 10 });

test(
  '1,000 survivors through nine months of daily passes: every message allowed, every expected message once',
  { timeout: 600_000 }, // a guard against a hang; the suite runs two databases side by side
  async (t) => {
    const db = world.database.db;
    workers = startSimWorkers();
    const flushed: string[] = [];
    for (today = SIM_START; today <= SIM_END; today = addDays(today, 1)) {
      await applyEvents(db);
      const firstOfDay = world.smtp.messages.length; // workers start sending while the pass is still queueing
      const flushBefore = today >= FLUSH_BEFORE_DELIVERY && flushed.length === 0;
      const flushDuring = today >= FLUSH_DURING_DELIVERY && flushed.length === 1;
      if (flushBefore) await workers.close(); // the day's jobs wait in Redis, no worker takes them
      if (today === SLOW_SMTP_DAY) world.smtp.slowNextMs = 4000;
      const pass = await runSchedulingPass(db, queues, clock, { vitalStatus });
      if (flushBefore) {
        if (pass.dueOutboxIds.length > 0) {
          await deletePrefix(queues.prefix); // Redis loses them all
          flushed.push(`${today} before delivery: ${pass.dueOutboxIds.length} jobs`);
        }
        workers = startSimWorkers();
      } else if (flushDuring && pass.dueOutboxIds.length >= 5) {
        const deadline = Date.now() + 5000;
        while (world.smtp.messages.length === firstOfDay && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 1));
        await deletePrefix(queues.prefix); // while the workers are sending
        flushed.push(`${today} during delivery: ${pass.dueOutboxIds.length} jobs`);
      }
      await drainDay(db, pass, firstOfDay);
      await discoverInvitations(db);
    }
    assert.equal(flushed.length, 2, flushed.join('; '));
    assert.ok(requeuedAfterLoss > 0, 'passes queued lost jobs again');
    assert.ok(slowSends > 0, 'a slow send outlasted a round of waiting');

    const messages = world.smtp.messages;
    const rows = await outboxRows(db);
    checkEveryMessage(messages, rows);
    const expected = checkExpectedMessages(rows);
    await checkFinalStates(db);
    const count = (f: (p: Sim) => unknown) => people.filter(f).length;
    t.diagnostic(
      `${messages.length} e-mails (${expected.invited} invitations, ${expected.reminded} first reminders), ${expected.letters} paper invitations; ` +
        `${count((p) => p.happened.death)} deaths, ${count((p) => p.happened.withdraw)} withdrawals, ${count((p) => p.happened.optOut)} opt-outs, ` +
        `${count((p) => p.happened.answer)} answers, ${count((p) => p.happened.paperRequest)} paper requests, ${count((p) => !p.email)} without e-mail; ` +
        `Redis flushed ${flushed.join(' and ')}; ${requeuedAfterLoss} e-mails queued again by later passes; ${slowSends} still sending when a round of waiting ran out`,
    );
  },
);

type EventKind = 'optOut' | 'paperRequest' | 'webAnswer' | 'paperAnswer';
/** Events that need an invitation, by day, counted from the day the invitation was made. */
const eventsOn = new Map<string, { p: Sim; kind: EventKind }[]>();
let lastInvitationId = 0;

/** Picks up the invitations the day's pass made and schedules each survivor's events from then. */
async function discoverInvitations(db: World['database']['db']) {
  const rows = await db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['i.id', 's.register_id', 'i.created_at'])
    .where('i.id', '>', lastInvitationId)
    .orderBy('i.id')
    .execute();
  const byTag = new Map(people.map((p) => [p.tag, p]));
  for (const r of rows) {
    lastInvitationId = r.id;
    const p = byTag.get(r.register_id)!;
    p.happened.invitationId = r.id;
    const made = osloDay(r.created_at);
    const plan: [EventKind, number | undefined][] = [
      ['optOut', p.plan.optOutAfter],
      ['paperRequest', p.plan.paperRequestAfter],
      ['webAnswer', p.plan.webAnswerAfter],
      ['paperAnswer', p.plan.paperAnswerAfter],
    ];
    for (const [kind, after] of plan) {
      if (after === undefined) continue;
      const day = addDays(made, after);
      eventsOn.set(day, [...(eventsOn.get(day) ?? []), { p, kind }]);
    }
  }
}

/** Imports, deaths, withdrawals, opt-outs, answers and paper requests recorded before the day's pass. */
async function applyEvents(db: World['database']['db']) {
  const due = people.filter((p) => p.importOn === today || (today === SIM_START && p.importOn < SIM_START));
  if (due.length) {
    await importPeople(db, due.map(asRow));
    for (const p of due.filter((x) => x.rule !== 'email-or-paper')) await setChannelRule(db, p.tag, p.rule);
  }
  const deaths = people.filter((p) => p.plan.death === today);
  if (deaths.length) {
    const report = await importDeaths(
      db,
      Readable.from([`national_id,date_of_death\n${deaths.map((p) => `${p.nationalId},${today}`).join('\n')}\n`]),
    );
    await removeDeliveryJobs(queues, report.cancelledOutboxIds);
    for (const p of deaths) p.happened.death = today;
  }
  for (const p of people.filter((x) => x.plan.withdraw === today && x.importOn <= today)) {
    const r = await withdrawConsentStopping(db, p.tag, clock.now());
    await removeDeliveryJobs(queues, r.cancelled);
    p.happened.withdraw = today;
  }
  // Opt-outs, paper requests and answers only while the invitation is open, as on the web pages.
  for (const { p, kind } of eventsOn.get(today) ?? []) {
    const inv = p.happened.invitationId!;
    if (!(await isOpen(db, inv))) continue;
    if (kind === 'optOut') {
      await optOut(db, inv, clock.now());
      p.happened.optOut ??= today;
    } else if (kind === 'paperRequest') {
      await preferPaper(db, inv, clock.now());
      p.happened.paperRequest ??= today;
    } else if (kind === 'webAnswer') {
      assert.equal(await answerOnWeb(db, inv, clock.now()), 'submitted');
      p.happened.answer ??= today;
    } else {
      await answerOnPaper(db, inv, clock.now());
      p.happened.answer ??= today;
    }
  }
}

async function isOpen(db: World['database']['db'], invitationId: number): Promise<boolean> {
  const row = await db
    .selectFrom('invitations')
    .select('state')
    .where('id', '=', invitationId)
    .executeTakeFirstOrThrow();
  return ['planned', 'sent', 'reminded'].includes(row.state);
}

/**
 * Waits for the day's e-mails; a lost job is queued again by another pass, as the repeatable job
 * would. A row still `sending` when a round times out (a slow machine) is not due again, so each
 * round waits for the rows before it as well as the ones the new pass queued.
 */
async function drainDay(db: World['database']['db'], pass: PassResult, before: number) {
  let ids = pass.dueOutboxIds;
  for (let round = 0; ids.length > 0; round++) {
    // As `prom schedule --drain` asks: a step deferred on an earlier day and queued again is waited for.
    const drained = await waitForDrain(db, ids, round === 0 ? 3000 : 1500, 5, deliveryJobQueued(queues));
    if (drained.waiting === 0) break;
    assert.ok(round < 10, `${drained.waiting} e-mails never settled on ${today}`);
    slowSends += (
      await db.selectFrom('outbox').select('id').where('id', 'in', ids).where('state', '=', 'sending').execute()
    ).length;
    const again = (await runSchedulingPass(db, queues, clock, { vitalStatus })).dueOutboxIds;
    requeuedAfterLoss += again.filter((id) => ids.includes(id)).length;
    ids = [...new Set([...ids, ...again])];
  }
  for (const m of world.smtp.messages.slice(before)) {
    const key = outboxKey(m);
    receivedOn.set(key, [...(receivedOn.get(key) ?? []), today]);
  }
}

function asRow(p: Sim): LifecyclePerson {
  const base = person(5000 + people.indexOf(p), {
    register_id: p.tag,
    arrest_date: p.arrest,
    email: p.email ? `${p.tag.toLowerCase()}@sim.example.test` : '',
    language: (['nb', 'nn', 'en'] as const)[people.indexOf(p) % 3],
  });
  return { ...base, national_id: p.nationalId, ...(p.address ? withAddress : {}) };
}

type Row = {
  id: number;
  tag: string;
  step: string;
  channel: string;
  state: string;
  sentAt: Date | null;
  lastError: string | null;
};

async function outboxRows(db: World['database']['db']): Promise<Map<number, Row>> {
  const rows = await db
    .selectFrom('outbox as o')
    .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['o.id', 's.register_id', 'o.step', 'o.channel', 'o.state', 'o.sent_at', 'o.last_error'])
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        tag: r.register_id,
        step: r.step,
        channel: r.channel,
        state: r.state,
        sentAt: r.sent_at,
        lastError: r.last_error,
      },
    ]),
  );
}

/** Every message the SMTP server received is allowed by the rules, and came once. */
function checkEveryMessage(messages: typeof world.smtp.messages, rows: Map<number, Row>) {
  const byTag = new Map(people.map((p) => [p.tag, p]));
  const problems: string[] = [];
  for (const [key, days] of receivedOn) {
    if (days.length !== 1) problems.push(`outbox ${key} received ${days.length} times`);
    const row = rows.get(key)!;
    const p = byTag.get(row.tag)!;
    const day = days[0]!;
    const n = dayNumber(p.arrest, day);
    const why = `${p.tag} ${row.step} on ${day} (day ${n})`;
    if (n < 90) problems.push(`${why}: before day 90`);
    if (n >= 183) problems.push(`${why}: on or after day 183`);
    if (!p.email) problems.push(`${why}: has no e-mail address`);
    if (p.rule === 'paper-only') problems.push(`${why}: paper-only`);
    if (row.step === 'reminder2' && p.rule !== 'email-only') problems.push(`${why}: reminder 2 is a letter`);
    for (const [what, at] of Object.entries({
      death: p.happened.death,
      withdrawal: p.happened.withdraw,
      'opt-out': p.happened.optOut,
      answer: p.happened.answer,
      'paper request': p.happened.paperRequest,
    })) {
      if (at && day >= at) problems.push(`${why}: after the ${what} on ${at}`);
    }
    if (row.state !== 'sent' || osloDay(row.sentAt!) !== day)
      problems.push(`${why}: row ${row.state} sent ${row.sentAt?.toISOString()}`);
  }
  const perKey = new Map<number, number>();
  for (const m of messages) perKey.set(outboxKey(m), (perKey.get(outboxKey(m)) ?? 0) + 1);
  for (const [key, n] of perKey)
    if (n > 1)
      problems.push(`outbox ${key} (${rows.get(key)?.tag} ${rows.get(key)?.step}) reached the SMTP server ${n} times`);
  for (const key of perKey.keys())
    if (!receivedOn.has(key)) problems.push(`outbox ${key} arrived outside a day's delivery`);
  assert.deepEqual(problems, []);
  assert.equal(receivedOn.size, messages.length, 'one message per outbox key');
  for (const m of messages) {
    const links = linksIn(m.text);
    assert.ok(links.answer.length && links.optOut.length && links.paper.length, 'three links in every message');
    assert.doesNotMatch(m.text + m.html, /\d{11}/);
  }
}

/** Who should have had which e-mail, on which day: exactly one invitation for everyone eligible at day 90. */
function checkExpectedMessages(rows: Map<number, Row>) {
  const got = new Map<string, string[]>(); // tag:step → days
  for (const [key, days] of receivedOn) {
    const row = rows.get(key)!;
    got.set(`${row.tag}:${row.step}`, [...(got.get(`${row.tag}:${row.step}`) ?? []), ...days]);
  }
  const problems: string[] = [];
  const invitationSteps = new Map([...rows.values()].filter((r) => r.step === 'invitation').map((r) => [r.tag, r]));
  let invited = 0;
  let reminded = 0;
  let letters = 0;
  for (const p of people) {
    if (p.importOn >= p.closes) {
      for (const step of ['invitation', 'reminder1', 'reminder2'])
        if (got.has(`${p.tag}:${step}`)) problems.push(`${p.tag}: imported after the window`);
      continue;
    }
    let inviteDay = p.importOn > p.opens ? p.importOn : p.opens;
    if (p.vitalUnknownUntil && inviteDay < p.vitalUnknownUntil) inviteDay = p.vitalUnknownUntil;
    if (inviteDay > SIM_END || inviteDay >= p.closes) continue;
    const stoppedBy = (day: string) => [p.happened.death, p.happened.withdraw].some((d) => d !== undefined && d <= day);
    const byEmail = p.email && p.rule !== 'paper-only';
    const expectInvitation = byEmail && !stoppedBy(inviteDay);
    check(`${p.tag}:invitation`, expectInvitation ? [inviteDay] : []);
    if (!byEmail && !stoppedBy(inviteDay)) {
      // A letter instead: made due for print (or held without an address), never left unplanned.
      const letter = invitationSteps.get(p.tag);
      if (!letter || letter.channel !== 'paper' || !['print', 'held', 'cancelled'].includes(letter.state)) {
        problems.push(`${p.tag}: paper invitation ${letter ? `${letter.channel} ${letter.state}` : 'missing'}`);
      }
      if (letter) letters++;
    }
    if (expectInvitation) invited++;
    const later = (day: string) =>
      [p.happened.death, p.happened.withdraw, p.happened.optOut, p.happened.answer, p.happened.paperRequest].some(
        (d) => d !== undefined && d <= day,
      );
    const r1 = addDays(inviteDay, 14);
    const expectR1 = expectInvitation && r1 < p.closes && r1 <= SIM_END && !later(r1);
    check(`${p.tag}:reminder1`, expectR1 ? [r1] : []);
    if (expectR1) reminded++;
    const r2 = addDays(inviteDay, 28);
    const expectR2 = expectInvitation && p.rule === 'email-only' && r2 < p.closes && r2 <= SIM_END && !later(r2);
    check(`${p.tag}:reminder2`, expectR2 ? [r2] : []);
  }
  assert.deepEqual(problems, []);
  assert.ok(
    invited > 500 && reminded > 150 && letters > 50,
    `a meaningful run: ${invited} invited, ${reminded} reminded by e-mail, ${letters} letters`,
  );
  return { invited, reminded, letters };

  function check(key: string, expected: string[]) {
    const actual = got.get(key) ?? [];
    if (actual.join() !== expected.join())
      problems.push(`${key}: expected [${expected.join()}] got [${actual.join()}]`);
  }
}

/** No invitation twice; closed windows expired; letters never e-mailed; nothing left in `sending`. */
async function checkFinalStates(db: World['database']['db']) {
  const invitations = await db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['s.register_id', 'i.state', 'i.cancel_reason', 'i.closes_on'])
    .execute();
  const perTag = new Map<string, number>();
  for (const i of invitations) perTag.set(i.register_id, (perTag.get(i.register_id) ?? 0) + 1);
  assert.ok(
    [...perTag.values()].every((n) => n === 1),
    'one invitation per arrest',
  );
  const open = invitations.filter((i) => ['planned', 'sent', 'reminded'].includes(i.state) && i.closes_on <= SIM_END);
  assert.deepEqual(open, [], 'every window closed by the last pass is expired');
  const states = await db.selectFrom('outbox').select(['state', 'channel']).execute();
  assert.equal(states.filter((s) => s.state === 'sending' || s.state === 'unknown' || s.state === 'failed').length, 0);
  const paperSent = await db
    .selectFrom('outbox')
    .select('id')
    .where('channel', '=', 'paper')
    .where('message_id', 'is not', null)
    .execute();
  assert.equal(paperSent.length, 0, 'a letter never became an e-mail');
  const died = people.filter((p) => p.happened.death);
  assert.ok(died.length > 20, `${died.length} deaths in the run`);
}
