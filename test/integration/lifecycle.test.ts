// The contact programme, step by step, on real PostgreSQL or PGlite and an SMTP server on
// loopback: passes with a test clock, delivery with the same clock. Each test has its own
// survivors and delivers only their messages, so tests can share one database.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { addDays, osloDay } from '../../src/clock.ts';
import { optOut, preferPaper, withdrawConsentStopping } from '../../src/invitations/person.ts';
import { setChannelRule } from '../../src/invitations/person.ts';
import { importDeaths } from '../../src/cohort/deaths-import.ts';
import { deathFileVitalStatus, type VitalStatusAdapter } from '../../src/invitations/vital-status.ts';
import { contactLog } from '../../src/invitations/contact-log.ts';
import { linksFor, renderStepMail } from '../../src/invitations/messages.ts';
import { createViews } from '../../src/i18n/views.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { currentProgramme, saveProgramme } from '../../src/invitations/settings.ts';
import { DEFAULT_PROGRAMME } from '../../src/invitations/programme.ts';
import { deliveryJobId, removeDeliveryJobs } from '../../src/queue/jobs/delivery.ts';
import { createWorld, PUBLIC_URL, type World } from '../support/world.ts';
import { EXAMPLE_PROFILE, TEST_PROFILE } from '../support/register.ts';
import { person, syntheticNationalId } from '../support/people.ts';
import {
  answerOnPaper,
  answerOnWeb,
  importPeople,
  invitationOf,
  linksIn,
  passAndDeliver,
  stepsOf,
  survivorId,
  testClock,
  withAddress,
  type LifecyclePerson,
} from '../support/lifecycle.ts';

let world: World;
before(async () => {
  world = await createWorld();
});
after(async () => {
  await world?.close();
});

const db = () => world.database.db;
const mailsTo = (domain: string) => world.smtp.messages.filter((m) => m.to.endsWith(`@${domain}`));
const who = (tag: string, n: number, domain: string, over: Partial<LifecyclePerson> = {}): LifecyclePerson => ({
  ...person(n, { register_id: tag, email: `${tag.toLowerCase()}@${domain}` }),
  ...withAddress,
  ...over,
});

/** Daily passes at noon Oslo from `from` to `to`, delivering this test's e-mails; returns e-mails per day. */
async function runDays(
  from: string,
  to: string,
  scope: string[],
  domain: string,
  extra: Parameters<typeof passAndDeliver>[3] = {},
) {
  const clock = testClock(from);
  const perDay = new Map<string, string[]>();
  for (let day = from; day <= to; day = addDays(day, 1)) {
    clock.at(day);
    const before = mailsTo(domain).length;
    await passAndDeliver(db(), world.deps, clock, { ...extra, scope });
    const sent = mailsTo(domain)
      .slice(before)
      .map((m) => `${m.to.split('@')[0]}:${m.subject}`);
    if (sent.length) perDay.set(day, sent);
  }
  return perDay;
}

