// The register profile on real services, PGlite and PostgreSQL: without a profile
// nobody is contacted and the reason is visible; setting one releases the held steps; the e-mail
// (SMTP sink on loopback), the letter (pdftotext, also of the envelope window) and the respondent
// pages say who asks, in the reader's language; From and Subject carry only the neutral fields.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { deliverOutboxRow } from '../../src/invitations/delivery.ts';
import { letterCodeKey, makeBatch, type BatchDeps } from '../../src/paper/batch.ts';
import { MM } from '../../src/paper/letter.ts';
import { PROFILE_MISSING } from '../../src/invitations/profile-hold.ts';
import {
  currentRegisterProfile,
  profileIn,
  saveRegisterProfile,
  type LocalProfile,
} from '../../src/register/profile.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import type { Lang } from '../../src/i18n/views.ts';
import { createViews } from '../../src/i18n/views.ts';
import { csrfFrom, versionFrom } from '../support/browser-less.ts';
import { importPeople, passAndDeliver, stepsOf, testClock, withAddress } from '../support/lifecycle.ts';
import { person } from '../support/people.ts';
import { EXAMPLE_PROFILE } from '../support/register.ts';
import { createStaff, signIn } from '../support/staff.ts';
import { createInvitation } from '../support/survey-fixtures.ts';
import { createWorld, PUBLIC_URL, TEST_SESSION_SECRET, type World } from '../support/world.ts';

let world: World;
const views = createViews();
const dir = mkdtempSync(path.join(tmpdir(), 'prom-register-'));
const db = () => world.database.db;
const LANGS = ['nb', 'nn', 'en'] as const;
const local = (lang: Lang): LocalProfile => profileIn(EXAMPLE_PROFILE, lang);

before(async () => {
  world = await createWorld({ registerProfile: false });
});
after(async () => {
  await world?.close();
});

const batchDeps = (): BatchDeps => ({
  db: db(),
  views,
  instruments: loadInstruments(),
  publicUrl: PUBLIC_URL,
  codeKey: letterCodeKey(TEST_SESSION_SECRET),
});

