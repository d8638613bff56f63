// Regression tests for issue "One owner of the contact and consent rules": the edges that used to
// disagree now go through the owner's transitions (src/invitations/), on PGlite and PostgreSQL.
//   1. a returned paper form after a death, a withdrawal or a stop is recorded, never counted;
//   2. the window closes by the clock, whether or not a scheduling pass has run;
//   3. a submit stores exactly the draft the check page showed;
//   4. print batches are scoped to the registrar's hospitals;
//   5. a withdrawal takes the answers out of every output at once; erasure deletes them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { addDays, osloDay, parseNow, fixedClock, type Clock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { importSurvivors } from '../../src/cohort/import.ts';
import { importDeaths } from '../../src/cohort/deaths-import.ts';
import { erasedIdHash } from '../../src/invitations/erase.ts';
import { optOut, withdrawConsent } from '../../src/invitations/person.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { sweepStoppedInvitations } from '../../src/invitations/transitions.ts';
import { confirmBatch, letterCodeKey, makeBatch, type BatchDeps } from '../../src/paper/batch.ts';
import { addEntry, setDoubleEntry, type EntryValues } from '../../src/paper/entry.ts';
import { loadResponses } from '../../src/reports/comparison/compute.ts';
import { loadFacts } from '../../src/reports/dashboard.ts';
import { responseRows } from '../../src/reports/exports/rows.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createViews } from '../../src/i18n/views.ts';
import { csrfFrom, versionFrom } from '../support/browser-less.ts';
import { answerOnWeb } from '../support/lifecycle.ts';
import { syntheticNationalId } from '../support/people.ts';
import { createStaff, signIn, type Agent, type TestStaff } from '../support/staff.ts';
import { createInvitation } from '../support/survey-fixtures.ts';
import { createWorld, PUBLIC_URL, TEST_SESSION_SECRET, type World } from '../support/world.ts';
import request from 'supertest';

const ERASURE_KEY = 'test-erasure-key-test-erasure-key-0123456';
const ARREST = '2026-02-02';
const DAY90 = addDays(ARREST, 90);
const CLOSES = addDays(ARREST, 183);
const dir = mkdtempSync(path.join(tmpdir(), 'prom-owner-'));

let world: World;
let db: Db;
let deps: BatchDeps;
let seq = 0;
let staff: Record<'ous' | 'hus' | 'sus' | 'admin', TestStaff>;

before(async () => {
  world = await createWorld();
  db = world.database.db;
  deps = {
    db,
    views: createViews(),
    instruments: loadInstruments(),
    publicUrl: PUBLIC_URL,
    codeKey: letterCodeKey(TEST_SESSION_SECRET),
  };
  staff = {
    ous: await createStaff(db, TEST_SESSION_SECRET, { email: 'ous@owner.test', role: 'registrar', hospitals: ['OUS'] }),
    hus: await createStaff(db, TEST_SESSION_SECRET, { email: 'hus@owner.test', role: 'registrar', hospitals: ['HUS'] }),
    sus: await createStaff(db, TEST_SESSION_SECRET, { email: 'sus@owner.test', role: 'registrar', hospitals: ['SUS'] }),
    admin: await createStaff(db, TEST_SESSION_SECRET, { email: 'admin@owner.test', role: 'admin' }),
  };
});
after(async () => {
  await world?.close();
});

const clockAt = (day: string) => fixedClock(parseNow(day)!);

