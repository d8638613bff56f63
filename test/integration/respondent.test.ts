// Who answered: the page "Who is filling in this questionnaire?" between the start page
// and the first question, the proxy wording of EQ-5D-5L when someone answers on the person's
// behalf, the answer stored through the rules' owner, in the QuestionnaireResponse and in the
// exports; proxy variants of added instruments through `derivedFrom`. PGlite and PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { systemClock } from '../../src/clock.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { addInstrument, InstrumentRefused, listInstruments } from '../../src/instruments/store.ts';
import { checkInstrumentList } from '../../src/instruments/programme.ts';
import { instrumentsFor } from '../../src/instruments/proxy.ts';
import { eq5dInstrument } from '../../src/instruments/eq5d.ts';
import { exportResponsesCsv } from '../../src/reports/exports/responses.ts';
import { streamWideCsv, writeAnalysisExport } from '../../src/reports/exports/analysis.ts';
import { questionnaireResponse } from '../../src/reports/exports/fhir.ts';
import { countedResponses } from '../../src/reports/exports/rows.ts';
import { codebookCsv, rScript } from '../../src/reports/exports/label-scripts.ts';
import { analysisVariables } from '../../src/reports/exports/variables.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { csrfFrom, versionFrom } from '../support/browser-less.ts';
import { createInvitation } from '../support/survey-fixtures.ts';

let database: TestDatabase;
const views = createViews();
const instruments = loadInstruments();
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

function app() {
  return createApp({
    db: database.db,
    views,
    instruments,
    clock: systemClock,
    sessionSecret: 'respondent-test-secret-respondent-test-0123',
    secureCookies: false,
    redisAlive: () => Promise.resolve(true),
  });
}

const escape = (s: string) => s.replaceAll('’', '’').replaceAll("'", '&#x27;');

async function collect(write: (out: Writable) => Promise<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  await write(out);
  return Buffer.concat(chunks).toString('utf8');
}