test('without a profile nothing is sent or printed, the reason is visible; setting one releases the held steps', async () => {
  const arrest = '2026-01-01'; // day 90 is 2026-04-01
  await importPeople(db(), [
    {
      ...person(1, {
        register_id: 'RP1',
        arrest_date: arrest,
        email: 'rp1@example.test',
        language: 'nn',
        given_name: 'Kari',
      }),
      ...withAddress,
    },
    { ...person(2, { register_id: 'RP2', arrest_date: arrest, email: '', language: 'nb' }), ...withAddress },
  ]);
  const clock = testClock('2026-04-01');
  const first = await passAndDeliver(db(), world.deps, clock, { scope: ['RP1', 'RP2'] });
  assert.equal(first.pass.profileHeld, 2, 'the e-mail and the letter wait');
  assert.deepEqual(first.pass.dueOutboxIds, []);
  for (const id of ['RP1', 'RP2']) {
    const [due] = await stepsOf(db(), id);
    assert.deepEqual([due!.state, due!.last_error], ['held', PROFILE_MISSING], id);
  }
  // The worker's own check: a row that reached it anyway is held, not sent.
  const [emailStep] = await stepsOf(db(), 'RP1');
  await db().updateTable('outbox').set({ state: 'pending' }).where('id', '=', emailStep!.id).execute();
  assert.equal(await deliverOutboxRow(world.deps, emailStep!.id, clock), 'held');
  assert.equal((await makeBatch(batchDeps(), clock, path.join(dir, 'none'), 'test')).batchId, undefined);
  assert.equal(world.smtp.messages.length, 0, 'nothing sent');

  // Staff see why on the dashboard and on the register page.
  const admin = await createStaff(db(), TEST_SESSION_SECRET, { email: 'admin@register.test', role: 'admin' });
  const { agent } = await signIn(world.app(clock), admin, clock);
  const dashboard = await agent.get('/staff').expect(200);
  assert.match(
    dashboard.text,
    /Ingen registerprofil er satt, så ingen blir kontaktet: 2 utsendelser venter \(register profile missing\)/,
  );
  assert.match((await agent.get('/staff/register').expect(200)).text, /2 utsendelser venter/);

  await saveRegisterProfile(db(), EXAMPLE_PROFILE, 'test');
  const second = await passAndDeliver(db(), world.deps, clock, { scope: ['RP1', 'RP2'] });
  assert.equal(second.pass.profileHeld, 0);
  assert.equal(second.pass.toPrint, 1, 'the letter is made due for print');
  assert.equal(world.smtp.messages.length, 1, 'the e-mail goes out');
  assert.doesNotMatch((await agent.get('/staff').expect(200)).text, /Ingen registerprofil/);

  const mail = world.smtp.messages[0]!;
  // From and Subject: the neutral fields, nothing else of the profile.
  assert.equal(mail.from, `"${EXAMPLE_PROFILE.senderName as string}" <noreply@prom.test>`);
  assert.equal(mail.subject, local('nn').subject);
  for (const body of [mail.text, mail.html]) {
    for (const shown of [
      local('nn').name,
      local('nn').organisation,
      local('nn').phone,
      local('nn').email!,
      local('nn').purpose!,
      local('nn').websiteShown!,
      'Med venleg helsing',
      'Det er frivillig å svare',
    ]) {
      assert.ok(body.includes(shown), `nn e-mail: ${shown}`);
    }
  }

  const batch = await makeBatch(batchDeps(), clock, path.join(dir, 'batch'), 'test');
  assert.ok(batch.files, 'a batch with the letter');
  const pdf = batch.files.pdfFile;
  const cover = execFileSync('pdftotext', ['-f', '1', '-l', '1', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const shown of [
    local('nb').name,
    local('nb').organisation,
    local('nb').controller,
    local('nb').phone,
    local('nb').purpose!,
    local('nb').privacyUrl!,
    'Om personvern',
  ]) {
    assert.ok(cover.includes(shown), `letter: ${shown}`);
  }
  // The envelope window (20–110 mm from the left, 45–85 mm from the top) holds only the recipient.
  const window = execFileSync(
    'pdftotext',
    [
      '-f',
      '1',
      '-l',
      '1',
      '-x',
      String(Math.floor(20 * MM)),
      '-y',
      String(Math.floor(45 * MM)),
      '-W',
      String(Math.ceil(90 * MM)),
      '-H',
      String(Math.ceil(40 * MM)),
      pdf,
      '-',
    ],
    { encoding: 'utf8' },
  );
  assert.deepEqual(
    window
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
    ['Test2 Testesen', 'Storgata 1', '0155 Oslo'],
  );
});

test('From and Subject carry nothing of the profile but senderName and subject, in every language and step', async () => {
  const profile = (await currentRegisterProfile(db()))!.profile;
  const { renderStepMail, linksFor } = await import('../../src/invitations/messages.ts');
  const others = [
    'name',
    'organisation',
    'controller',
    'address',
    'phone',
    'email',
    'website',
    'privacyUrl',
    'purpose',
    'signature',
  ] as const;
  for (const lang of LANGS) {
    for (const step of ['invitation', 'reminder1', 'reminder2'] as const) {
      const mail = renderStepMail(views, lang, step, linksFor(PUBLIC_URL, 'T'.repeat(43)), 'Kari', profile);
      const envelope = `${mail.fromName} ${mail.subject}`;
      for (const f of others) {
        const value = local(lang)[f];
        if (value) assert.ok(!envelope.includes(value), `${lang} ${step}: ${f} in From/Subject`);
      }
      assert.equal(mail.fromName, EXAMPLE_PROFILE.senderName);
      assert.ok(mail.subject.endsWith(local(lang).subject!), `${lang} ${step}: ${mail.subject}`);
    }
  }
});

test('the start page, /, receipt, stop and paper pages, error pages and the accessibility statement name the register in nb, nn and en', async () => {
  const app = world.app();
  for (const lang of LANGS) {
    const p = local(lang);
    const must = (html: string, what: string, extra: string[] = []) => {
      for (const shown of [p.name, p.organisation, p.phone, ...extra])
        assert.ok(html.includes(escape(shown)), `${lang} ${what}: ${shown}`);
      assert.match(html, new RegExp(`<html lang="${lang}">`), `${lang} ${what}`);
    };
    must((await request(app).get(`/?lang=${lang}`).expect(200)).text, '/', [views.t(lang, 'start.homeLetter')]);
    must((await request(app).get(`/tilgjengelighet?lang=${lang}`).expect(200)).text, 'accessibility statement', [
      views.t(lang, 'contact.a11yChecked'),
      p.email!,
    ]);
    must(
      (
        await request(app)
          .get(`/s/${'x'.repeat(43)}?lang=${lang}`)
          .expect(404)
      ).text,
      'unknown link',
    );

    const inv = await createInvitation(db(), { language: lang });
    const agent = request.agent(app);
    await agent.get(`/s/${inv.token}`).expect(303);
    assert.equal((await agent.get('/s').expect(303)).headers.location, '/s/start', 'nothing saved: the start page');
    const start = await agent.get('/s/start').expect(200);
    must(start.text, 'start page', [
      p.purpose!,
      p.controller,
      p.email!,
      views.t(lang, 'start.takes', { n: 6 }),
      views.t(lang, 'start.pauseLink'),
      views.t(lang, 'start.start'),
    ]);
    assert.doesNotMatch(start.text, /<form|type="radio"|<input/, 'the start page holds no question');
    // Issue 22: Start leads to "who is filling in" (/s/who), which then leads to question 1.
    assert.match(start.text, /<a href="\/s\/who" role="button"[^>]*>/);
    must((await agent.get('/s/stop').expect(200)).text, 'stop page');
    must((await agent.get('/s/paper').expect(200)).text, 'paper page');

    const q1 = await agent.get('/s/q/1').expect(200);
    const csrf = csrfFrom(q1.text);
    await agent.post('/s/q/1').type('form').send({ _csrf: csrf, answer: '2' }).expect(303);
    assert.equal(
      (await agent.get('/s').expect(303)).headers.location,
      '/s/q/2',
      'saved answers: on where they left off',
    );
    for (let n = 2; n <= 5; n++)
      await agent.post(`/s/q/${n}`).type('form').send({ _csrf: csrf, answer: '1' }).expect(303);
    await agent.post('/s/q/6').type('form').send({ _csrf: csrf, answer: '70' }).expect(303);
    const check = await agent.get('/s/check').expect(200);
    await agent
      .post('/s/submit')
      .type('form')
      .send({ _csrf: csrf, version: versionFrom(check.text) })
      .expect(303);
    must((await agent.get('/s/done').expect(200)).text, 'receipt', [
      views.t(lang, 'contact.doneNext', { name: p.name }),
    ]);
  }
});

test("a visitor with a letter's code passes the start page and is told to keep the letter and code", async () => {
  const inv = await createInvitation(db(), { language: 'en' });
  const agent = request.agent(world.app());
  const form = await agent.get('/kode').expect(200);
  const to = (
    await agent
      .post('/kode')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), code: inv.shortCode })
      .expect(303)
  ).headers.location!;
  assert.equal((await agent.get(to).expect(303)).headers.location, '/s/start');
  assert.ok((await agent.get('/s/start').expect(200)).text.includes(escape(views.t('en', 'start.pauseCode'))));
  assert.ok((await agent.get('/s/q/1').expect(200)).text.includes(escape(views.t('en', 'start.savedNoteCode'))));
});