test('the programme: invitation on day 90, reminder 1 on day 14 after it, reminder 2 a letter, window closes on day 183', async () => {
  // Arrest 2025-12-25: day 90 is 2026-03-25 (winter time), reminder 1 on 2026-04-08 (summer time).
  const arrest = '2025-12-25';
  const domain = 'a.example.test';
  await importPeople(db(), [
    who('A1', 101, domain, { arrest_date: arrest }),
    who('A2', 102, domain, { arrest_date: arrest, email: '' }), // no e-mail: every step is a letter
    who('A3', 103, domain, { arrest_date: arrest, language: 'nn' }),
  ]);
  assert.equal(await setChannelRule(db(), 'A3', 'paper-only'), true);

  const early = await runDays('2026-03-20', '2026-03-24', ['A1', 'A2', 'A3'], domain);
  assert.equal(early.size, 0, 'nothing before day 90');
  assert.equal(await invitationOf(db(), 'A1'), undefined);

  const opening = await runDays('2026-03-25', '2026-04-07', ['A1', 'A2', 'A3'], domain);
  assert.deepEqual([...opening], [['2026-03-25', ['a1:Et spørreskjema til deg']]]);
  assert.deepEqual(
    (await stepsOf(db(), 'A2')).map((s) => [s.step, s.channel, s.state]),
    [
      ['invitation', 'paper', 'print'],
      ['reminder1', 'paper', 'pending'],
      ['reminder2', 'paper', 'pending'],
    ],
  );
  assert.deepEqual(
    (await stepsOf(db(), 'A3')).map((s) => [s.step, s.channel, s.state]),
    [
      ['invitation', 'paper', 'print'],
      ['reminder1', 'paper', 'pending'],
      ['reminder2', 'paper', 'pending'],
    ],
  );

  // Reminder 1 is due at 09:00 Oslo summer time on 2026-04-08; a pass at 08:30 finds nothing, one at 09:30 sends it.
  const clock = testClock('2026-04-08T08:30+02:00');
  await passAndDeliver(db(), world.deps, clock, { scope: ['A1'] });
  assert.equal(mailsTo(domain).length, 1);
  clock.at('2026-04-08T09:30+02:00');
  await passAndDeliver(db(), world.deps, clock, { scope: ['A1'] });
  assert.equal(mailsTo(domain).length, 2);
  assert.equal(mailsTo(domain)[1]!.subject, 'Påminnelse: et spørreskjema til deg');

  const rest = await runDays('2026-04-08', '2026-06-25', ['A1', 'A2', 'A3'], domain);
  assert.equal(rest.size, 0, 'reminder 2 is a letter, not an e-mail');
  const a1 = await stepsOf(db(), 'A1');
  assert.deepEqual(
    a1.map((s) => [s.step, s.channel, s.state]),
    [
      ['invitation', 'email', 'sent'],
      ['reminder1', 'email', 'sent'],
      ['reminder2', 'paper', 'print'],
    ],
  );
  assert.deepEqual(
    a1.map((s) => s.due_at.toISOString()),
    ['2026-03-25T11:00:00.000Z', '2026-04-08T07:00:00.000Z', '2026-04-22T07:00:00.000Z'],
  );
  assert.equal((await invitationOf(db(), 'A1'))!.state, 'reminded');

  // Day 183 is 2026-06-26: the pass closes the window, and letters not yet printed are stopped.
  await runDays('2026-06-26', '2026-07-10', ['A1', 'A2', 'A3'], domain);
  for (const tag of ['A1', 'A2', 'A3']) {
    const inv = (await invitationOf(db(), tag))!;
    assert.deepEqual([inv.state, inv.cancel_reason], ['expired', 'window_closed'], tag);
    assert.ok(
      (await stepsOf(db(), tag)).every(
        (s) => s.state === 'sent' || (s.state === 'cancelled' && s.last_error === 'window_closed'),
      ),
      tag,
    );
  }
  assert.equal(mailsTo(domain).length, 2);

  // The contact log shows every step with intended and actual time, channel and outcome.
  const log = await contactLog(db(), await survivorId(db(), 'A1'));
  assert.deepEqual(
    log.map((e) => [e.step, e.channel, e.state, e.outcome, e.invitationReason]),
    [
      ['invitation', 'email', 'sent', null, 'window_closed'],
      ['reminder1', 'email', 'sent', null, 'window_closed'],
      ['reminder2', 'paper', 'cancelled', 'window_closed', 'window_closed'],
    ],
  );
  assert.equal(log[0]!.actualAt!.toISOString(), '2026-03-25T11:00:00.000Z'); // noon pass, winter time
  assert.equal(log[1]!.actualAt!.toISOString(), '2026-04-08T07:30:00.000Z');
});

test('every e-mail: neutral, three links with its own token (answer, opt-out, paper), HTML and text, no national id', () => {
  const messages = mailsTo('a.example.test');
  assert.equal(messages.length, 2);
  const tokens = new Set<string>();
  for (const m of messages) {
    for (const body of [m.text, m.html]) {
      const links = linksIn(body);
      assert.ok(links.answer.length >= 1 && links.optOut.length >= 1 && links.paper.length >= 1, body);
      const token = links.answer[0]!.slice(`${PUBLIC_URL}/s/`.length);
      assert.equal(links.optOut[0], `${PUBLIC_URL}/s/${token}/stop`);
      assert.equal(links.paper[0], `${PUBLIC_URL}/s/${token}/paper`);
      tokens.add(token);
    }
    assert.doesNotMatch(`${m.subject} ${m.from}`, /hjerte|heart|cardiac|stans|arrest|register/i);
    assert.doesNotMatch(m.text + m.html, /\d{11}/);
  }
  assert.equal(tokens.size, 2, 'each message has its own token');
  assert.match(messages[0]!.text, /Jeg vil heller svare på papir/);
  assert.match(messages[0]!.text, /Ikke kontakt meg igjen/);
});

