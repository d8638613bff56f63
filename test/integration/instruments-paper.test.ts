// The example instrument on paper: a letter of a programme that asks eq5d5l and
// followup-example carries every item's text (pdftotext), and a returned form keyed twice, with
// a mismatch resolved, ends in one exported row with the EQ-5D and the example's answers. Runs
// on PGlite and on PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { addDays, fixedClock, osloDay, parseNow } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { confirmBatch, letterCodeKey, makeBatch, type BatchDeps } from '../../src/paper/batch.ts';
import { exportResponsesCsv } from '../../src/reports/exports/responses.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createViews } from '../../src/i18n/views.ts';
import { csrfFrom } from '../support/browser-less.ts';
import { syntheticNationalId } from '../support/people.ts';
import { createStaff, signIn, type Agent, type TestStaff } from '../support/staff.ts';
import { createWorld, PUBLIC_URL, TEST_SESSION_SECRET, type World } from '../support/world.ts';
import { useExampleProgramme } from '../support/instruments.ts';

const TODAY = osloDay(new Date());
const ARREST = addDays(TODAY, -120);
const DAY90 = addDays(ARREST, 90);
const RECEIVED = addDays(TODAY, -2);
const texts = loadInstruments();
let world: World;
let db: Db;
let deps: BatchDeps;
let a: TestStaff;
let b: TestStaff;

before(async () => {
  world = await createWorld();
  db = world.database.db;
  deps = {
    db,
    views: createViews(),
    instruments: texts,
    publicUrl: PUBLIC_URL,
    codeKey: letterCodeKey(TEST_SESSION_SECRET),
  };
  a = await createStaff(db, TEST_SESSION_SECRET, { email: 'ia@register.test', role: 'registrar', hospitals: ['OUS'] });
  b = await createStaff(db, TEST_SESSION_SECRET, { email: 'ib@register.test', role: 'registrar', hospitals: ['OUS'] });
  await useExampleProgramme(db, texts);
});
after(async () => {
  await world?.close();
});

async function paperPerson(n: number): Promise<void> {
  const s = await db
    .insertInto('survivors')
    .values({
      register_id: `IP${n}`,
      national_id: syntheticNationalId(8100 + n),
      birth_date: '1950-01-01',
      sex: 'male',
      given_name: 'Ola',
      family_name: 'Nordmann',
      address_line: 'Storgata 1',
      postal_code: '0155',
      city: 'OSLO',
      language: 'nb',
      channel_rule: 'paper-only',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('arrest_events')
    .values({ survivor_id: s.id, arrest_date: ARREST, arrest_type: 'OHCA', hospital: 'OUS' })
    .execute();
}

async function enter(who: TestStaff, agent: Agent, letterId: number, values: Record<string, string>) {
  const page = await agent.get(`/staff/paper/letters/${letterId}`).expect(200);
  return agent
    .post(`/staff/paper/letters/${letterId}/entries`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), ...values });
}

test('the letter holds every item, the entry form one field per item; double entry with a resolved mismatch ends in an exported row', async () => {
  await paperPerson(1);
  const clock = fixedClock(parseNow(DAY90)!);
  await runSchedulingPass(db, undefined, clock);
  const batch = await makeBatch(deps, clock, mkdtempSync(path.join(tmpdir(), 'prom-ipaper-')), 'test');
  assert.equal(batch.files?.letters, 1);
  const text = execFileSync('pdftotext', ['-layout', batch.files.pdfFile, '-'], { encoding: 'utf8' }).replace(
    /\s+/g,
    ' ',
  );
  for (const expected of [
    'Mobilitet (gange)',
    'Helsen din i dag',
    '7. Trenger du hjelp fra andre til daglige gjøremål?',
    'Ja, hver dag',
    '8. Hvem hjelper deg?',
    'Hjemmetjenesten eller annen helsetjeneste',
    '9. Hvor godt føler du at du har kommet deg etter hjertestansen',
    'Du kan bruke desimalkomma',
    'Side 5 av 5',
  ])
    assert.ok(text.includes(expected), `the letter holds "${expected}"`);
  const pdfPages = execFileSync('pdfinfo', [batch.files.pdfFile], { encoding: 'utf8' });
  assert.match(pdfPages, /Pages:\s+5\n/);
  await confirmBatch(db, batch.batchId!, 'test', parseNow(DAY90)!);
  const letter = await db.selectFrom('letters').select(['id', 'invitation_id']).executeTakeFirstOrThrow();

  const app = world.app();
  const agentA = (await signIn(app, a)).agent;
  const agentB = (await signIn(app, b)).agent;
  const form = await agentA.get(`/staff/paper/letters/${letter.id}`).expect(200);
  for (const field of ['help_needed', 'help_from', 'recovery'])
    assert.match(form.text, new RegExp(`id="${field}" name="${field}"`), `one field for ${field}`);

  const eq5d = {
    mobility: '2',
    self_care: '1',
    usual_activities: '3',
    pain_discomfort: '2',
    anxiety_depression: '1',
    vas: '65',
    received_on: RECEIVED,
  };
  // A choice keyed outside its options is refused with the field named; nothing is stored.
  const bad = await enter(a, agentA, letter.id, { ...eq5d, help_needed: '7', help_from: '1', recovery: '7,5' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /Trenger du hjelp fra andre til daglige gjøremål\?: Skriv svaralternativets nummer/);
  assert.equal((await db.selectFrom('paper_entries').select('id').execute()).length, 0);

  const first = await enter(a, agentA, letter.id, { ...eq5d, help_needed: '3', help_from: '1', recovery: '7,5' });
  assert.equal(first.status, 303);
  const second = await enter(b, agentB, letter.id, { ...eq5d, help_needed: '3', help_from: '1', recovery: '8' });
  assert.equal(second.status, 303);
  const resolvePage = await agentA.get(`/staff/paper/letters/${letter.id}`).expect(200);
  assert.match(resolvePage.text, /Hvor godt føler du/);
  await agentA
    .post(`/staff/paper/letters/${letter.id}/resolve`)
    .type('form')
    .send({ _csrf: csrfFrom(resolvePage.text), recovery: '1' })
    .expect(303);

  const response = await db
    .selectFrom('responses')
    .select(['id', 'items', 'mode', 'counted', 'questionnaires', 'mobility', 'vas'])
    .where('letter_id', '=', letter.id)
    .executeTakeFirstOrThrow();
  assert.deepEqual(response.items, { help_needed: 'daily', help_from: 'family', recovery: 7.5 });
  assert.deepEqual([response.mode, response.counted, response.mobility, response.vas], ['paper', true, 2, 65]);
  assert.equal(response.questionnaires?.length, 2);

  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportResponsesCsv(db, out, texts);
  const rows = parse<Record<string, string>>(Buffer.concat(chunks).toString('utf8'), { columns: true });
  const row = rows.find((r) => r.response_id === response.id)!;
  assert.deepEqual(
    [row.mobility, row.usual_activities, row.vas, row.mode, row.help_needed, row.help_from, row.recovery],
    ['2', '3', '65', 'paper', 'daily', 'family', '7.5'],
  );
});