test('the EQ VAS says what was wrong: decimals, words; "50 %" is taken as 50', async () => {
  const inv = await createInvitation(db(), { language: 'nb' });
  const agent = request.agent(world.app());
  await agent.get(`/s/${inv.token}`).expect(303);
  const csrf = csrfFrom((await agent.get('/s/q/6').expect(200)).text);
  const send = (answer: string) => agent.post('/s/q/6').type('form').send({ _csrf: csrf, answer });
  assert.ok((await send('73,5').expect(400)).text.includes(views.t('nb', 'vas.decimal')));
  assert.ok((await send('sytti').expect(400)).text.includes(views.t('nb', 'vas.notNumber')));
  await send('50 %').expect(303);
  const draft = await db()
    .selectFrom('answer_drafts')
    .select('answers')
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirstOrThrow();
  assert.equal(draft.answers.vas, 50);
});

test('/staff/register: admins edit the profile; a wrong field is named; each save is a version and an audit row', async () => {
  const admin = await createStaff(db(), TEST_SESSION_SECRET, { email: 'admin2@register.test', role: 'admin' });
  const { agent } = await signIn(world.app(), admin);
  const page = await agent.get('/staff/register').expect(200);
  assert.ok(page.text.includes(escape(EXAMPLE_PROFILE.name as string)));
  assert.match(page.text, /name="purpose\.nn"/);
  const before = (await currentRegisterProfile(db()))!.version;
  const form = {
    _csrf: csrfFrom(page.text),
    name: 'Testregisteret',
    organisation: 'Test HF',
    controller: 'Testinstituttet',
    phone: 'ring oss',
    'subject.nb': 'Et skjema',
    'subject.nn': 'Eit skjema',
    'subject.en': 'A form',
  };
  const bad = await agent.post('/staff/register').type('form').send(form).expect(400);
  assert.match(bad.text, /<a href="#rp-phone">Telefon: må være et telefonnummer/);
  assert.ok(bad.text.includes('value="ring oss"'), 'what was typed is kept');
  assert.equal((await currentRegisterProfile(db()))!.version, before, 'nothing saved');
  await agent
    .post('/staff/register')
    .type('form')
    .send({ ...form, phone: '+47 11 22 33 44' })
    .expect(303);
  const saved = (await currentRegisterProfile(db()))!;
  assert.equal(saved.version, before + 1);
  assert.deepEqual(saved.profile, {
    name: 'Testregisteret',
    organisation: 'Test HF',
    controller: 'Testinstituttet',
    phone: '+47 11 22 33 44',
    subject: { nb: 'Et skjema', nn: 'Eit skjema', en: 'A form' },
  });
  const audit = await db()
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', 'register_profile')
    .where('entity_id', '=', String(saved.version))
    .executeTakeFirstOrThrow();
  assert.equal(audit.actor, 'admin2@register.test');
  assert.deepEqual(
    (audit.details as { changed: string[] }).changed.sort(),
    [
      'address',
      'controller',
      'email',
      'name',
      'organisation',
      'phone',
      'privacyUrl',
      'purpose',
      'senderName',
      'signature',
      'subject',
      'website',
    ].sort(),
  );
  await saveRegisterProfile(db(), EXAMPLE_PROFILE, 'test');
});

function escape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
    .replace(/=/g, '&#x3D;')
    .replace(/`/g, '&#x60;');
}
