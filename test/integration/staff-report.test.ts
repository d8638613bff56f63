// The analysts' comparison page in the staff area: who may see it, filters checked against
// lists, the chart and its table, and an audit row per view.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createDemo } from '../../src/reports/demo.ts';
import { createWorld, type World } from '../support/world.ts';
import { createStaff, signIn, type TestStaff } from '../support/staff.ts';
import { compareCells, parseLongCsv } from '../support/report-cells.ts';

let world: World;
let analyst: TestStaff;
let registrar: TestStaff;
let downloader: TestStaff;
let tables: TestStaff;
let steer: TestStaff;
const SECRET = 'test-secret-test-secret-test-secret-0123';

before(async () => {
  world = await createWorld();
  await createDemo(world.database.db, { survivors: 150, seed: 5, today: '2026-06-01' });
  analyst = await createStaff(world.database.db, SECRET, { email: 'analyst@register.test', role: 'analyst' });
  registrar = await createStaff(world.database.db, SECRET, {
    email: 'reg@register.test',
    role: 'registrar',
    hospitals: ['DEMO-OUS'],
  });
  downloader = await createStaff(world.database.db, SECRET, { email: 'analyst2@register.test', role: 'analyst' });
  tables = await createStaff(world.database.db, SECRET, { email: 'analyst3@register.test', role: 'analyst' });
  steer = await createStaff(world.database.db, SECRET, { email: 'analyst4@register.test', role: 'analyst' });
});
after(async () => {
  await world?.close();
});

test('analysts see the comparison with its chart, table, sources and what is missing; each view is audited', async () => {
  const app = world.app();
  const { agent } = await signIn(app, analyst);
  const page = await agent.get('/staff/report').expect(200);
  assert.match(page.text, /<h1>Helse etter hjertestans sammenlignet med befolkningen<\/h1>/);
  assert.match(page.text, /<svg[^>]+role="img"/);
  assert.match(page.text, /EQ VAS i ti grupper/);
  assert.match(page.text, /Dette kan ikke sammenlignes ennå/);
  assert.doesNotMatch(page.text, / style="/, 'no inline styles (CSP style-src self)');
  const filtered = await agent.get('/staff/report?year=2025&hospital=DEMO-OUS&type=OHCA').expect(200);
  assert.match(filtered.text, /Utvalg: 2025, DEMO-OUS, OHCA, alle som svarte\./);
  const proxy = await agent.get('/staff/report?respondent=proxy').expect(200);
  assert.match(proxy.text, /Utvalg: alle år, alle sykehus, OHCA og IHCA, svart av noen andre på vegne av personen\./);
  assert.match(proxy.text, /<option value="proxy" selected>/);
  assert.match(proxy.text, /href="\/staff\/report.csv\?respondent&#x3D;proxy"/, 'the CSV keeps the filter');
  const csv = await agent.get('/staff/report.csv?respondent=proxy&table=sizes').expect(200);
  assert.match(csv.text, /^\uFEFF?group,measure,category,value,n,suppressed\n/);
  assert.match(csv.text, /\nOHCA,proxy_answers,,/);
  const views = await world.database.db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'view')
    .where('entity', '=', 'comparison-report')
    .execute();
  assert.equal(views.length, 3);
  assert.ok(views.some((v) => (v.details as { respondent?: string }).respondent === 'proxy'));
});

test('bad filters get 400 with an error summary; registrars get 403; no session gets 303', async () => {
  const app = world.app();
  const { agent } = await signIn(app, analyst);
  const bad = await agent.get('/staff/report?year=abc').expect(400);
  assert.match(bad.text, /<title>Feil: /);
  assert.match(bad.text, /Velg år, sykehus, type og hvem som svarte fra listene/);
  await agent.get('/staff/report?respondent=relative').expect(400);
  const unknown = await agent.get('/staff/report?hospital=NOT-A-HOSPITAL').expect(400);
  assert.match(unknown.text, /Sykehuset «NOT-A-HOSPITAL» finnes ikke i registeret/);
  await agent.get('/staff/report.csv?hospital=NOT-A-HOSPITAL').expect(400);
  const reg = await signIn(app, registrar);
  await reg.agent.get('/staff/report').expect(403);
  await request(app).get('/staff/report').expect(303).expect('Location', '/staff/login');
});

