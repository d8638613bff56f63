// Markup in register data is shown as text, never run: survivors imported with names, address and
// city full of <script>, an attribute break-out ("><img onerror>), a template expression
// ({{7*7}}) and an entity (&amp;), at a hospital whose name (hospital table) and whose code
// (arrest record, registrar scope) are hostile too. Proves that
//  - every staff page that shows them (dashboard and its hospital breakdown, worklists, search,
//    survivor detail, withdrawal error page, paper entry and lists, print batches, hospitals admin,
//    report filter) and every page that echoes what was typed (short code, login, paper find,
//    audit filter) carries the HTML-escaped text and never the raw tag;
//  - the invitation e-mail escapes the name in its HTML part and keeps it literal in the text
//    part (no entities), as received by an SMTP server;
//  - the print batch's PDF and manifest carry the name and address literally as text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Handlebars from 'handlebars';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { osloDay, systemClock } from '../../src/clock.ts';
import { importSurvivors } from '../../src/cohort/import.ts';
import type { Db } from '../../src/db/database.ts';
import { letterCodeKey, makeBatch } from '../../src/paper/batch.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createViews } from '../../src/i18n/views.ts';
import { passAndDeliver } from '../support/lifecycle.ts';
import { person } from '../support/people.ts';
import { appFor, Browser, quickStaff, signInAs } from '../support/security.ts';
import { writeTestHospitals } from '../support/staff-cohort.ts';
import { createWorld, PUBLIC_URL, TEST_SESSION_SECRET, type World } from '../support/world.ts';
import { csrfFrom } from '../support/browser-less.ts';

const SCRIPT = '<script>alert(1)</script>';
const ATTR = '"><img src=x onerror=alert(1)>';
const TEMPLATE = '{{7*7}}';
const ENTITY = '&amp;';
const hostile = (label: string) => `${label} ${SCRIPT} ${ATTR} ${TEMPLATE} ${ENTITY}`;

/** A hospital code only the register's import lets through (30 characters, a break-out). */
const CODE = ATTR;
const HOSPITAL_NAME = hostile('Sykehus');
const EMAIL_PERSON = {
  given_name: hostile('Ola'),
  family_name: hostile('Nordmann'),
  address_line: hostile('Gate 1'),
  city: hostile('Oslo'),
};
const PAPER_PERSON = {
  given_name: hostile('Kari'),
  family_name: hostile('Papir'),
  address_line: hostile('Vei 2'),
  city: hostile('Bergen'),
};

let world: World;
let db: Db;
let app: ReturnType<typeof appFor>;
const ids = { emailSurvivor: 0, paperSurvivor: 0, letter: 0, batch: 0 };
const signedIn = {} as Record<'admin' | 'analyst' | 'registrar', { b: Browser; csrf: string }>;
let pdfText = '';
let manifest: Record<string, string>[] = [];