test('messages in bokmål, nynorsk and English: invitation and reminder, HTML and text, the three links, the register', () => {
  const views = createViews();
  const links = linksFor(PUBLIC_URL, 'T'.repeat(43));
  // Without the profile's own subject and sender name (as in the test set-up) the neutral defaults are used.
  const profile = TEST_PROFILE;
  const subjects: string[] = [];
  for (const lang of ['nb', 'nn', 'en'] as const) {
    for (const step of ['invitation', 'reminder1', 'reminder2'] as const) {
      const mail = renderStepMail(views, lang, step, links, 'Kari', profile);
      subjects.push(mail.subject);
      for (const body of [mail.text, mail.html]) {
        assert.ok(
          body.includes(links.answer) && body.includes(links.optOut) && body.includes(links.paper),
          `${lang} ${step}`,
        );
        assert.match(body, /Kari/);
        for (const shown of [TEST_PROFILE.name, TEST_PROFILE.organisation, TEST_PROFILE.phone, TEST_PROFILE.email!])
          assert.ok(body.includes(shown as string), `${lang} ${step}: ${shown as string}`);
        assert.ok(body.includes((TEST_PROFILE.purpose as Record<string, string>)[lang]!), `${lang} ${step}: purpose`);
      }
      assert.doesNotMatch(mail.subject, /hjerte|heart|cardiac|stans|arrest|register/i);
      assert.equal(mail.fromName, undefined, 'MAIL_FROM as it is');
      assert.match(mail.html, new RegExp(`<html lang="${lang}">`));
    }
  }
  assert.deepEqual(
    [...new Set(subjects)],
    [
      'Et spørreskjema til deg',
      'Påminnelse: et spørreskjema til deg',
      'Eit spørjeskjema til deg',
      'Påminning: eit spørjeskjema til deg',
      'A questionnaire for you',
      'Reminder: a questionnaire for you',
    ],
  );
  assert.match(
    renderStepMail(views, 'en', 'reminder1', links, null, EXAMPLE_PROFILE).text,
    /^Hello,\n\nThis message is from Norsk hjertestansregister, Oslo universitetssykehus HF\.\n\nA while ago we asked you/,
  );
  assert.equal(
    renderStepMail(views, 'nn', 'reminder1', links, null, EXAMPLE_PROFILE).subject,
    'Påminning: Spørjeskjema om helsa di',
  );
  assert.equal(
    renderStepMail(views, 'nn', 'invitation', links, null, EXAMPLE_PROFILE).fromName,
    'Spørreskjema om helse',
  );
});

test('the first answer stops reminders, on the web and on paper', async () => {
  const arrest = '2026-02-01'; // day 90 2026-05-02, reminder 1 05-16, reminder 2 05-30
  const domain = 'b.example.test';
  await importPeople(db(), [
    who('B1', 201, domain, { arrest_date: arrest }),
    who('B2', 202, domain, { arrest_date: arrest }),
  ]);
  await runDays('2026-05-02', '2026-05-04', ['B1', 'B2'], domain);
  const b1 = (await invitationOf(db(), 'B1'))!;
  assert.equal(await answerOnWeb(db(), b1.id, new Date('2026-05-05T10:00:00Z')), 'submitted');
  await runDays('2026-05-05', '2026-05-19', ['B1', 'B2'], domain);
  const b2 = (await invitationOf(db(), 'B2'))!;
  await answerOnPaper(db(), b2.id, new Date('2026-05-20T10:00:00Z')); // after reminder 1, before reminder 2
  await runDays('2026-05-20', '2026-08-10', ['B1', 'B2'], domain);

  assert.deepEqual(
    mailsTo(domain).map(
      (m) => `${m.to.split('@')[0]}:${m.subject.startsWith('Påminnelse') ? 'reminder' : 'invitation'}`,
    ),
    ['b1:invitation', 'b2:invitation', 'b2:reminder'],
  );
  assert.deepEqual(
    (await stepsOf(db(), 'B1')).map((s) => [s.step, s.state, s.last_error]),
    [
      ['invitation', 'sent', null],
      ['reminder1', 'cancelled', 'answered'],
      ['reminder2', 'cancelled', 'answered'],
    ],
  );
  assert.deepEqual(
    (await stepsOf(db(), 'B2')).map((s) => [s.step, s.state, s.last_error]),
    [
      ['invitation', 'sent', null],
      ['reminder1', 'sent', null],
      ['reminder2', 'cancelled', 'answered'],
    ],
  );
  // A paper answer makes the invitation answered even if data entry did not change its state.
  assert.equal((await invitationOf(db(), 'B2'))!.state, 'answered');
  assert.equal((await invitationOf(db(), 'B1'))!.state, 'answered');
});