/** Paper-only survivors with an address, arrest on ARREST. */
async function paperPeople(hospitals: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const hospital of hospitals) {
    const i = ++seq;
    const s = await db
      .insertInto('survivors')
      .values({
        register_id: `R${i}`,
        national_id: syntheticNationalId(8100 + i),
        birth_date: '1948-03-03',
        sex: 'male',
        given_name: `Navn${i}`,
        family_name: 'Brevsen',
        address_line: `Gate ${i}`,
        postal_code: '0150',
        city: 'OSLO',
        language: 'nb',
        channel_rule: 'paper-only',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('arrest_events')
      .values({ survivor_id: s.id, arrest_date: ARREST, arrest_type: 'OHCA', hospital })
      .execute();
    ids.push(`R${i}`);
  }
  return ids;
}

/** A pass at day 90 and a print batch the day after; returns the batch id. */
async function printBatch(name: string): Promise<{ batchId: number; pdf: string }> {
  await runSchedulingPass(db, undefined, clockAt(DAY90));
  const r = await makeBatch(deps, clockAt(addDays(DAY90, 1)), path.join(dir, name), 'test');
  return { batchId: r.batchId!, pdf: r.files!.pdfFile };
}

async function letterOf(registerId: string) {
  return db
    .selectFrom('letters as l')
    .innerJoin('invitations as i', 'i.id', 'l.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['l.id', 'l.invitation_id', 'l.handed_over_at', 'i.state as invitation_state', 's.id as survivor_id'])
    .where('s.register_id', '=', registerId)
    .executeTakeFirstOrThrow();
}

async function stepState(registerId: string) {
  const l = await letterOf(registerId);
  return (
    await db
      .selectFrom('outbox')
      .select('state')
      .where('invitation_id', '=', l.invitation_id)
      .where('step', '=', 'invitation')
      .executeTakeFirstOrThrow()
  ).state;
}

const values = (received: string): EntryValues => ({
  mobility: '2',
  self_care: '1',
  usual_activities: '3',
  pain_discomfort: '2',
  anxiety_depression: '1',
  vas: '64',
  received_on: received,
});

async function responsesOf(invitationId: number) {
  return db
    .selectFrom('responses')
    .select(['id', 'counted', 'mode'])
    .where('invitation_id', '=', invitationId)
    .execute();
}

async function exportedRegisterIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of responseRows(db)) ids.push(r.register_id);
  return ids.sort();
}