test('the analysts’ download is the pseudonymous wide export, streamed, without identifiers', async () => {
  const { agent } = await signIn(world.app(), downloader);
  const res = await agent
    .get('/staff/export/responses.csv')
    .buffer(true)
    .parse((r, cb) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString('utf8')));
      r.on('end', () => cb(null, text));
    })
    .expect(200);
  const text = res.body as string;
  assert.match(res.headers['content-disposition'] ?? '', /attachment; filename="svar-pseudonymisert.csv"/);
  assert.ok(text.startsWith('\ufeffpid,rid,arrest_type,hospital,'));
  const counted = await world.database.db
    .selectFrom('responses')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('counted', '=', true)
    .executeTakeFirstOrThrow();
  assert.equal(text.trim().split('\n').length - 1, Number(counted.n));
  const ids = await world.database.db.selectFrom('survivors').select(['register_id', 'national_id']).execute();
  for (const p of ids) assert.ok(!text.includes(p.register_id) && !text.includes(p.national_id));
});

test('each table has a CSV download; the page and its CSV agree cell for cell; downloads are audited', async () => {
  const { agent } = await signIn(world.app(), tables);
  for (const query of ['', '?year=2025', '?hospital=DEMO-OUS', '?year=2025&hospital=DEMO-HUS&type=IHCA']) {
    const page = await agent.get(`/staff/report${query}`).expect(200);
    const csv = await agent
      .get(`/staff/report.csv${query}`)
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    const rows = parseLongCsv(csv.text);
    assert.ok(rows.length > 50, query);
    assert.deepEqual(compareCells(page.text, rows), [], query);
    for (const table of ['sizes', 'vas', 'means', 'dimensions']) {
      const href = `/staff/report.csv${query ? `${query}&` : '?'}table=${table}`;
      assert.ok(
        page.text
          .replace(/&#x3D;/g, '=')
          .replace(/&amp;/g, '&')
          .includes(`href="${href}"`),
        `${query}: download of ${table}`,
      );
    }
  }
  const vas = parseLongCsv((await agent.get('/staff/report.csv?table=vas').expect(200)).text);
  assert.ok(vas.length > 0 && vas.every((r) => r.measure === 'vas_group_share'));
  const exports = await world.database.db
    .selectFrom('audit_log')
    .select('details')
    .where('action', '=', 'export')
    .where('entity', '=', 'comparison-report')
    .execute();
  // The first test's download by who answered is one more.
  assert.equal(exports.filter((e) => !(e.details as { respondent?: string }).respondent).length, 5);
});

test('analysts choose the norm set and value set on the page; unknown ones are named; an empty selection says so', async () => {
  const { agent } = await signIn(world.app(), steer);
  const page = await agent.get('/staff/report?norms=DEMO&valueSet=NO-2024').expect(200);
  assert.match(page.text, /<option value="DEMO" selected>DEMO<\/option>/);
  assert.match(page.text, /Normdata: SYNTHETIC demo norms/);
  // The chart puts each group beside its own standardised norm (labelled), not the crude norm.
  assert.match(page.text, /<text x="22" y="13">Norm standardisert til OHCA<\/text>/);
  assert.doesNotMatch(page.text, /<text x="22" y="13">Normbefolkningen/);
  assert.match(page.text, /Normbefolkningen \(ujustert\) er hele normutvalget/);
  const csv = parseLongCsv((await agent.get('/staff/report.csv?norms=DEMO').expect(200)).text);
  assert.ok(csv.some((r) => r.group === 'norm_std_OHCA' && r.measure === 'vas_mean' && r.value !== ''));
  assert.deepEqual(
    compareCells(
      page.text,
      parseLongCsv((await agent.get('/staff/report.csv?norms=DEMO&valueSet=NO-2024').expect(200)).text),
    ),
    [],
  );
  const en = await agent.get('/staff/report?valueSet=EN-2018').expect(200);
  assert.match(en.text, /EQ-5D-indeks \(EN-2018\)/);
  const badNorms = await agent.get('/staff/report?norms=NOPE').expect(400);
  assert.match(badNorms.text, /Normdatasettet «NOPE» finnes ikke/);
  const badSet = await agent.get('/staff/report?valueSet=XX-1999').expect(400);
  assert.match(badSet.text, /Verdisettet «XX-1999» finnes ikke/);
  const empty = await agent.get('/staff/report?year=2001').expect(200);
  assert.match(empty.text, /Ingen hjertestanser i registeret passer til dette utvalget/);
  const full = await agent.get('/staff/report').expect(200);
  assert.doesNotMatch(full.text, /Ingen hjertestanser i registeret passer/);
});

test('the norm’s own intervals are on the page and in its CSV; without SD the page says why; a faulty stored set is named and not used', async () => {
  const db = world.database.db;
  const { checkStoredNormSets, listNormSets, loadNormSet, saveNormSet } =
    await import('../../src/reports/norms/store.ts');
  const demo = (await loadNormSet(db, 'DEMO'))!;
  // A valid set whose strata state no SD: the norm's means are shown without an interval.
  await saveNormSet(db, {
    ...demo,
    id: 'DEMO-NOSD',
    strata: demo.strata.map((s) => ({ ...s, vas: { ...s.vas, sd: null }, index: { ...s.index, sd: null } })),
  });
  // A set stored before today's checks: the same stratum twice (the first would silently win).
  await db
    .insertInto('norm_sets')
    .values({
      id: 'OLD-DUP',
      version: 'old',
      data: JSON.stringify({ ...demo, id: 'OLD-DUP', strata: [...demo.strata, demo.strata[3]!] }),
    })
    .execute();
  const viewer = await createStaff(db, SECRET, { email: 'analyst5@register.test', role: 'analyst' });
  const { agent } = await signIn(world.app(), viewer);

  const page = await agent.get('/staff/report?norms=DEMO').expect(200);
  const csv = parseLongCsv((await agent.get('/staff/report.csv?norms=DEMO').expect(200)).text);
  assert.deepEqual(compareCells(page.text, csv), []);
  const value = (group: string, measure: string, category = '') =>
    csv.find((r) => r.group === group && r.measure === measure && r.category === category)!.value;
  for (const group of ['norm', 'norm_std_OHCA'])
    assert.ok(
      Number(value(group, 'vas_ci_low')) < Number(value(group, 'vas_mean')) &&
        Number(value(group, 'vas_mean')) < Number(value(group, 'vas_ci_high')),
      `${group}: ${value(group, 'vas_ci_low')} < ${value(group, 'vas_mean')} < ${value(group, 'vas_ci_high')}`,
    );
  assert.ok(Number(value('norm', 'index_ci_high')) <= 1);
  assert.notEqual(
    value('norm', 'vas_group_share_ci_low', '90-100'),
    '',
    'the crude norm’s shares have Wilson intervals',
  );
  assert.match(page.text, /Normens egne intervaller/);
  assert.doesNotMatch(page.text, /uten intervall/);

  const noSd = await agent.get('/staff/report?norms=DEMO-NOSD').expect(200);
  const noSdCsv = parseLongCsv((await agent.get('/staff/report.csv?norms=DEMO-NOSD').expect(200)).text);
  assert.deepEqual(compareCells(noSd.text, noSdCsv), []);
  assert.equal(noSdCsv.find((r) => r.group === 'norm_std_OHCA' && r.measure === 'vas_ci_low')!.value, '');
  assert.notEqual(noSdCsv.find((r) => r.group === 'norm_std_OHCA' && r.measure === 'vas_mean')!.value, '');
  assert.match(noSd.text, /\(uten intervall\)/);
  assert.match(noSd.text, /oppgir ikke normfila standardavvik \(SD\) og antall \(n\)/);

  const faulty = await agent.get('/staff/report?norms=OLD-DUP').expect(400);
  const said = faulty.text.match(/Normdatasettet «OLD-DUP» \(versjon old\) brukes ikke[^<]*/g) ?? [];
  assert.equal(said.length, 1, 'the set and its fault are said once');
  assert.match(said[0], /appears more than once/);
  await agent.get('/staff/report.csv?norms=OLD-DUP').expect(400);

  // What `prom norms check` and `prom norms list` read (the command itself: norms-import.test.ts).
  const checked = await checkStoredNormSets(db);
  const oldDup = checked.find((c) => c.id === 'OLD-DUP')!;
  assert.deepEqual([oldDup.version, oldDup.newest], ['old', true]);
  assert.match(oldDup.faults.join('\n'), /stratum \S+ appears more than once/);
  assert.deepEqual(checked.find((c) => c.id === 'DEMO-NOSD')!.faults, []);
  const listed = await listNormSets(db);
  assert.match(listed.find((n) => n.id === 'OLD-DUP')!.faults.join('\n'), /appears more than once/);
  assert.deepEqual(listed.find((n) => n.id === 'DEMO-NOSD')!.faults, []);
});