test('deaths: recorded at once, checked right before each send; unknown vital status means later', async () => {
  const arrest = '2026-03-01'; // day 90 2026-05-30, reminder 1 06-13
  const domain = 'c.example.test';
  const dead = (n: number, date: string) => `${syntheticNationalId(n)},${date}\n`;
  await importPeople(db(), [
    who('C1', 301, domain, { arrest_date: arrest }),
    who('C2', 302, domain, { arrest_date: arrest }),
    who('C4', 304, domain, { arrest_date: arrest }),
  ]);

  // C1 dies before day 90; C3 is in the death file before the register sends them.
  const report = await importDeaths(
    db(),
    Readable.from([`national_id,date_of_death\n${dead(301, '2026-05-10')}${dead(303, '2026-05-12')}`]),
  );
  assert.deepEqual([report.recorded, report.matched, report.rejected], [2, 1, 0]);
  await importPeople(db(), [who('C3', 303, domain, { arrest_date: arrest })]);

  // On day 90 the population register cannot answer for C4: nothing goes to C4, and it is tried again.
  const c4Id = syntheticNationalId(304);
  const deathFile = deathFileVitalStatus(db());
  const flaky: VitalStatusAdapter = {
    name: 'test-registry',
    lookup: (ids) => (ids.includes(c4Id) ? Promise.reject(new Error(`timeout for ${c4Id}`)) : deathFile.lookup(ids)),
  };
  const clock = testClock('2026-05-30');
  const { outcomes } = await passAndDeliver(db(), { ...world.deps, vitalStatus: flaky }, clock, {
    scope: ['C1', 'C2', 'C3', 'C4'],
    vitalStatus: flaky,
  });
  assert.deepEqual([...outcomes.values()].sort(), ['cancelled', 'deferred', 'sent']); // C3 dead, C4 unknown, C2 alive
  assert.deepEqual(
    mailsTo(domain).map((m) => m.to),
    ['c2@c.example.test'],
  );
  const c4 = await stepsOf(db(), 'C4');
  assert.deepEqual(
    [c4[0]!.state, c4[0]!.last_error],
    ['pending', 'vital_status_unknown: test-registry failed: timeout for <id>'],
  );

  await runDays('2026-05-31', '2026-06-04', ['C1', 'C2', 'C3', 'C4'], domain);
  assert.deepEqual(
    mailsTo(domain)
      .map((m) => m.to)
      .sort(),
    ['c2@c.example.test', 'c4@c.example.test'],
  );
  // Sent a day late, so its reminders count from the day it went.
  assert.deepEqual(
    (await stepsOf(db(), 'C4')).map((s) => osloDay(s.due_at)),
    ['2026-05-30', '2026-06-14', '2026-06-28'],
  );
  assert.deepEqual(await invitationOf(db(), 'C1').then((i) => [i!.state, i!.cancel_reason]), ['cancelled', 'died']);
  assert.deepEqual(await invitationOf(db(), 'C3').then((i) => [i!.state, i!.cancel_reason]), ['cancelled', 'died']);
  const c3 = await db()
    .selectFrom('survivors')
    .select('died_on')
    .where('register_id', '=', 'C3')
    .executeTakeFirstOrThrow();
  assert.equal(c3.died_on, '2026-05-12', 'the adapter answer is recorded on the survivor');

  // C2 dies after the invitation: the death import stops the reminders at once.
  const later = await importDeaths(db(), Readable.from([`national_id,date_of_death\n${dead(302, '2026-06-05')}`]));
  assert.equal(later.invitationsStopped, 1);
  assert.equal(later.cancelledOutboxIds.length, 2);
  await runDays('2026-06-05', '2026-09-10', ['C1', 'C2', 'C3', 'C4'], domain);
  assert.deepEqual(
    mailsTo(domain)
      .map((m) => m.to)
      .sort(),
    ['c2@c.example.test', 'c4@c.example.test', 'c4@c.example.test'],
  );
  assert.deepEqual(
    (await stepsOf(db(), 'C2')).map((s) => [s.step, s.state, s.last_error]),
    [
      ['invitation', 'sent', null],
      ['reminder1', 'cancelled', 'died'],
      ['reminder2', 'cancelled', 'died'],
    ],
  );
  const badFile = await importDeaths(db(), Readable.from(['national_id,date_of_death\n12345678901,2026-01-01\n']));
  assert.deepEqual(badFile.problems, ['line 2: national_id: is not a valid fødselsnummer or D-number']);
});

