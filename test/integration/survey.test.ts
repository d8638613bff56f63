// Respondent pages over HTTP (as a browser without JavaScript): token exchange and cookies,
// headers on every kind of response, validation, save and resume, one response however often it
// is submitted, language switching, short codes, contact choices and the failed-attempt limit.
// Runs on PGlite and on PostgreSQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { osloDay, systemClock, type Clock } from '../../src/clock.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import {
  findByShortCode,
  issueShortCode,
  newShortCode,
  normaliseShortCode,
  SHORT_CODE_ALPHABET,
  SHORT_CODE_BITS,
} from '../../src/invitations/short-codes.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { csrfFrom, versionFrom } from '../support/browser-less.ts';
import { createInvitation } from '../support/survey-fixtures.ts';
import { captureLogs } from '../support/logs.ts';
import type { Logger } from '../../src/observability/logger.ts';

let database: TestDatabase;
const views = createViews();
const instruments = loadInstruments();
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

function app(secureCookies = false, logger?: Logger, clock: Clock = systemClock) {
  return createApp({
    logger,
    db: database.db,
    views,
    instruments,
    clock,
    sessionSecret: 'survey-test-secret-survey-test-secret-012',
    secureCookies,
    redisAlive: () => Promise.resolve(true),
  });
}