describe('1. a returned paper form after a death, a withdrawal or a stop', () => {
  let people: string[];

  before(async () => {
    people = await paperPeople(['OUS', 'OUS', 'OUS', 'OUS', 'OUS', 'OUS']);
    const { batchId } = await printBatch('hole1');
    await confirmBatch(db, batchId, 'test', parseNow(addDays(DAY90, 1))!);
    await setDoubleEntry(db, false, 'test');
  });

  test('is recorded as received (return id, date, reason) and never counted; its answers are not stored', async () => {
    const [withdrawn, died, optedOut] = people as [string, string, string];
    await withdrawConsent(db, withdrawn, parseNow(addDays(DAY90, 5))!);
    const dead = await db
      .selectFrom('survivors')
      .select('national_id')
      .where('register_id', '=', died)
      .executeTakeFirstOrThrow();
    await importDeaths(db, Readable.from([`national_id,date_of_death\n${dead.national_id},${addDays(DAY90, 6)}\n`]));
    const a = await optOut(db, (await letterOf(optedOut)).invitation_id, parseNow(addDays(DAY90, 6))!);
    assert.equal(a, undefined);

    const received = addDays(DAY90, 20);
    const now = parseNow(received)!;
    const outcomes = [];
    for (const p of [withdrawn, died, optedOut])
      outcomes.push(await addEntry(db, (await letterOf(p)).id, staff.ous.id, values(received), now));
    assert.deepEqual(
      outcomes.map((o) => (o.kind === 'uncounted' ? o.reason : o.kind)),
      ['withdrawn', 'died', 'final'],
    );

    for (const p of [withdrawn, died]) {
      const l = await letterOf(p);
      assert.deepEqual(await responsesOf(l.invitation_id), [], `${p}: no response row`);
      assert.equal(
        await db.selectFrom('paper_entries').select('id').where('letter_id', '=', l.id).executeTakeFirst(),
        undefined,
        `${p}: no entry with answers`,
      );
      const u = await db
        .selectFrom('uncounted_returns')
        .selectAll()
        .where('letter_id', '=', l.id)
        .executeTakeFirstOrThrow();
      assert.equal(u.received_on, received);
      assert.equal(u.recorded_by, staff.ous.id);
    }
    // Opting out concerns contact, not consent: the person chose to answer, and it counts.
    const l = await letterOf(optedOut);
    assert.deepEqual(
      (await responsesOf(l.invitation_id)).map((r) => r.counted),
      [true],
    );
    assert.equal(l.invitation_state, 'answered');
    assert.deepEqual(await exportedRegisterIds(), [optedOut]);
  });

  test('after the window: counted within 14 days of postal grace, recorded uncounted after that', async () => {
    const [, , , late, veryLate] = people as [string, string, string, string, string];
    const pass = await runSchedulingPass(db, undefined, clockAt(CLOSES));
    assert.ok(pass.expired >= 2);
    const inGrace = addDays(CLOSES, 13);
    const tooLate = addDays(CLOSES, 14);
    const a = await addEntry(db, (await letterOf(late)).id, staff.ous.id, values(inGrace), parseNow(inGrace)!);
    const b = await addEntry(db, (await letterOf(veryLate)).id, staff.ous.id, values(tooLate), parseNow(tooLate)!);
    assert.equal(a.kind, 'final');
    assert.deepEqual(b, { kind: 'uncounted', reason: 'window_closed' });
    assert.equal((await letterOf(late)).invitation_state, 'answered');
    assert.equal((await letterOf(veryLate)).invitation_state, 'expired');
  });

  test('with double entry, a withdrawal between the two entries removes the first entry as well', async () => {
    await setDoubleEntry(db, true, 'test');
    const p = people[5]!;
    // The window closed in the test above; a form received inside the grace still counts, so the rule tested is the withdrawal.
    const received = addDays(CLOSES, 2);
    const first = await addEntry(db, (await letterOf(p)).id, staff.ous.id, values(received), parseNow(received)!);
    assert.equal(first.kind, 'awaiting-second');
    await withdrawConsent(db, p, parseNow(received)!);
    const second = await addEntry(db, (await letterOf(p)).id, staff.admin.id, values(received), parseNow(received)!);
    assert.deepEqual(second, { kind: 'uncounted', reason: 'withdrawn' });
    assert.equal(
      await db
        .selectFrom('paper_entries')
        .select('id')
        .where('letter_id', '=', (await letterOf(p)).id)
        .executeTakeFirst(),
      undefined,
    );
    await setDoubleEntry(db, false, 'test');
  });

  test('the letter page tells staff, in Norwegian, that the form was recorded and not counted', async () => {
    const { agent } = await signIn(world.app(), staff.ous);
    const page = await agent.get(`/staff/paper/letters/${(await letterOf(people[0]!)).id}`).expect(200);
    assert.match(page.text, /etter at personen trakk samtykket/);
    assert.match(page.text, /svarene er ikke lagret/);
  });
});

/** A clock the test moves. */
function movingClock(day: string): Clock & { set(day: string): void } {
  let at = parseNow(day)!;
  return { now: () => new Date(at.getTime()), set: (d: string) => (at = parseNow(d)!) };
}