test('withdrawal and opt-out stop everything at once; their queued jobs are removed', async () => {
  const arrest = '2026-04-01'; // day 90 2026-06-30
  const domain = 'd.example.test';
  await importPeople(db(), [
    who('D1', 401, domain, { arrest_date: arrest }),
    who('D2', 402, domain, { arrest_date: arrest }),
  ]);
  const clock = testClock('2026-06-30');
  const pass = await runSchedulingPass(db(), world.queues, clock); // queued, no worker running
  const [d1, d2] = [(await stepsOf(db(), 'D1'))[0]!, (await stepsOf(db(), 'D2'))[0]!];
  assert.ok(pass.dueOutboxIds.includes(d1.id) && pass.dueOutboxIds.includes(d2.id));
  assert.ok(await world.queues.delivery.getJob(deliveryJobId(d1.id)));

  const withdrawn = await withdrawConsentStopping(db(), 'D1', clock.now());
  assert.deepEqual(withdrawn.cancelled.sort(), (await stepsOf(db(), 'D1')).map((s) => s.id).sort());
  await removeDeliveryJobs(world.queues, withdrawn.cancelled);
  assert.equal(await world.queues.delivery.getJob(deliveryJobId(d1.id)), undefined);

  // An opt-out from the web pages has no queue at hand: the next pass removes the job.
  await optOut(db(), (await invitationOf(db(), 'D2'))!.id, clock.now());
  assert.ok(await world.queues.delivery.getJob(deliveryJobId(d2.id)));
  await runSchedulingPass(db(), world.queues, clock);
  assert.equal(await world.queues.delivery.getJob(deliveryJobId(d2.id)), undefined);

  await runDays('2026-06-30', '2026-10-01', ['D1', 'D2'], domain);
  assert.equal(mailsTo(domain).length, 0);
  assert.deepEqual(await invitationOf(db(), 'D1').then((i) => [i!.state, i!.cancel_reason]), [
    'cancelled',
    'withdrawn',
  ]);
  assert.deepEqual(await invitationOf(db(), 'D2').then((i) => [i!.state, i!.cancel_reason]), [
    'cancelled',
    'opted_out',
  ]);
  assert.ok((await stepsOf(db(), 'D2')).every((s) => s.state === 'cancelled' && s.last_error === 'opted_out'));
});

test('paper without a postal address is held for staff (reminders wait), never e-mailed; an address releases it', async () => {
  const arrest = '2026-05-01'; // day 90 2026-07-30
  const domain = 'e.example.test';
  const e1 = who('E1', 501, domain, { arrest_date: arrest, email: '', address_line: '', postal_code: '', city: '' });
  await importPeople(db(), [e1]);
  await runDays('2026-07-30', '2026-08-02', ['E1'], domain);
  assert.deepEqual(
    (await stepsOf(db(), 'E1')).map((s) => [s.step, s.channel, s.state, s.last_error]),
    [
      ['invitation', 'paper', 'held', 'address_missing'],
      ['reminder1', 'paper', 'pending', null],
      ['reminder2', 'paper', 'pending', null],
    ],
  );
  await importPeople(db(), [{ ...e1, ...withAddress }]); // the register sends the address
  await runDays('2026-08-03', '2026-08-03', ['E1'], domain);
  // The letter goes four days late, and its reminders move with it instead of coming at once.
  assert.deepEqual(
    (await stepsOf(db(), 'E1')).map((s) => [s.step, s.state, osloDay(s.due_at)]),
    [
      ['invitation', 'print', '2026-07-30'],
      ['reminder1', 'pending', '2026-08-17'],
      ['reminder2', 'pending', '2026-08-31'],
    ],
  );
  assert.equal(mailsTo(domain).length, 0);
});