function assertSecurityHeaders(res: request.Response, what: string) {
  assert.match(res.headers['content-security-policy'] ?? '', /frame-ancestors 'none'/, what);
  assert.match(res.headers['content-security-policy'] ?? '', /script-src 'self'/, what);
  assert.match(res.headers['strict-transport-security'] ?? '', /max-age=31536000; includeSubDomains/, what);
  assert.equal(res.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(res.headers['x-powered-by'], undefined, what);
}

/** Opens the link and returns the agent with its session, and the CSRF token of the first page. */
async function open(token: string, a = app()) {
  const agent = request.agent(a);
  const res = await agent.get(`/s/${token}`).expect(303);
  assert.equal(res.headers.location, '/s');
  const first = await agent.get('/s').expect(303);
  // Nothing saved yet: the start page, whose Start button leads to question 1.
  const to = first.headers.location === '/s/start' ? '/s/q/1' : first.headers.location!;
  const page = await agent.get(to).expect(200);
  return { agent, csrf: csrfFrom(page.text), page };
}

test('the link is traded for an HttpOnly SameSite cookie and a redirect without the token; headers on every response', async () => {
  const inv = await createInvitation(database.db);
  const res = await request(app()).get(`/s/${inv.token}`).expect(303);
  assert.equal(res.headers.location, '/s');
  const cookie = String(res.headers['set-cookie']);
  assert.match(cookie, /^prom\.sid=/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.doesNotMatch(cookie, /Secure/);
  assert.doesNotMatch(cookie, new RegExp(inv.token));
  assertSecurityHeaders(res, 'token redirect');

  // Under https (here: a TLS proxy on loopback that the app is told to trust) the cookie is
  // Secure, HttpOnly, SameSite and __Host- prefixed.
  const httpsApp = app(true);
  httpsApp.set('trust proxy', 'loopback');
  const secure = await request(httpsApp).get(`/s/${inv.token}`).set('X-Forwarded-Proto', 'https').expect(303);
  const secureCookie = String(secure.headers['set-cookie']);
  assert.match(secureCookie, /^__Host-prom=/);
  assert.match(secureCookie, /; Secure/);
  assert.match(secureCookie, /HttpOnly/);
  assert.match(secureCookie, /SameSite=Lax/);
  assert.match(secureCookie, /Path=\//);

  const { agent } = await open(inv.token);
  for (const [url, status] of [
    ['/s', 303],
    ['/s/q/1', 200],
    ['/s/q/6', 200],
    ['/s/check', 200],
    ['/s/q/9', 404],
    ['/s/paper', 200],
    ['/s/stop', 200],
    ['/kode', 200],
    ['/tilgjengelighet', 200],
  ] as const) {
    const r = await agent.get(url).expect(status);
    assertSecurityHeaders(r, url);
    if (status === 200 && url.startsWith('/s')) assert.equal(r.headers['cache-control'], 'no-store', url);
  }
  const posted = await agent.post('/s/q/1').type('form').send({ _csrf: 'wrong', answer: '1' }).expect(403);
  assertSecurityHeaders(posted, 'CSRF failure');
  assert.match(posted.text, /Skjemaet kunne ikke sendes/);
  assert.match(posted.text, /Åpne lenken fra e-posten eller brevet igjen/);
});

test('the cookie goes out when the session starts and again once an hour while it is used, not with every answer', async () => {
  let t = Date.now();
  const clock: Clock = { now: () => new Date(t) };
  const inv = await createInvitation(database.db);
  const { agent, csrf } = await open(inv.token, app(false, undefined, clock));
  const cookieOf = (r: request.Response) => r.headers['set-cookie'] as string[] | undefined;
  const save = (answer: string) => agent.post('/s/q/1').type('form').send({ _csrf: csrf, answer }).expect(303);
  assert.equal(cookieOf(await save('2')), undefined, 'a save within the hour sends no cookie');
  assert.equal(cookieOf(await agent.get('/s/q/2').expect(200)), undefined, 'nor does a page');

  t += 61 * 60_000;
  const renewed = cookieOf(await save('3'));
  assert.ok(renewed, 'an hour on, the cookie is sent again');
  const expires = Date.parse(/Expires=([^;]+)/.exec(String(renewed))![1]!);
  assert.ok(Math.abs(expires - Date.now() - 12 * 3_600_000) < 60_000, String(renewed));
  assert.equal(cookieOf(await save('4')), undefined, 'and then not again within the hour');
  // The same session throughout: the answer of the last save is the draft's.
  const draft = await database.db
    .selectFrom('answer_drafts')
    .select('answers')
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirstOrThrow();
  assert.equal((draft.answers as Record<string, unknown>).mobility, 4);
  // A visitor without a session (a page without a form) gets no cookie and leaves no row, whatever the hour.
  const before = await database.db
    .selectFrom('sessions')
    .select((e) => e.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(
    cookieOf(
      await request(app(false, undefined, clock))
        .get('/tilgjengelighet')
        .expect(200),
    ),
    undefined,
    'no cookie for a visitor',
  );
  const afterVisit = await database.db
    .selectFrom('sessions')
    .select((e) => e.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  assert.equal(Number(afterVisit.n), Number(before.n));
});

test('unknown links answer 404, closed ones 410, both directly and without a session cookie', async () => {
  const unknown = await request(app()).get('/s/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB').expect(404);
  assert.match(unknown.text, /Vi finner ikke dette spørreskjemaet/);
  assert.match(unknown.text, /href="\/kode"/);
  assert.equal(unknown.headers['set-cookie'], undefined);
  assertSecurityHeaders(unknown, '404');

  const expired = await createInvitation(database.db, { state: 'expired', language: 'en' });
  const closed = await request(app()).get(`/s/${expired.token}`).expect(410);
  assert.match(closed.text, /<html lang="en">/);
  assert.match(closed.text, /This questionnaire is closed/);
  assert.equal(closed.headers['set-cookie'], undefined);
  assertSecurityHeaders(closed, '410');
  assert.match((await request(app()).get(`/s/${expired.token}?lang=nn`).expect(410)).text, /<html lang="nn">/);

  const optedOut = await createInvitation(database.db, { state: 'cancelled', cancelReason: 'opted_out' });
  assert.match((await request(app()).get(`/s/${optedOut.token}`).expect(410)).text, /Vi kontakter deg ikke igjen/);
});

test('validation on the server: Feil: in the title, a summary link per error, the same text by the field, the answer kept', async () => {
  const inv = await createInvitation(database.db);
  const { agent, csrf, page } = await open(inv.token);
  assert.doesNotMatch(page.text, /\schecked/, 'nothing pre-selected');
  assert.doesNotMatch(page.text, /\srequired|type="number"/, 'no browser validation, no number input');
  assert.match(page.text, /<legend><h1>Mobilitet \(gange\)<\/h1><\/legend>/);

  const bad = await agent.post('/s/q/1').type('form').send({ _csrf: csrf, answer: '7' }).expect(400);
  assert.match(bad.text, /<title>Feil: Mobilitet \(gange\)/);
  assert.match(bad.text, /class="error-summary"[^>]*autofocus/);
  assert.match(bad.text, /<a href="#answer-1">Velg det svaret som passer best for mobilitet \(gange\) i dag<\/a>/);
  assert.match(
    bad.text,
    /id="answer-error"><span class="visually-hidden">Feil:<\/span> Velg det svaret som passer best for mobilitet \(gange\) i dag/,
  );

  const vas = await agent.post('/s/q/6').type('form').send({ _csrf: csrf, answer: '7O' }).expect(400);
  assert.match(vas.text, /<title>Feil: Helsen din i dag/);
  assert.match(vas.text, /value="7O"/, 'the typed answer is kept');
  assert.match(vas.text, /aria-invalid="true"/);
  // An empty EQ VAS is an error, never 50.
  await agent.post('/s/q/6').type('form').send({ _csrf: csrf, answer: '' }).expect(400);
  const draft = await database.db
    .selectFrom('answer_drafts')
    .select('answers')
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirst();
  assert.equal(draft, undefined);
});

test('every Continue saves; opening the link again resumes at the first unanswered page; a change returns to the summary', async () => {
  const inv = await createInvitation(database.db);
  const { agent, csrf } = await open(inv.token);
  for (const [n, v] of [
    [1, '3'],
    [2, '1'],
    [3, '2'],
  ] as const) {
    const r = await agent.post(`/s/q/${n}`).type('form').send({ _csrf: csrf, answer: v }).expect(303);
    assert.equal(r.headers.location, `/s/q/${n + 1}`);
  }
  const again = request.agent(app());
  await again.get(`/s/${inv.token}`).expect(303);
  assert.equal((await again.get('/s').expect(303)).headers.location, '/s/q/4');
  assert.match((await again.get('/s/q/3').expect(200)).text, /id="answer-2" name="answer" value="2" checked/);

  const check = await again.get('/s/q/2?return=check').expect(200);
  assert.match(check.text, /name="return" value="check"/);
  assert.match(check.text, /class="back-link" href="\/s\/check"/);
  const changed = await again
    .post('/s/q/2')
    .type('form')
    .send({ _csrf: csrfFrom(check.text), answer: '5', return: 'check' })
    .expect(303);
  assert.equal(changed.headers.location, '/s/check');
  const draft = await database.db
    .selectFrom('answer_drafts')
    .select('answers')
    .where('invitation_id', '=', inv.invitationId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(draft.answers, { mobility: 3, self_care: 5, usual_activities: 2 });
});

test('submitting five times at once, or from two sessions, makes one response; afterwards every page says "already answered"', async () => {
  const inv = await createInvitation(database.db);
  const { agent, csrf } = await open(inv.token);
  for (const [n, v] of [
    [1, '1'],
    [2, '2'],
    [3, '3'],
    [4, '4'],
    [5, '5'],
    [6, '64'],
  ] as const) {
    await agent.post(`/s/q/${n}`).type('form').send({ _csrf: csrf, answer: v }).expect(303);
  }
  const second = await open(inv.token);
  const version = versionFrom((await agent.get('/s/check').expect(200)).text);
  const results = await Promise.all([
    ...Array.from({ length: 4 }, () => agent.post('/s/submit').type('form').send({ _csrf: csrf, version })),
    second.agent.post('/s/submit').type('form').send({ _csrf: second.csrf, version }),
  ]);
  for (const r of results) {
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/s/done');
  }
  const rows = await database.db
    .selectFrom('responses')
    .select(['vas', 'mode'])
    .where('invitation_id', '=', inv.invitationId)
    .execute();
  assert.deepEqual(rows, [{ vas: 64, mode: 'web' }]);
  assert.match((await agent.get('/s/done').expect(200)).text, /Takk, svarene dine er sendt inn/);
  for (const url of ['/s/q/1', '/s/check', '/s/q/6']) {
    const r = await agent.get(url).expect(200);
    assert.match(r.text, /Du har allerede svart/);
    assert.doesNotMatch(r.text, /<form/, `${url} shows no form`);
  }
  const late = await agent.post('/s/q/1').type('form').send({ _csrf: csrf, answer: '2' }).expect(200);
  assert.match(late.text, /Du har allerede svart/);
  assert.equal((await request(app()).get(`/s/${inv.token}`).expect(303)).headers.location, '/s/done');
});

test('the questionnaire opens in the register language; ?lang switches, keeps answers and the address', async () => {
  const inv = await createInvitation(database.db, { language: 'nn' });
  const { agent, csrf, page } = await open(inv.token);
  assert.match(page.text, /<html lang="nn">/);
  assert.match(page.text, /<a href="\/s\/q\/1\?lang(=|&#x3D;)nb" lang="nb" hreflang="nb">Bokmål<\/a>/);
  await agent.post('/s/q/1').type('form').send({ _csrf: csrf, answer: '2' }).expect(303);
  const switched = await agent.get('/s/q/1?lang=en').expect(303);
  assert.equal(switched.headers.location, '/s/q/1');
  const english = await agent.get('/s/q/1').expect(200);
  assert.match(english.text, /<html lang="en">/);
  assert.match(english.text, /value="2" checked/);
  assert.equal((await agent.get('/s/q/2?return=check&lang=nb').expect(303)).headers.location, '/s/q/2?return=check');
  // A language outside the set is ignored.
  assert.match((await agent.get('/s/q/1?lang=se').expect(200)).text, /<html lang="nb">/);
});

test('short codes: unambiguous alphabet, ≥ 40 bits, stored only as a hash, case- and dash-insensitive, several per invitation', async () => {
  assert.ok(SHORT_CODE_BITS >= 40, String(SHORT_CODE_BITS));
  assert.doesNotMatch(SHORT_CODE_ALPHABET, /[0O1IL]/);
  for (let i = 0; i < 200; i++)
    assert.match(
      newShortCode(),
      /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{2}$/,
    );
  assert.equal(normaliseShortCode(' abcd-efgh-jk '), 'ABCDEFGHJK');
  assert.equal(normaliseShortCode('ABCD EFGH JK'), 'ABCDEFGHJK');
  assert.equal(normaliseShortCode('ABCD-EFGH-J0'), undefined);
  assert.equal(normaliseShortCode('ABCD-EFGH'), undefined);

  const inv = await createInvitation(database.db);
  const second = await issueShortCode(database.db, inv.invitationId);
  assert.notEqual(second, inv.shortCode);
  for (const typed of [inv.shortCode, inv.shortCode.toLowerCase(), inv.shortCode.replace(/-/g, ''), second]) {
    assert.equal(
      (await findByShortCode(database.db, typed, osloDay(new Date())))?.invitationId,
      inv.invitationId,
      typed,
    );
  }
  assert.equal(await findByShortCode(database.db, 'ZZZZ-ZZZZ-ZZ', osloDay(new Date())), undefined);
  const stored = await database.db
    .selectFrom('short_codes')
    .select('code_hash')
    .where('invitation_id', '=', inv.invitationId)
    .execute();
  assert.equal(stored.length, 2);
  for (const s of stored) {
    const bytes = Buffer.from(s.code_hash);
    assert.equal(bytes.length, 32);
    assert.ok(!bytes.toString('latin1').includes(inv.shortCode.replace(/-/g, '')));
  }
});

test('the short-code page: CSRF form, prefill from a letter QR, exchange like a link, failures logged without the code', async () => {
  const inv = await createInvitation(database.db, { language: 'en' });
  const logs = captureLogs();
  const agent = request.agent(app(false, logs.logger));
  const form = await agent.get(`/kode?kode=${encodeURIComponent(inv.shortCode)}`).expect(200);
  assert.match(form.text, new RegExp(`value="${inv.shortCode}"`), 'a QR code fills in the field');
  assertSecurityHeaders(form, '/kode');
  await request(app()).post('/kode').type('form').send({ code: inv.shortCode }).expect(403);

  const wrong = await agent
    .post('/kode')
    .type('form')
    .send({ _csrf: csrfFrom(form.text), code: 'QQQQ-QQQQ-QQ' })
    .expect(400);
  assert.match(wrong.text, /<title>Feil: /);
  assert.match(wrong.text, /Vi finner ikke denne koden/);
  const warnings = logs.entries().filter((e) => e.level === 'warn');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.msg, 'unknown short code');
  assert.equal(warnings[0]!.reqId, wrong.headers['x-request-id'], 'the warning carries the request id');
  assert.ok(warnings[0]!.ip, 'and the address the attempt came from');
  assert.doesNotMatch(logs.text(), /QQQQ/);

  const ok = await agent
    .post('/kode')
    .type('form')
    .send({ _csrf: csrfFrom(form.text), code: inv.shortCode.toLowerCase() })
    .expect(303);
  assert.equal(ok.headers.location, '/s?via=code');
  assert.equal((await agent.get('/s?via=code').expect(303)).headers.location, '/s/start');
  const q = await agent.get('/s/q/1').expect(200);
  assert.match(q.text, /<html lang="en">/, 'the register language');
});

test('failed link and code attempts are limited per address; valid links and answering never count', async () => {
  const logs = captureLogs();
  const a = app(false, logs.logger);
  const inv = await createInvitation(database.db);
  {
    // Valid links do not count, however many.
    for (let i = 0; i < 25; i++) await request(a).get(`/s/${inv.token}`).expect(303);
    for (let i = 0; i < 20; i++)
      await request(a)
        .get(`/s/${'C'.repeat(42)}${i % 10}`)
        .expect(404);
    const blocked = await request(a)
      .get(`/s/${'D'.repeat(43)}`)
      .expect(429);
    assert.match(blocked.text, /For mange forsøk/);
    assertSecurityHeaders(blocked, '429');
    // Codes share the same counter.
    const agent = request.agent(a);
    const form = await agent.get('/kode').expect(200);
    await agent
      .post('/kode')
      .type('form')
      .send({ _csrf: csrfFrom(form.text), code: inv.shortCode })
      .expect(429);
  }
  const warnings = logs.entries().filter((e) => e.level === 'warn');
  assert.equal(warnings.filter((e) => e.msg === 'unknown survey link').length, 20, 'each failed guess is logged');
  assert.equal(warnings.filter((e) => e.msg === 'too many failed link or code attempts').length, 2, 'and each refusal');
  assert.doesNotMatch(logs.text(), /CCCCCCCCCC|DDDDDDDDDD/, 'never the guessed link');
  // Ordinary answering on a session is never limited.
  const { agent, csrf } = await open(inv.token, app());
  for (let i = 0; i < 30; i++)
    await agent
      .post('/s/q/1')
      .type('form')
      .send({ _csrf: csrf, answer: String((i % 5) + 1) })
      .expect(303);
});

test('contact choices from the e-mail links: a confirmation form, then recorded; cancelling changes nothing; no e-mail is sent', async () => {
  const inv = await createInvitation(database.db);
  const outboxBefore = await database.db.selectFrom('outbox').select('id').where('channel', '=', 'email').execute();

  const agent = request.agent(app());
  const toStop = await agent.get(`/s/${inv.token}/stop`).expect(303);
  assert.equal(toStop.headers.location, '/s/stop');
  const confirm = await agent.get('/s/stop').expect(200);
  assert.match(confirm.text, /<form method="post" action="\/s\/stop"/);
  assert.match(confirm.text, /href="\/s">Nei, gå tilbake<\/a>/);
  // Nothing happens on GET.
  let survivor = await database.db
    .selectFrom('survivors')
    .select(['opted_out_at', 'channel_rule'])
    .where('id', '=', inv.survivorId)
    .executeTakeFirstOrThrow();
  assert.equal(survivor.opted_out_at, null);
  await agent.post('/s/stop').type('form').send({}).expect(403);

  // Paper first (while the invitation is open), then stop.
  await agent.get(`/s/${inv.token}/paper`).expect(303).expect('Location', '/s/paper');
  const paper = await agent.get('/s/paper').expect(200);
  await agent
    .post('/s/paper')
    .type('form')
    .send({ _csrf: csrfFrom(paper.text) })
    .expect(303)
    .expect('Location', '/s/paper/done');
  assert.match((await agent.get('/s/paper/done').expect(200)).text, /Vi har notert at du vil svare på papir/);
  survivor = await database.db
    .selectFrom('survivors')
    .select(['opted_out_at', 'channel_rule'])
    .where('id', '=', inv.survivorId)
    .executeTakeFirstOrThrow();
  assert.equal(survivor.channel_rule, 'paper-only');

  // The paper link made a new session, so the stop form is fetched again for its token.
  const stopForm = csrfFrom((await agent.get('/s/stop').expect(200)).text);
  await agent.post('/s/stop').type('form').send({ _csrf: stopForm }).expect(303).expect('Location', '/s/stop/done');
  await agent.post('/s/stop').type('form').send({ _csrf: stopForm }).expect(303);
  assert.match((await agent.get('/s/stop/done').expect(200)).text, /Vi kontakter deg ikke igjen/);
  survivor = await database.db
    .selectFrom('survivors')
    .select(['opted_out_at', 'channel_rule'])
    .where('id', '=', inv.survivorId)
    .executeTakeFirstOrThrow();
  assert.ok(survivor.opted_out_at instanceof Date);
  const invitation = await database.db
    .selectFrom('invitations')
    .select(['state', 'cancel_reason'])
    .where('id', '=', inv.invitationId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(invitation, { state: 'cancelled', cancel_reason: 'opted_out' });
  const audits = await database.db
    .selectFrom('audit_log')
    .select(['actor', 'action'])
    .where('entity', '=', 'invitation')
    .where('entity_id', '=', String(inv.invitationId))
    .orderBy('id')
    .execute();
  assert.deepEqual(audits, [
    { actor: 'respondent', action: 'prefer-paper' },
    { actor: 'respondent', action: 'opt-out' },
  ]);
  const outboxAfter = await database.db.selectFrom('outbox').select('id').where('channel', '=', 'email').execute();
  assert.equal(outboxAfter.length, outboxBefore.length, 'no e-mail is queued for these choices');

  // Unknown tokens on the choice links get the same 404 page.
  await request(app())
    .get(`/s/${'E'.repeat(43)}/stop`)
    .expect(404);
});