describe('2. the window closes by the clock, whether or not a pass has run', () => {
  test('from the closing day the link, the code, every page and the submit answer 410 and store nothing', async () => {
    const inv = await createInvitation(db);
    const row = await db
      .selectFrom('invitations')
      .select(['closes_on', 'state'])
      .where('id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    const clock = movingClock(addDays(row.closes_on, -1));
    const app = world.app(clock);
    const agent = request.agent(app);
    await agent.get(`/s/${inv.token}`).expect(303);
    const csrf = csrfFrom((await agent.get('/s/q/1').expect(200)).text);
    for (let n = 1; n <= 6; n++)
      await agent
        .post(`/s/q/${n}`)
        .type('form')
        .send({ _csrf: csrf, answer: n === 6 ? '70' : '2' })
        .expect(303);
    const version = versionFrom((await agent.get('/s/check').expect(200)).text);
    const draftBefore = await db
      .selectFrom('answer_drafts')
      .select(['answers', 'version'])
      .where('invitation_id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();

    clock.set(row.closes_on); // no scheduling pass: the invitation row still says 'sent'
    await agent.get('/s/q/2').expect(410);
    await agent.post('/s/q/2').type('form').send({ _csrf: csrf, answer: '5' }).expect(410);
    await agent.get('/s/check').expect(410);
    const submit = await agent.post('/s/submit').type('form').send({ _csrf: csrf, version }).expect(410);
    assert.match(submit.text, /<h1[^>]*>[^<]+<\/h1>/);
    await request(app).get(`/s/${inv.token}`).expect(410);
    const fresh = request.agent(app);
    const kode = csrfFrom((await fresh.get('/kode').expect(200)).text);
    await fresh.post('/kode').type('form').send({ _csrf: kode, code: inv.shortCode }).expect(410);

    assert.deepEqual(
      await db
        .selectFrom('answer_drafts')
        .select(['answers', 'version'])
        .where('invitation_id', '=', inv.invitationId)
        .executeTakeFirstOrThrow(),
      draftBefore,
    );
    assert.deepEqual(await responsesOf(inv.invitationId), []);
    assert.equal(
      (await db.selectFrom('invitations').select('state').where('id', '=', inv.invitationId).executeTakeFirstOrThrow())
        .state,
      row.state,
    );
  });
});

describe('3. a submit stores exactly what the check page showed', () => {
  test('a change from a second window in between: the check page again with a notice (409), nothing stored; then the reviewed answers', async () => {
    const inv = await createInvitation(db);
    const app = world.app();
    const first = request.agent(app);
    await first.get(`/s/${inv.token}`).expect(303);
    const csrf = csrfFrom((await first.get('/s/q/1').expect(200)).text);
    for (let n = 1; n <= 6; n++)
      await first
        .post(`/s/q/${n}`)
        .type('form')
        .send({ _csrf: csrf, answer: n === 6 ? '55' : '1' })
        .expect(303);
    const shown = versionFrom((await first.get('/s/check').expect(200)).text);

    const second = request.agent(app);
    await second.get(`/s/${inv.token}`).expect(303);
    const csrf2 = csrfFrom((await second.get('/s/q/1').expect(200)).text);
    await second.post('/s/q/1').type('form').send({ _csrf: csrf2, answer: '4' }).expect(303);

    const refused = await first.post('/s/submit').type('form').send({ _csrf: csrf, version: shown }).expect(409);
    assert.match(refused.text, /endret i et annet vindu/);
    assert.match(refused.text, /Jeg har store problemer med å gå omkring|problemer/);
    assert.deepEqual(await responsesOf(inv.invitationId), []);
    const missing = await first.post('/s/submit').type('form').send({ _csrf: csrf }).expect(409);
    assert.match(missing.text, /name="version" value="\d+"/);
    assert.deepEqual(await responsesOf(inv.invitationId), []);

    const reviewed = versionFrom(refused.text);
    assert.notEqual(reviewed, shown);
    await first
      .post('/s/submit')
      .type('form')
      .send({ _csrf: csrf, version: reviewed })
      .expect(303)
      .expect('Location', '/s/done');
    const stored = await db
      .selectFrom('responses')
      .select(['mobility', 'vas'])
      .where('invitation_id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(stored, { mobility: 4, vas: 55 });
  });
});

describe('4. print batches are scoped like everything else', () => {
  let ous: string;
  let hus: string;
  let batchId: number;
  const agents = new Map<string, { agent: Agent; csrf: string }>();
  const as = async (who: TestStaff) => {
    if (!agents.has(who.email)) agents.set(who.email, await signIn(world.app(), who));
    return agents.get(who.email)!;
  };

  before(async () => {
    [ous, hus] = (await paperPeople(['OUS', 'HUS'])) as [string, string];
    batchId = (await printBatch('hole4')).batchId;
  });

  test('a registrar sees the batch with their own letters only; another hospital sees nothing and gets 404', async () => {
    const { agent } = await as(staff.ous);
    const list = await agent.get('/staff/paper/batches').expect(200);
    assert.match(list.text, new RegExp(`<td[^>]*>${batchId}</td>|>${batchId}<`));
    const { agent: sus, csrf } = await as(staff.sus);
    const none = await sus.get('/staff/paper/batches').expect(200);
    assert.doesNotMatch(none.text, new RegExp(`/staff/paper/batches/${batchId}/confirm`));
    await sus.post(`/staff/paper/batches/${batchId}/confirm`).type('form').send({ _csrf: csrf }).expect(404);
    assert.equal(await stepState(ous), 'print');
    assert.equal(await stepState(hus), 'print');
  });

  test("confirming moves only the registrar's letters to sent; the rest stay for their registrar, an admin or the command", async () => {
    const { agent, csrf } = await as(staff.ous);
    await agent.post(`/staff/paper/batches/${batchId}/confirm`).type('form').send({ _csrf: csrf }).expect(303);
    assert.equal(await stepState(ous), 'sent');
    assert.equal(await stepState(hus), 'print', "another hospital's letter is untouched");
    const batch = await db
      .selectFrom('print_batches')
      .select('handed_over_at')
      .where('id', '=', batchId)
      .executeTakeFirstOrThrow();
    assert.equal(batch.handed_over_at, null, 'partly confirmed');
    assert.deepEqual(await confirmBatch(db, batchId, 'again', new Date(), ['OUS']), { kind: 'already' });

    const r = await confirmBatch(db, batchId, 'prom letters confirm', new Date());
    assert.equal(r.kind, 'confirmed');
    assert.equal(await stepState(hus), 'sent');
    const done = await db
      .selectFrom('print_batches')
      .select('handed_over_at')
      .where('id', '=', batchId)
      .executeTakeFirstOrThrow();
    assert.notEqual(done.handed_over_at, null);
  });
});

describe('5. withdrawal and erasure', () => {
  test('a withdrawal takes the answers out of the export, the comparison, the dashboard and its denominators at once', async () => {
    const stays = await createInvitation(db);
    const goes = await createInvitation(db);
    for (const inv of [stays, goes]) assert.equal(await answerOnWeb(db, inv.invitationId, new Date()), 'submitted');
    const idOf = async (survivorId: number) =>
      (await db.selectFrom('survivors').select('register_id').where('id', '=', survivorId).executeTakeFirstOrThrow())
        .register_id;
    const [stayId, goId] = [await idOf(stays.survivorId), await idOf(goes.survivorId)];
    const before = {
      exported: await exportedRegisterIds(),
      compared: (await loadResponses(db, {})).length,
      facts: total(await loadFacts(db)),
    };
    assert.ok(before.exported.includes(goId) && before.exported.includes(stayId));

    await withdrawConsent(db, goId, new Date());
    const exported = await exportedRegisterIds();
    assert.ok(!exported.includes(goId) && exported.includes(stayId));
    assert.equal((await loadResponses(db, {})).length, before.compared - 1);
    assert.equal(total(await loadFacts(db)), before.facts - 1, 'the invitation leaves the denominators');
    assert.equal(
      (await responsesOf(goes.invitationId)).length,
      1,
      'withdrawal alone keeps the row (erasure deletes it)',
    );
  });

  test('erasure by an admin deletes everything about the person, keeps a keyed tombstone, redraws the batch files, and a re-import is refused', async () => {
    const [keep, erase] = (await paperPeople(['OUS', 'OUS'])) as [string, string];
    const { pdf } = await printBatch('hole5');
    const text = () => execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    const person = await db
      .selectFrom('survivors')
      .selectAll()
      .where('register_id', '=', erase)
      .executeTakeFirstOrThrow();
    assert.match(text(), new RegExp(person.given_name!));
    const l = await letterOf(erase);

    const { agent, csrf } = await signIn(world.app(), staff.admin);
    await agent.get('/staff/erasure').expect(200);
    const found = await agent
      .post('/staff/erasure/find')
      .type('form')
      .send({ _csrf: csrf, register_id: erase })
      .expect(303);
    assert.equal(found.headers.location, `/staff/erasure/${person.id}`);
    const page = await agent.get(found.headers.location).expect(200);
    assert.doesNotMatch(
      page.text,
      new RegExp(`${person.national_id}|${person.given_name}|${person.address_line}`),
      'the minimal page shows no name, address or national id',
    );
    await agent
      .post(found.headers.location)
      .type('form')
      .send({ _csrf: csrf, confirm_register_id: 'wrong' })
      .expect(400);
    assert.ok(
      await db.selectFrom('survivors').select('id').where('id', '=', person.id).executeTakeFirst(),
      'nothing erased without the confirmation',
    );
    await agent.post(found.headers.location).type('form').send({ _csrf: csrf, confirm_register_id: erase }).expect(303);

    assert.equal(
      await db.selectFrom('survivors').select('id').where('id', '=', person.id).executeTakeFirst(),
      undefined,
    );
    for (const t of ['outbox', 'letters', 'short_codes', 'invitation_tokens', 'responses', 'answer_drafts'] as const) {
      assert.equal(
        await db.selectFrom(t).select('invitation_id').where('invitation_id', '=', l.invitation_id).executeTakeFirst(),
        undefined,
        t,
      );
    }
    const tomb = await db.selectFrom('erasures').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual(Buffer.from(tomb.national_id_hash), erasedIdHash(ERASURE_KEY, person.national_id));
    assert.doesNotMatch(JSON.stringify(tomb), new RegExp(person.national_id));
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'entity_id'])
      .where('action', '=', 'erase')
      .executeTakeFirstOrThrow();
    assert.equal(audit.entity_id, String(person.id));
    assert.doesNotMatch(text(), new RegExp(person.given_name!), 'the batch PDF was drawn again without the letter');
    assert.match(
      text(),
      new RegExp(
        (
          await db
            .selectFrom('survivors')
            .select('given_name')
            .where('register_id', '=', keep)
            .executeTakeFirstOrThrow()
        ).given_name!,
      ),
    );
    assert.doesNotMatch(readFileSync(pdf.replace(/\.pdf$/, '-manifest.csv'), 'utf8'), new RegExp(person.address_line!));

    const csv =
      'register_id,national_id,birth_date,sex,arrest_date,arrest_type,hospital,email,language\n' +
      `${erase},${person.national_id},1948-03-03,male,${ARREST},OHCA,OUS,,nb\n`;
    const report = await importSurvivors(db, Readable.from([csv]), { erasureKey: ERASURE_KEY });
    assert.deepEqual(report.problems, ["line 2: national_id: erased at the person's request"]);
    assert.equal(report.rejected, 1);
    assert.equal(
      await db.selectFrom('survivors').select('id').where('national_id', '=', person.national_id).executeTakeFirst(),
      undefined,
    );
  });
});

test('the safety net has nothing to do after every transition above', async () => {
  const before = await db.selectFrom('invitations').select(['id', 'state']).orderBy('id').execute();
  const swept = await db.transaction().execute((trx) => sweepStoppedInvitations(trx));
  assert.deepEqual(swept, []);
  assert.deepEqual(await db.selectFrom('invitations').select(['id', 'state']).orderBy('id').execute(), before);
  assert.equal(osloDay(new Date()).length, 10);
});

function total(facts: { count?: number }[]): number {
  return facts.reduce((sum, f) => sum + (f.count ?? 1), 0);
}