test('a survivor imported late is invited at once; after the window never, with the reason', async () => {
  const domain = 'f.example.test';
  // Imported on day 122 in the evening: invited by the next pass, reminders counted from then.
  await importPeople(db(), [
    who('F1', 601, domain, { arrest_date: '2026-06-01' }),
    who('F2', 602, domain, { arrest_date: '2026-03-01' }), // window closed 2026-08-31
    who('F3', 603, domain, { arrest_date: '2026-05-25' }), // day 129, window closes 2026-11-24
  ]);
  const clock = testClock('2026-10-01T20:05+02:00');
  await passAndDeliver(db(), world.deps, clock, { scope: ['F1', 'F2', 'F3'] });
  assert.deepEqual(
    mailsTo(domain)
      .map((m) => m.to)
      .sort(),
    ['f1@f.example.test', 'f3@f.example.test'],
  );
  assert.deepEqual(
    (await stepsOf(db(), 'F1')).map((s) => [s.step, s.due_at.toISOString()]),
    [
      ['invitation', '2026-10-01T18:05:00.000Z'],
      ['reminder1', '2026-10-15T07:00:00.000Z'],
      ['reminder2', '2026-10-29T08:00:00.000Z'], // after the autumn change: 09:00 CET
    ],
  );
  const f2 = (await invitationOf(db(), 'F2'))!;
  assert.deepEqual([f2.state, f2.cancel_reason], ['expired', 'window_closed']);
  assert.deepEqual(await stepsOf(db(), 'F2'), []);
  // F3's window closes 2026-11-24: reminder 2 on 10-29 is inside, so all three; F4 on day 170 gets only the invitation.
  assert.equal((await stepsOf(db(), 'F3')).length, 3);
  await importPeople(db(), [who('F4', 604, domain, { arrest_date: '2026-04-24' })]); // day 160 on 10-01, closes 10-24
  await passAndDeliver(db(), world.deps, clock, { scope: ['F4'] });
  assert.deepEqual(
    (await stepsOf(db(), 'F4')).map((s) => s.step),
    ['invitation', 'reminder1'],
  );
});

test('"I would rather answer on paper": a letter at once, and later steps become letters', async () => {
  const arrest = '2026-07-01'; // day 90 2026-09-29, reminder 1 10-13
  const domain = 'g.example.test';
  await importPeople(db(), [who('G1', 701, domain, { arrest_date: arrest })]);
  await runDays('2026-09-29', '2026-10-01', ['G1'], domain);
  assert.equal(mailsTo(domain).length, 1);
  const clock = testClock('2026-10-02');
  await preferPaper(db(), (await invitationOf(db(), 'G1'))!.id, clock.now());
  await preferPaper(db(), (await invitationOf(db(), 'G1'))!.id, clock.now()); // a second click changes nothing
  await runDays('2026-10-02', '2026-10-20', ['G1'], domain);
  assert.equal(mailsTo(domain).length, 1, 'no e-mail after asking for paper');
  assert.deepEqual(
    (await stepsOf(db(), 'G1')).map((s) => [s.step, s.channel, s.state]),
    [
      ['invitation', 'email', 'sent'],
      ['paper_request', 'paper', 'print'],
      ['reminder1', 'paper', 'print'],
      ['reminder2', 'paper', 'pending'],
    ],
  );
  const rule = await db()
    .selectFrom('survivors')
    .select('channel_rule')
    .where('register_id', '=', 'G1')
    .executeTakeFirstOrThrow();
  assert.equal(rule.channel_rule, 'paper-only');
});

test('the programme is versioned: a change applies to new invitations, each keeps its version', async () => {
  const before = await currentProgramme(db());
  assert.deepEqual(before, { version: 1, programme: DEFAULT_PROGRAMME });
  const saved = await saveProgramme(db(), { reminder1AfterDays: 7, reminder2AfterDays: null }, 'test');
  assert.equal(saved.version, 2);
  try {
    const domain = 'h.example.test';
    await importPeople(db(), [who('H1', 801, domain, { arrest_date: '2026-08-01' })]); // day 90 2026-10-30
    await runDays('2026-10-30', '2026-10-30', ['H1'], domain);
    assert.equal((await invitationOf(db(), 'H1'))!.programme_version, 2);
    assert.deepEqual(
      (await stepsOf(db(), 'H1')).map((s) => [s.step, osloDay(s.due_at)]),
      [
        ['invitation', '2026-10-30'],
        ['reminder1', '2026-11-06'],
      ],
    );
    assert.equal((await invitationOf(db(), 'A1'))!.programme_version, 1);
  } finally {
    await saveProgramme(db(), DEFAULT_PROGRAMME, 'test');
  }
});