before(async () => {
  world = await createWorld();
  db = world.database.db;
  app = appFor(world);
  await writeTestHospitals(db);
  const staff = {
    admin: await quickStaff(db, { email: 'admin@escape.test', role: 'admin' }),
    analyst: await quickStaff(db, { email: 'analyst@escape.test', role: 'analyst' }),
    registrar: await quickStaff(db, { email: 'registrar@escape.test', role: 'registrar', hospitals: ['XSS', CODE] }),
  };
  await Promise.all(
    (['admin', 'analyst', 'registrar'] as const).map(async (role) => {
      const b = new Browser(app);
      signedIn[role] = { b, csrf: await signInAs(b, staff[role]) };
    }),
  );
  // The hospital name arrives through the admin form, as it would in use.
  const added = await signedIn.admin.b.post('/staff/hospitals', {
    _csrf: signedIn.admin.csrf,
    code: 'XSS',
    name: HOSPITAL_NAME,
    health_trust: hostile('HF'),
    region: hostile('Helse'),
  });
  assert.equal(added.status, 303, added.text);

  // The survivors arrive through the CSV import (quoted properly: the values hold quotes).
  const rows = [
    {
      ...person(1, { register_id: 'X1', hospital: 'XSS', email: 'x1@escape.test' }),
      ...EMAIL_PERSON,
      postal_code: '0150',
    },
    { ...person(2, { register_id: 'X2', hospital: CODE, email: '' }), ...PAPER_PERSON, postal_code: '5003' },
  ];
  const report = await importSurvivors(db, Readable.from([stringify(rows, { header: true })]));
  assert.deepEqual(report.problems, []);
  assert.equal(report.inserted, 2);
  const survivorId = async (registerId: string) =>
    (await db.selectFrom('survivors').select('id').where('register_id', '=', registerId).executeTakeFirstOrThrow()).id;
  ids.emailSurvivor = await survivorId('X1');
  ids.paperSurvivor = await survivorId('X2');

  // A pass and a delivery: X1 gets the e-mail, X2's letter becomes due for print.
  const { outcomes } = await passAndDeliver(db, world.deps, systemClock);
  assert.deepEqual([...outcomes.values()], ['sent']);
  await world.smtp.waitFor(1);

  const dir = mkdtempSync(path.join(tmpdir(), 'prom-escape-letters-'));
  const batch = await makeBatch(
    {
      db,
      views: createViews(),
      instruments: loadInstruments(),
      publicUrl: PUBLIC_URL,
      codeKey: letterCodeKey(TEST_SESSION_SECRET),
    },
    systemClock,
    dir,
    'test',
  );
  assert.equal(batch.files?.letters, 1);
  ids.batch = batch.batchId!;
  ids.letter = (
    await db.selectFrom('letters').select('id').where('batch_id', '=', ids.batch).executeTakeFirstOrThrow()
  ).id;
  pdfText = execFileSync('pdftotext', ['-enc', 'UTF-8', batch.files.pdfFile, '-'], { encoding: 'utf8' });
  manifest = parse<Record<string, string>>(readFileSync(batch.files.manifestFile, 'utf8'), { columns: true });

  // X1's e-mail "may not have arrived" (a worklist); X2's letter has a first entry (paper worklist).
  await db
    .updateTable('outbox')
    .set({ state: 'unknown' })
    .where('state', '=', 'sent')
    .where('channel', '=', 'email')
    .execute();
  const entry = await signedIn.registrar.b.post(`/staff/paper/letters/${ids.letter}/entries`, {
    _csrf: signedIn.registrar.csrf,
    mobility: '1',
    self_care: '1',
    usual_activities: '1',
    pain_discomfort: '1',
    anxiety_depression: '1',
    vas: '50',
    vas_code: '',
    received_on: osloDay(new Date()),
  });
  assert.equal(entry.status, 303, entry.text.slice(0, 300));
});
after(async () => {
  await world?.close();
});

const escaped = (s: string) => Handlebars.escapeExpression(s);

/** The page never carries a live tag from the data, and shows each value in its escaped form. */
function assertEscaped(html: string, where: string, shown: string[]) {
  assert.ok(!html.includes(SCRIPT), `${where}: a raw <script> tag`);
  assert.doesNotMatch(html, /<img[^>]*onerror/i, `${where}: a raw <img onerror>`);
  assert.doesNotMatch(html, /="[^"]*"><img/, `${where}: an attribute broken out of`);
  for (const value of shown) {
    assert.ok(html.includes(escaped(value)), `${where}: "${value}" not shown escaped`);
  }
  if (shown.some((s) => s.includes(TEMPLATE)))
    assert.ok(html.includes(TEMPLATE), `${where}: {{7*7}} was not left as text`);
  if (shown.some((s) => s.includes(ENTITY)))
    assert.ok(html.includes('&amp;amp;'), `${where}: &amp; was not escaped as text`);
}

async function page(who: keyof typeof signedIn, url: string, status = 200): Promise<string> {
  const res = await signedIn[who].b.get(url);
  assert.equal(res.status, status, `${who} ${url}: ${res.text.slice(0, 300)}`);
  return res.text;
}

const fullName = (p: typeof EMAIL_PERSON) => `${p.given_name} ${p.family_name}`;

test('registrar pages: worklists, search, survivor detail, withdrawal error, paper entry and lists', async () => {
  const { b, csrf } = signedIn.registrar;
  // The layout's header names the registrar's hospitals, the hostile code among them.
  assertEscaped(await page('registrar', '/staff'), 'dashboard', [CODE]);
  assertEscaped(await page('registrar', '/staff?by=hospital'), 'dashboard by hospital', [CODE, HOSPITAL_NAME]);
  assertEscaped(await page('registrar', '/staff/worklists'), 'worklists', [fullName(EMAIL_PERSON), CODE]);
  assertEscaped(await page('registrar', '/staff/survivors'), 'search page', [CODE]);
  const found = await b.post('/staff/survivors/search', { _csrf: csrf, q: 'script' });
  assert.equal(found.status, 200);
  assertEscaped(found.text, 'search results', [fullName(EMAIL_PERSON), fullName(PAPER_PERSON)]);
  for (const [id, p, hospital] of [
    [ids.emailSurvivor, EMAIL_PERSON, HOSPITAL_NAME],
    [ids.paperSurvivor, PAPER_PERSON, CODE],
  ] as const) {
    const detail = await page('registrar', `/staff/survivors/${id}`);
    assertEscaped(detail, `survivor ${id}`, [fullName(p), p.address_line, p.city, hospital]);
    assert.ok(detail.includes(`<title>${escaped(fullName(p))}`), 'the name in the title is escaped too');
    const refused = await b.post(`/staff/survivors/${id}/withdraw`, { _csrf: csrf });
    assert.equal(refused.status, 400);
    assertEscaped(refused.text, `withdrawal error ${id}`, [fullName(p)]);
  }
  assertEscaped(await page('registrar', '/staff/paper'), 'paper worklists', [CODE]);
  assertEscaped(await page('registrar', `/staff/paper/letters/${ids.letter}`), 'paper letter', [
    fullName(PAPER_PERSON),
    CODE,
  ]);
  assertEscaped(await page('registrar', '/staff/paper/batches'), 'print batches', []);
});