test('a web walk answering "someone else, on my behalf" is asked the proxy wording on every EQ-5D page and ends in an exported row with respondent = proxy', async () => {
  const inv = await createInvitation(database.db);
  const agent = request.agent(app());
  await agent.get(`/s/${inv.token}`).expect(303);
  assert.equal((await agent.get('/s').expect(303)).headers.location, '/s/start');
  // The start page's Start button leads to the new page, not to the first question.
  const start = await agent.get('/s/start').expect(200);
  assert.match(start.text, /href="\/s\/who" role="button"/);
  const who = await agent.get('/s/who').expect(200);
  assert.match(who.text, /<legend><h1>Hvem fyller ut dette skjemaet\?<\/h1><\/legend>/);
  for (const value of ['self', 'assisted', 'proxy']) assert.match(who.text, new RegExp(`value="${value}"`));
  assert.equal(who.headers['cache-control'], 'no-store');
  const csrf = csrfFrom(who.text);

  // Required: nothing chosen (or something else) is a 400 with the error summary, and nothing is stored.
  for (const body of [{}, { respondent: 'neighbour' }]) {
    const missing = await agent
      .post('/s/who')
      .type('form')
      .send({ _csrf: csrf, ...body })
      .expect(400);
    assert.match(missing.text, /<title>Feil: /);
    assert.match(missing.text, /href="#respondent-1">Velg hvem som fyller ut skjemaet</);
  }
  const nothing = await database.db
    .selectFrom('answer_drafts')
    .select('answers')
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirst();
  assert.equal(nothing, undefined, 'nothing stored half-way');

  const chose = await agent.post('/s/who').type('form').send({ _csrf: csrf, respondent: 'proxy' }).expect(303);
  assert.equal(chose.headers.location, '/s/q/1');
  // Saved like a page answer: reopening the link resumes at the first question.
  assert.equal((await agent.get('/s').expect(303)).headers.location, '/s/q/1');

  const proxy = instruments.proxy.nb;
  for (let n = 1; n <= 5; n++) {
    const q = await agent.get(`/s/q/${n}`).expect(200);
    const dim = proxy.dimensions[n - 1]!;
    assert.ok(q.text.includes(escape(dim.heading)), `page ${n}: ${dim.heading}`);
    assert.ok(q.text.includes(escape(dim.question)), `page ${n}: proxy question`);
    assert.ok(!q.text.includes(escape(instruments.nb.dimensions[n - 1]!.question)), `page ${n}: not the self wording`);
    assert.ok(q.text.includes(escape(proxy.notice!)), `page ${n}: marked as preview`);
    await agent
      .post(`/s/q/${n}`)
      .type('form')
      .send({ _csrf: csrf, answer: String(n) })
      .expect(303);
  }
  const vas = await agent.get('/s/q/6').expect(200);
  assert.ok(vas.text.includes(escape(proxy.vas.heading)));
  await agent.post('/s/q/6').type('form').send({ _csrf: csrf, answer: '45' }).expect(303);

  // The check page lists who is filling in, with a link to change it.
  const check = await agent.get('/s/check').expect(200);
  assert.match(check.text, /id="row-respondent"/);
  assert.match(check.text, /<dd>Noen andre, på vegne av personen/);
  assert.match(check.text, /href="\/s\/who\?return(=|&#x3D;)check"/);
  // Changing it from the check page returns there.
  const change = await agent.get('/s/who?return=check').expect(200);
  assert.match(change.text, /value="proxy" checked/);
  assert.match(change.text, /name="return" value="check"/);
  await agent
    .post('/s/who')
    .type('form')
    .send({ _csrf: csrf, respondent: 'self', return: 'check' })
    .expect(303)
    .expect('Location', '/s/check');
  assert.match(
    (await agent.get('/s/q/1').expect(200)).text,
    new RegExp(escape(instruments.nb.dimensions[0]!.question)),
  );
  await agent.post('/s/who').type('form').send({ _csrf: csrf, respondent: 'proxy', return: 'check' }).expect(303);

  const shown = await agent.get('/s/check').expect(200);
  await agent
    .post('/s/submit')
    .type('form')
    .send({ _csrf: csrf, version: versionFrom(shown.text) })
    .expect(303)
    .expect('Location', '/s/done');

  const row = await database.db
    .selectFrom('responses')
    .select(['id', 'respondent', 'questionnaire_responses', 'questionnaires'])
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirstOrThrow();
  assert.equal(row.respondent, 'proxy');
  // The QuestionnaireResponse names the proxy version and says who answered.
  assert.deepEqual(row.questionnaires, ['urn:prom-survey:questionnaire:eq5d5l-evas-proxy|1']);
  const qr = row.questionnaire_responses![0] as { extension: unknown[] };
  assert.deepEqual(qr.extension, [{ url: 'urn:prom-survey:extension:respondent', valueCode: 'proxy' }]);

  // The register's export: `respondent` after today's fixed columns.
  const csv = parse<Record<string, string>>(await collect((out) => exportResponsesCsv(database.db, out)), {
    columns: true,
  });
  const exported = csv.find((r) => r.response_id === row.id)!;
  assert.equal(exported.respondent, 'proxy');
  assert.deepEqual(Object.keys(exported).slice(-2), ['completed_at', 'respondent']);

  // The analysis export's wide file, codebook and label scripts.
  const vars = analysisVariables('NO-2024');
  const wide = parse<Record<string, string>>(
    (
      await collect((out) =>
        streamWideCsv(database.db, out, { valueSet: 'NO-2024', exportKey: 'k', pseudonymKey: 'secret' }),
      )
    ).replace(/^\ufeff/, ''),
    { columns: true },
  );
  assert.ok(wide.some((r) => r.respondent === 'proxy'));
  assert.equal(Object.keys(wide[0]!).at(-1), 'respondent');
  // The long file: `respondent` after its fixed columns, before item and value, on each of the six rows.
  const dir = mkdtempSync(path.join(tmpdir(), 'prom-respondent-long-'));
  try {
    await writeAnalysisExport(database.db, dir, {
      format: 'long',
      valueSet: 'NO-2024',
      exportKey: 'k',
      pseudonymKey: 'secret',
      instrument: instruments.nb,
    });
    const long = parse<Record<string, string>>(readFileSync(path.join(dir, 'responses-long.csv'), 'utf8'), {
      columns: true,
    });
    assert.deepEqual(Object.keys(long[0]!), ['pid', 'rid', 'arrest_type', 'respondent', 'item', 'value']);
    const proxyRows = long.filter((r) => r.rid === wide.find((w) => w.respondent === 'proxy')!.rid);
    assert.deepEqual(
      proxyRows.map((r) => r.respondent),
      ['proxy', 'proxy', 'proxy', 'proxy', 'proxy', 'proxy'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.match(codebookCsv(vars), /respondent,/);
  assert.match(codebookCsv(vars), /proxy/);
  assert.match(rScript(vars), /Someone else, on the person's behalf/);
  // The FHIR export's EQ-5D-5L QuestionnaireResponse says it too.
  const flat = await countedResponses(database.db).where('r.id', '=', row.id).executeTakeFirstOrThrow();
  const fhir = questionnaireResponse(flat, { valueSet: 'NO-2024', pseudonym: () => 'p' }, instruments.nb);
  assert.deepEqual(fhir.extension, [{ url: 'urn:prom-survey:extension:respondent', valueCode: 'proxy' }]);
});

test('an answer given without the new page (a draft begun before it existed) is stored with respondent not recorded', async () => {
  const inv = await createInvitation(database.db, { language: 'en' });
  const agent = request.agent(app());
  await agent.get(`/s/${inv.token}`).expect(303);
  const first = await agent.get('/s/q/1').expect(200);
  assert.ok(first.text.includes(escape(instruments.en.dimensions[0]!.question)), 'the self wording');
  const csrf = csrfFrom(first.text);
  for (let n = 1; n <= 6; n++)
    await agent
      .post(`/s/q/${n}`)
      .type('form')
      .send({ _csrf: csrf, answer: n === 6 ? '80' : '1' })
      .expect(303);
  const check = await agent.get('/s/check').expect(200);
  assert.match(check.text, /Who is filling in/);
  await agent
    .post('/s/submit')
    .type('form')
    .send({ _csrf: csrf, version: versionFrom(check.text) })
    .expect(303);
  const row = await database.db
    .selectFrom('responses')
    .select('respondent')
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirstOrThrow();
  assert.equal(row.respondent, null);
});

test('prom instruments add: a Questionnaire whose derivedFrom names an installed instrument with the same linkIds is its proxy variant', async () => {
  const example = JSON.parse(
    readFileSync(new URL('../../instruments/followup-example/questionnaire.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown> & { item: { linkId: string; text: string }[] };
  const self = await addInstrument(database.db, example, 'test');
  const proxyResource = {
    ...example,
    id: 'followup-example-proxy',
    url: 'urn:prom-survey:questionnaire:followup-example-proxy',
    derivedFrom: ['urn:prom-survey:questionnaire:followup-example'],
    item: example.item.map((i) => ({ ...i, text: `${i.text} (proxy)` })),
  };
  const refused = async (resource: unknown, message: RegExp) =>
    assert.rejects(addInstrument(database.db, resource, 'test'), (e: unknown) => {
      assert.ok(e instanceof InstrumentRefused);
      assert.match(e.message, message);
      return true;
    });
  await refused(
    { ...proxyResource, derivedFrom: ['urn:unknown'] },
    /derivedFrom names urn:unknown, which is not an installed instrument/,
  );
  await refused(
    { ...proxyResource, item: proxyResource.item.slice(0, -1) },
    /same linkIds as followup-example; missing: recovery/,
  );
  await refused(
    { ...proxyResource, derivedFrom: ['urn:prom-survey:questionnaire:eq5d5l-evas'] },
    /INSTRUMENT_DIR\/proxy/,
  );
  await addInstrument(database.db, proxyResource, 'test');
  const stored = await database.db
    .selectFrom('instruments')
    .select('proxy_of')
    .where('id', '=', 'followup-example-proxy')
    .executeTakeFirstOrThrow();
  assert.equal(stored.proxy_of, 'urn:prom-survey:questionnaire:followup-example|1');
  const listed = (await listInstruments(database.db, instruments)).find((i) => i.id === 'followup-example-proxy');
  assert.equal(listed?.proxyOf, 'urn:prom-survey:questionnaire:followup-example|1');
  // A proxy variant is never listed in a programme on its own: the instrument itself is.
  await assert.rejects(
    checkInstrumentList(database.db, instruments, ['eq5d5l', 'followup-example-proxy']),
    (e: unknown) => {
      assert.ok(e instanceof InstrumentRefused);
      assert.match(
        e.message,
        /followup-example-proxy is a proxy variant \(of urn:prom-survey:questionnaire:followup-example\)/,
      );
      return true;
    },
  );

  const list = [eq5dInstrument(instruments), self.instrument];
  assert.deepEqual(
    (await instrumentsFor(database.db, instruments, list, 'assisted')).map((i) => i.id),
    ['eq5d5l', 'followup-example'],
  );
  const asProxy = await instrumentsFor(database.db, instruments, list, 'proxy');
  assert.deepEqual(
    asProxy.map((i) => i.url),
    ['urn:prom-survey:questionnaire:eq5d5l-evas-proxy', 'urn:prom-survey:questionnaire:followup-example-proxy'],
  );
  assert.match(asProxy[1]!.pages[0]!.items[0]!.text.nb, /\(proxy\)$/);
});
