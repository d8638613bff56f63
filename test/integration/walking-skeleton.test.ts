// The whole path on real services: import → scheduling pass → e-mail at an SMTP server on
// loopback → follow the link → answer → export row. Runs on PGlite and on PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, PassThrough } from 'node:stream';
import request from 'supertest';
import { parse } from 'csv-parse/sync';
import { fixedClock, parseNow, systemClock } from '../../src/clock.ts';
import { importSurvivors } from '../../src/cohort/import.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { waitUntilSettled } from '../../src/invitations/drain.ts';
import { startWorkers } from '../../src/jobs/index.ts';
import { exportResponsesCsv } from '../../src/reports/exports/responses.ts';
import { createWorld, PUBLIC_URL, type World } from '../support/world.ts';
import { person, toCsv } from '../support/people.ts';
import { linkToken } from '../support/smtp.ts';
import { answerSurvey } from '../support/browser-less.ts';

let world: World;
before(async () => {
  world = await createWorld();
});
after(async () => {
  await world?.close();
});

async function exportRows(): Promise<Record<string, string>[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportResponsesCsv(world.database.db, out);
  return parse<Record<string, string>>(Buffer.concat(chunks).toString('utf8'), { columns: true });
}

test('import → schedule → e-mail → answer → export, and a second pass sends nothing', async () => {
  const people = [person(1), person(2, { language: 'nn' }), person(3, { language: 'en' })];
  const report = await importSurvivors(world.database.db, Readable.from([toCsv(people)]));
  assert.deepEqual(report, { inserted: 3, updated: 0, rejected: 0, problems: [], moreProblems: 0, notices: [] });

  const workers = startWorkers(world.deps, world.queues, systemClock, { scheduler: false });
  try {
    const pass = await runSchedulingPass(world.database.db, world.queues, systemClock);
    assert.equal(pass.invited, 3);
    assert.equal(pass.dueOutboxIds.length, 3);
    const settled = await waitUntilSettled(world.database.db, pass.dueOutboxIds, 15_000);
    assert.deepEqual(settled, { counts: { sent: 3, cancelled: 0, failed: 0, unknown: 0 }, waiting: 0 });
    const mails = await world.smtp.waitFor(3);
    assert.deepEqual(mails.map((m) => m.to).sort(), people.map((p) => p.email).sort());

    // Neutral subject and sender: nothing reveals a cardiac arrest or the register.
    for (const m of mails) {
      assert.doesNotMatch(`${m.subject} ${m.from}`, /hjerte|heart|cardiac|stans|arrest|register/i);
      assert.doesNotMatch(m.text + m.html, /\d{11}/, 'no national id in the message');
      assert.match(m.text, new RegExp(`${PUBLIC_URL}/s/[A-Za-z0-9_-]{43}`));
    }
    assert.equal(mails.find((m) => m.to === people[1]!.email)!.subject, 'Eit spørjeskjema til deg');

    // Running the same pass again sends nothing more.
    const again = await runSchedulingPass(world.database.db, world.queues, systemClock);
    assert.equal(again.invited, 0);
    assert.deepEqual(again.dueOutboxIds, []);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(world.smtp.messages.length, 3);
  } finally {
    await workers.close();
  }

  // The link is stored only as a hash.
  const stored = await world.database.db.selectFrom('invitation_tokens').select('token_hash').execute();
  const token = linkToken(world.smtp.messages.find((m) => m.to === people[0]!.email)!);
  assert.equal(stored.length, 3);
  assert.ok(stored.every((s) => !Buffer.from(s.token_hash).toString('utf8').includes(token)));

  const agent = request.agent(world.app());
  const receipt = await answerSurvey(agent, token, [1, 2, 3, 4, 5], 73);
  assert.match(receipt, /Takk, svarene dine er sendt inn/);

  const rows = await exportRows();
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.equal(row.register_id, people[0]!.register_id);
  assert.deepEqual(
    [row.mobility, row.self_care, row.usual_activities, row.pain_discomfort, row.anxiety_depression, row.vas, row.mode],
    ['1', '2', '3', '4', '5', '73', 'web'],
  );
  assert.equal(row.arrest_type, people[0]!.arrest_type);
  assert.equal(row.hospital, people[0]!.hospital);
  assert.ok(!Object.values(row).includes(people[0]!.national_id), 'no national id in the export');
  assert.ok(!Number.isNaN(Date.parse(row.completed_at!)));
  // NO-2024 index of 12345 from the published decrements SC2, UA3, PD4, AD5 (Garratt et al. 2024).
  assert.equal(Number(row.eq5d_index_no2024).toFixed(6), (1 - 0.031312 - 0.056743 - 0.303025 - 0.472).toFixed(6));

  // Submitting twice, or answering again through the link, never makes a second response.
  await agent.post('/s/submit').type('form').send({}).expect(403);
  const reopened = await request.agent(world.app()).get(`/s/${token}`).expect(303);
  assert.equal(reopened.headers.location, '/s/done');
  assert.equal((await exportRows()).length, 1);
});

test('arrests before day 90 wait; after day 183 they are never invited, with the reason kept', async () => {
  const today = '2026-03-01';
  const clock = fixedClock(parseNow(today)!);
  await importSurvivors(
    world.database.db,
    Readable.from([
      toCsv([
        person(10, { arrest_date: '2025-12-05' }), // day 86: not yet
        person(11, { arrest_date: '2025-08-01' }), // day 212: window closed
      ]),
    ]),
  );
  const pass = await runSchedulingPass(world.database.db, undefined, clock);
  assert.equal(pass.invited, 0);
  assert.equal(pass.neverInvited, 1);
  const rows = await world.database.db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['s.register_id', 'i.state', 'i.cancel_reason'])
    .where('s.register_id', 'in', ['R00010', 'R00011'])
    .execute();
  assert.deepEqual(rows, [{ register_id: 'R00011', state: 'expired', cancel_reason: 'window_closed' }]);

  // Four days later the first one is due.
  const later = await runSchedulingPass(world.database.db, undefined, fixedClock(parseNow('2026-03-05')!));
  assert.equal(later.invited, 1);
});