test('admin and analyst pages: hospitals, hospital breakdowns, report filter, letters', async () => {
  assertEscaped(await page('admin', '/staff/hospitals'), 'hospitals', [
    HOSPITAL_NAME,
    hostile('HF'),
    hostile('Helse'),
    CODE,
  ]);
  assertEscaped(await page('admin', '/staff/hospitals/XSS'), 'hospital edit', [HOSPITAL_NAME]);
  for (const who of ['admin', 'analyst'] as const) {
    assertEscaped(await page(who, '/staff?by=hospital'), `${who} dashboard by hospital`, [HOSPITAL_NAME]);
    assertEscaped(await page(who, '/staff?by=health_trust'), `${who} dashboard by health trust`, [hostile('HF')]);
    assertEscaped(await page(who, '/staff?by=region'), `${who} dashboard by region`, [hostile('Helse')]);
    assertEscaped(await page(who, '/staff/report'), `${who} report`, [CODE]);
    assertEscaped(
      await page(who, `/staff/report?hospital=${encodeURIComponent(CODE)}`),
      `${who} report for the hostile code`,
      [CODE],
    );
  }
  assertEscaped(await page('admin', `/staff/paper/letters/${ids.letter}`), 'admin paper letter', [
    fullName(PAPER_PERSON),
  ]);
  assertEscaped(await page('admin', '/staff/audit?entity=hospital'), 'audit log', []);
});

test('what a person types is echoed escaped: short code, login, paper find, audit filter', async () => {
  const typed = `${SCRIPT}${ATTR}`;
  const anon = new Browser(app);
  const code = await anon.get(`/kode?kode=${encodeURIComponent(typed)}`);
  assertEscaped(code.text, 'short-code page', [typed.slice(0, 40)]);
  const login = await anon.post('/staff/login', {
    _csrf: csrfFrom((await anon.get('/staff/login')).text),
    email: `${typed}@x.test`,
    password: 'not the password at all',
  });
  assert.equal(login.status, 401);
  assertEscaped(login.text, 'login page', [`${typed}@x.test`]);
  const find = await signedIn.registrar.b.post('/staff/paper/find', { _csrf: signedIn.registrar.csrf, ref: typed });
  assert.equal(find.status, 400);
  assertEscaped(find.text, 'paper find', [typed.slice(0, 40)]);
  assertEscaped(
    await page(
      'admin',
      `/staff/audit?actor=${encodeURIComponent(typed)}&entity_id=${encodeURIComponent(TEMPLATE + ENTITY)}`,
    ),
    'audit filter',
    [typed, TEMPLATE + ENTITY],
  );
});

test('the invitation e-mail: the name escaped in HTML, literal in plain text', () => {
  const [mail] = world.smtp.messages.filter((m) => m.to === 'x1@escape.test');
  assert.ok(mail, 'the e-mail arrived');
  assertEscaped(mail.html, 'e-mail HTML', [EMAIL_PERSON.given_name]);
  assert.ok(mail.text.includes(`Hei ${EMAIL_PERSON.given_name},`), `text part: ${mail.text.slice(0, 200)}`);
  assert.doesNotMatch(mail.text, /&lt;|&gt;|&quot;|&#x3D;|&#x27;|&amp;amp;/, 'no HTML entities in the text part');
  assert.ok(!mail.subject.includes('<') && !mail.subject.includes('Ola'), 'the subject stays neutral');
});

test('the letter PDF and the print manifest carry name and address literally as text', () => {
  const flat = (s: string) => s.replace(/\s+/g, ' ');
  const text = flat(pdfText);
  for (const value of [fullName(PAPER_PERSON), PAPER_PERSON.address_line, `5003 ${PAPER_PERSON.city}`]) {
    assert.ok(text.includes(flat(value)), `PDF text lacks "${value}"`);
  }
  assert.ok(!text.includes('&lt;') && !text.includes('&amp;amp;'), 'no entities in the PDF');
  assert.equal(manifest.length, 1);
  assert.deepEqual(
    { name: manifest[0]!.name, address_line: manifest[0]!.address_line, city: manifest[0]!.city },
    { name: fullName(PAPER_PERSON), address_line: PAPER_PERSON.address_line, city: PAPER_PERSON.city },
  );
});
