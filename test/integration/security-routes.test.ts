// Security properties of every route the app registers, found by walking its router stack (so a
// route added later without a visit here fails the first test):
//  - each route is requested (GET/POST/PUT as registered, parameters filled with real ids and
//    tokens) anonymously, as a respondent for survey pages, as admin, analyst and registrar for
//    /staff, and with and without an API key for /api — once with plain cookies and once with
//    secureCookies behind a TLS proxy; every response has the CSP with frame-ancestors 'none', HSTS,
//    Referrer-Policy no-referrer, nosniff, no X-Powered-By, Cache-Control no-store (except
//    /static and the public API description), safe Content-Disposition names, never a 5xx; every
//    Set-Cookie is HttpOnly, SameSite=Lax/Strict, Path=/ (and __Host- + Secure under https);
//    /api sets no cookie at all;
//  - every browser POST refuses a missing, forged or other session's CSRF token with 403 and
//    writes nothing, while the same POST with the right token does write (so the check can fail);
//  - session fixation: the session id changes at each login step and at token/code exchange, the
//    old id is then worth nothing; logout removes the session on the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import express from 'express';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { osloDay, systemClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { createApiKey } from '../../src/api/keys.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { formatLetterId, letterCodeKey, makeBatch } from '../../src/paper/batch.ts';
import { PAGES } from '../../src/instruments/eq5d-texts.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { loadDraft, saveDraftAnswer } from '../../src/invitations/answers.ts';
import { createViews } from '../../src/i18n/views.ts';
import { csrfFrom } from '../support/browser-less.ts';
import { importPeople, withAddress } from '../support/lifecycle.ts';
import { person } from '../support/people.ts';
import { nextCode, STAFF_PASSWORD, type TestStaff } from '../support/staff.ts';
import { writeSurvivor, writeTestHospitals } from '../support/staff-cohort.ts';
import { createInvitation } from '../support/survey-fixtures.ts';
import {
  appFor,
  Browser,
  changedTables,
  quickStaff,
  cookieProblems,
  dispositionProblems,
  fingerprint,
  headerProblems,
  registeredRoutes,
  setCookies,
  signInAs,
  type Sent,
} from '../support/security.ts';
import { createWorld, PUBLIC_URL, TEST_SESSION_SECRET, type World } from '../support/world.ts';

let world: World;
let db: Db;
const ids = { survivor: 0, csrfSurvivor: 0, letter: 0, letterSurvivor: 0, batch: 0, apiKey: '' };
let staff: Record<'admin' | 'analyst' | 'registrar' | 'spareAnalyst' | 'spareRegistrar', TestStaff>;

before(async () => {
  world = await createWorld();
  db = world.database.db;
  await writeTestHospitals(db);
  const mk = (email: string, role: TestStaff['role'], hospitals?: string[]) =>
    quickStaff(db, { email, role, hospitals });
  staff = {
    admin: await mk('admin@walk.test', 'admin'),
    analyst: await mk('analyst@walk.test', 'analyst'),
    registrar: await mk('registrar@walk.test', 'registrar', ['OUS']),
    spareAnalyst: await mk('spare.analyst@walk.test', 'analyst'),
    spareRegistrar: await mk('spare.registrar@walk.test', 'registrar', ['HUS']),
  };
  ids.survivor = await writeSurvivor(db, { registerId: 'W1', nationalIdSeed: 11, hospital: 'OUS', givenName: 'Walk' });
  ids.csrfSurvivor = await writeSurvivor(db, {
    registerId: 'W2',
    nationalIdSeed: 12,
    hospital: 'OUS',
    givenName: 'Csrf',
  });
  // A letter in a print batch at OUS, the real way: a pass makes the paper step due, a batch takes it.
  await importPeople(db, [{ ...person(21, { register_id: 'WP1', hospital: 'OUS', email: '' }), ...withAddress }]);
  await runSchedulingPass(db, undefined, systemClock);
  const batch = await makeBatch(
    {
      db,
      views: createViews(),
      instruments: loadInstruments(),
      publicUrl: PUBLIC_URL,
      codeKey: letterCodeKey(TEST_SESSION_SECRET),
    },
    systemClock,
    mkdtempSync(path.join(tmpdir(), 'prom-walk-letters-')),
    'test',
  );
  ids.batch = batch.batchId!;
  ids.letter = (
    await db.selectFrom('letters').select('id').where('batch_id', '=', ids.batch).executeTakeFirstOrThrow()
  ).id;
  ids.letterSurvivor = (
    await db.selectFrom('survivors').select('id').where('register_id', '=', 'WP1').executeTakeFirstOrThrow()
  ).id;
  ids.apiKey = (
    await createApiKey(db, { name: 'walk', scopes: ['intake', 'status', 'results', 'identifiers'], createdBy: 'test' })
  ).key;
});
after(async () => {
  await world?.close();
});

// ---------------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------------

type Who = 'anon' | 'respondent' | 'admin' | 'analyst' | 'registrar' | 'apikey';
const STAFF: Who[] = ['anon', 'admin', 'analyst', 'registrar'];
const SURVEY: Who[] = ['anon', 'respondent'];
const API: Who[] = ['anon', 'apikey'];

interface Ctx {
  /** A link token and short code of an open invitation made for this one request. */
  token: string;
  shortCode: string;
  n: number;
}

interface Visit {
  /** The route as registeredRoutes() names it; null for an extra request (the app's 404). */
  route: string | null;
  path: (c: Ctx) => string;
  form?: (c: Ctx) => Record<string, string>;
  json?: unknown;
  who: Who[];
  /** Statuses that show the visit reached the handler it is meant for. */
  expect?: Partial<Record<Who, number>>;
}

const v = (route: string | null, who: Who[], p: string | ((c: Ctx) => string), more: Partial<Visit> = {}): Visit => ({
  route,
  who,
  path: typeof p === 'string' ? () => p : p,
  ...more,
});
const onlyFor = (role: Who, status: number, others = 403): Partial<Record<Who, number>> => ({
  anon: 303,
  admin: others,
  analyst: others,
  registrar: others,
  [role]: status,
});
const entry = {
  mobility: '1',
  self_care: '1',
  usual_activities: '2',
  pain_discomfort: '1',
  anxiety_depression: '1',
  vas: '70',
  vas_code: '',
};

/** Logout comes last: it ends the staff browser's session. */
const VISITS: Visit[] = [
  v('GET /healthz', ['anon'], '/healthz', { expect: { anon: 200 } }),
  v('GET /metrics', ['anon'], '/metrics', { expect: { anon: 200 } }),
  v('USE /static', ['anon'], '/static/app.css', { expect: { anon: 200 } }),
  v(null, ['anon'], '/no-such-page', { expect: { anon: 404 } }),
  // Integration API: no cookies; 401 without a key.
  v('GET /api/v1/openapi.json', API, '/api/v1/openapi.json', { expect: { anon: 200 } }),
  v('GET /api/v1/docs', API, '/api/v1/docs', { expect: { anon: 200 } }),
  v('GET /api/v1/docs.css', API, '/api/v1/docs.css', { expect: { anon: 200 } }),
  v('PUT /api/v1/survivors/:register_id', API, '/api/v1/survivors/W1', {
    json: {},
    expect: { anon: 401, apikey: 422 },
  }),
  v('POST /api/v1/survivors\\:batch', API, '/api/v1/survivors:batch', { json: { records: [] }, expect: { anon: 401 } }),
  v('POST /api/v1/deaths', API, '/api/v1/deaths', { json: {}, expect: { anon: 401, apikey: 422 } }),
  v('POST /api/v1/survivors/:register_id/withdrawal', API, '/api/v1/survivors/NOBODY/withdrawal', {
    json: {},
    expect: { anon: 401, apikey: 404 },
  }),
  v('GET /api/v1/invitations', API, '/api/v1/invitations', { expect: { anon: 401, apikey: 200 } }),
  v('GET /api/v1/survivors/:register_id/contact-log', API, '/api/v1/survivors/W1/contact-log', {
    expect: { anon: 401, apikey: 200 },
  }),
  v('GET /api/v1/responses', API, '/api/v1/responses', { expect: { anon: 401, apikey: 200 } }),
  // Respondent pages: anonymous (no session) and with a respondent's session.
  v('GET /', SURVEY, '/', { expect: { anon: 200, respondent: 200 } }),
  v('GET /s', SURVEY, '/s', { expect: { anon: 401, respondent: 303 } }),
  v('GET /s/start', SURVEY, '/s/start', { expect: { anon: 401, respondent: 200 } }),
  v('GET /s/who', SURVEY, '/s/who', { expect: { anon: 401, respondent: 200 } }),
  v('POST /s/who', SURVEY, '/s/who', {
    form: () => ({ respondent: 'assisted' }),
    expect: { anon: 401, respondent: 303 },
  }),
  v('GET /s/q/:n', SURVEY, '/s/q/1', { expect: { anon: 401, respondent: 200 } }),
  v('POST /s/q/:n', SURVEY, '/s/q/1', { form: () => ({ answer: '2' }), expect: { anon: 401, respondent: 303 } }),
  v('GET /s/check', SURVEY, '/s/check', { expect: { anon: 401, respondent: 200 } }),
  v('POST /s/submit', SURVEY, '/s/submit', { form: () => ({}), expect: { anon: 401, respondent: 400 } }),
  v('GET /s/done', SURVEY, '/s/done', { expect: { anon: 401, respondent: 303 } }),
  v('GET /s/stop', SURVEY, '/s/stop', { expect: { anon: 401, respondent: 200 } }),
  v('POST /s/stop', SURVEY, '/s/stop', { form: () => ({}), expect: { anon: 401, respondent: 303 } }),
  v('GET /s/stop/done', SURVEY, '/s/stop/done', { expect: { anon: 401, respondent: 303 } }),
  v('GET /s/paper', SURVEY, '/s/paper', { expect: { anon: 401, respondent: 200 } }),
  v('POST /s/paper', SURVEY, '/s/paper', { form: () => ({}), expect: { anon: 401, respondent: 303 } }),
  v('GET /s/paper/done', SURVEY, '/s/paper/done', { expect: { anon: 401, respondent: 303 } }),
  v('GET /kode', SURVEY, '/kode', { expect: { anon: 200, respondent: 200 } }),
  v('POST /kode', SURVEY, '/kode', { form: (c) => ({ code: c.shortCode }), expect: { anon: 303, respondent: 303 } }),
  v('GET /tilgjengelighet', SURVEY, '/tilgjengelighet', { expect: { anon: 200, respondent: 200 } }),
  v('GET /s/:token/stop', SURVEY, (c) => `/s/${c.token}/stop`, { expect: { anon: 303, respondent: 303 } }),
  v('GET /s/:token/paper', SURVEY, (c) => `/s/${c.token}/paper`, { expect: { anon: 303, respondent: 303 } }),
  v('GET /s/:token', SURVEY, (c) => `/s/${c.token}`, { expect: { anon: 303, respondent: 303 } }),
  // Staff login (runs before the session check) …
  v('GET /staff/login', STAFF, '/staff/login', { expect: { anon: 200, admin: 303 } }),
  v('POST /staff/login', STAFF, '/staff/login', {
    form: () => ({ email: 'nobody@walk.test', password: 'not the password at all' }),
    expect: { anon: 401, admin: 401 },
  }),
  v('GET /staff/login/code', STAFF, '/staff/login/code', { expect: { anon: 303 } }),
  v('POST /staff/login/code', STAFF, '/staff/login/code', { form: () => ({ code: '000000' }), expect: { anon: 303 } }),
  v('GET /staff/login/enrol', STAFF, '/staff/login/enrol', { expect: { anon: 303 } }),
  v('POST /staff/login/enrol', STAFF, '/staff/login/enrol', {
    form: () => ({ code: '000000' }),
    expect: { anon: 303 },
  }),
  // … and everything behind it.
  v('USE /staff', STAFF, '/staff/no-such-page', { expect: { anon: 303, admin: 404, analyst: 404, registrar: 404 } }),
  v('GET /staff', STAFF, '/staff?by=hospital', { expect: { anon: 303, admin: 200, analyst: 200, registrar: 200 } }),
  v('GET /staff/exports', STAFF, '/staff/exports', { expect: { admin: 200, analyst: 200, registrar: 200 } }),
  v('GET /staff/export/dashboard.csv', STAFF, '/staff/export/dashboard.csv', {
    expect: { admin: 200, analyst: 200, registrar: 200 },
  }),
  v('GET /staff/export/responses.csv', STAFF, '/staff/export/responses.csv', { expect: onlyFor('analyst', 200) }),
  v('GET /staff/export/survivors.csv', STAFF, '/staff/export/survivors.csv', { expect: onlyFor('registrar', 200) }),
  v('GET /staff/report', STAFF, '/staff/report', { expect: { ...onlyFor('analyst', 200), admin: 200 } }),
  v('GET /staff/report.csv', STAFF, '/staff/report.csv?table=vas', {
    expect: { ...onlyFor('analyst', 200), admin: 200 },
  }),
  v('GET /staff/worklists', STAFF, '/staff/worklists', { expect: onlyFor('registrar', 200) }),
  v('GET /staff/survivors', STAFF, '/staff/survivors', { expect: onlyFor('registrar', 200) }),
  v('POST /staff/survivors/search', STAFF, '/staff/survivors/search', {
    form: () => ({ q: 'Testesen' }),
    expect: onlyFor('registrar', 200),
  }),
  v('GET /staff/survivors/:id', STAFF, () => `/staff/survivors/${ids.survivor}`, { expect: onlyFor('registrar', 200) }),
  v('POST /staff/survivors/:id/withdraw', STAFF, () => `/staff/survivors/${ids.survivor}/withdraw`, {
    form: () => ({}),
    expect: onlyFor('registrar', 400),
  }),
  v('POST /staff/survivors/:id/paper-now', STAFF, () => `/staff/survivors/${ids.survivor}/paper-now`, {
    form: () => ({}),
    expect: onlyFor('registrar', 303),
  }),
  v('POST /staff/survivors/:id/contact', STAFF, () => `/staff/survivors/${ids.survivor}/contact`, {
    form: () => ({ postal_code: 'x' }),
    expect: onlyFor('registrar', 400),
  }),
  v('POST /staff/survivors/:id/stop-contact', STAFF, () => `/staff/survivors/${ids.survivor}/stop-contact`, {
    form: () => ({}),
    expect: onlyFor('registrar', 400),
  }),
  v('POST /staff/survivors/:id/resume-contact', STAFF, () => `/staff/survivors/${ids.survivor}/resume-contact`, {
    form: () => ({}),
    expect: onlyFor('registrar', 400),
  }),
  v('POST /staff/survivors/:id/death', STAFF, () => `/staff/survivors/${ids.survivor}/death`, {
    form: () => ({}),
    expect: onlyFor('registrar', 400),
  }),
  v(
    'POST /staff/survivors/:id/letters/:letterId/returned',
    STAFF,
    () => `/staff/survivors/${ids.letterSurvivor}/letters/${ids.letter}/returned`,
    { form: () => ({}), expect: onlyFor('registrar', 400) },
  ),
  v('POST /staff/survivors/:id/notes', STAFF, () => `/staff/survivors/${ids.survivor}/notes`, {
    form: () => ({ text: '' }),
    expect: onlyFor('registrar', 400),
  }),
  v('GET /staff/paper', STAFF, '/staff/paper', { expect: { ...onlyFor('registrar', 200), admin: 200 } }),
  v('POST /staff/paper/find', STAFF, '/staff/paper/find', {
    form: () => ({ ref: formatLetterId(ids.letter) }),
    expect: { ...onlyFor('registrar', 303), admin: 303 },
  }),
  v('GET /staff/paper/letters/:id', STAFF, () => `/staff/paper/letters/${ids.letter}`, {
    expect: { ...onlyFor('registrar', 200), admin: 200 },
  }),
  v('POST /staff/paper/letters/:id/entries', STAFF, () => `/staff/paper/letters/${ids.letter}/entries`, {
    form: () => ({ ...entry, vas: '101' }),
    expect: { ...onlyFor('registrar', 400), admin: 400 },
  }),
  v('POST /staff/paper/letters/:id/resolve', STAFF, () => `/staff/paper/letters/${ids.letter}/resolve`, {
    form: () => ({}),
    expect: { ...onlyFor('registrar', 303), admin: 303 },
  }),
  v('GET /staff/paper/batches', STAFF, '/staff/paper/batches', {
    expect: { ...onlyFor('registrar', 200), admin: 200 },
  }),
  v('GET /staff/paper/batches/:id/confirm', STAFF, () => `/staff/paper/batches/${ids.batch}/confirm`, {
    expect: { ...onlyFor('registrar', 200), admin: 200 },
  }),
  v('POST /staff/paper/batches/:id/confirm', STAFF, () => `/staff/paper/batches/${ids.batch}/confirm`, {
    form: () => ({}),
    expect: { ...onlyFor('registrar', 303), admin: 303 },
  }),
  v('POST /staff/paper/batches/:id/undo', STAFF, () => `/staff/paper/batches/${ids.batch}/undo`, {
    form: () => ({}),
    expect: { ...onlyFor('registrar', 303), admin: 303 },
  }),
  v('GET /staff/users', STAFF, '/staff/users', { expect: onlyFor('admin', 200) }),
  v('POST /staff/users', STAFF, '/staff/users', {
    form: (c) => ({ email: `walk${c.n}@walk.test`, role: 'analyst', hospitals: '', password: STAFF_PASSWORD }),
    expect: onlyFor('admin', 303),
  }),
  v('POST /staff/users/:id/disable', STAFF, () => `/staff/users/${staff.spareAnalyst.id}/disable`, {
    form: () => ({}),
    expect: onlyFor('admin', 303),
  }),
  v('POST /staff/users/:id/enable', STAFF, () => `/staff/users/${staff.spareAnalyst.id}/enable`, {
    form: () => ({}),
    expect: onlyFor('admin', 303),
  }),
  v('POST /staff/users/:id/end-sessions', STAFF, () => `/staff/users/${staff.spareAnalyst.id}/end-sessions`, {
    form: () => ({}),
    expect: onlyFor('admin', 303),
  }),
  v('POST /staff/users/:id/reset-2fa', STAFF, () => `/staff/users/${staff.spareAnalyst.id}/reset-2fa`, {
    form: () => ({}),
    expect: onlyFor('admin', 303),
  }),
  v('POST /staff/users/:id/hospitals', STAFF, () => `/staff/users/${staff.spareRegistrar.id}/hospitals`, {
    form: () => ({ hospitals: 'HUS, SUS' }),
    expect: onlyFor('admin', 303),
  }),
  v('GET /staff/audit', STAFF, '/staff/audit', { expect: onlyFor('admin', 200) }),
  v('GET /staff/audit.csv', STAFF, '/staff/audit.csv', { expect: onlyFor('admin', 200) }),
  v('GET /staff/queues', STAFF, '/staff/queues', { expect: onlyFor('admin', 200) }),
  v('GET /staff/hospitals', STAFF, '/staff/hospitals', { expect: onlyFor('admin', 200) }),
  v('GET /staff/register', STAFF, '/staff/register', { expect: onlyFor('admin', 200) }),
  v('POST /staff/register', STAFF, '/staff/register', {
    form: () => ({
      name: 'Walk-registeret',
      organisation: 'Walk HF',
      controller: 'Walk-instituttet',
      phone: '+47 00 00 00 00',
    }),
    expect: onlyFor('admin', 303),
  }),
  v('GET /staff/hospitals/:code', STAFF, '/staff/hospitals/OUS', { expect: onlyFor('admin', 200) }),
  v('POST /staff/hospitals', STAFF, '/staff/hospitals', {
    form: () => ({ code: 'WALK', name: 'Walk sykehus', health_trust: 'Walk HF', region: 'Helse Nord RHF' }),
    expect: onlyFor('admin', 303),
  }),
  v('GET /staff/help/:topic', STAFF, '/staff/help/svarprosent', {
    expect: { anon: 303, admin: 200, analyst: 200, registrar: 200 },
  }),
  v('GET /staff/erasure', STAFF, '/staff/erasure', { expect: onlyFor('admin', 200) }),
  v('POST /staff/erasure/find', STAFF, '/staff/erasure/find', {
    form: () => ({ register_id: 'W1' }),
    expect: onlyFor('admin', 303),
  }),
  v('GET /staff/erasure/:id', STAFF, () => `/staff/erasure/${ids.survivor}`, { expect: onlyFor('admin', 200) }),
  v('POST /staff/erasure/:id', STAFF, () => `/staff/erasure/${ids.survivor}`, {
    form: () => ({ confirm_register_id: 'not W1' }),
    expect: onlyFor('admin', 400),
  }),
  v('POST /staff/logout', STAFF, '/staff/logout', {
    form: () => ({}),
    expect: { anon: 303, admin: 303, analyst: 303, registrar: 303 },
  }),
];

/** Cache policy by address: static files and the public API description may be cached. */
function cachePolicy(p: string): 'no-store' | 'static' | 'public-document' {
  if (p.startsWith('/static/')) return 'static';
  if (/^\/api\/v1\/(openapi\.json|docs|docs\.css)$/.test(p)) return 'public-document';
  return 'no-store';
}

let seq = 0;

/** The app with every optional part switched on (/metrics, scraped from loopback). */
function everything(overrides: Parameters<typeof appFor>[1] = {}) {
  return appFor(world, { metrics: createMetrics({ db, queues: world.queues, allow: ['loopback'] }), ...overrides });
}

/** Runs every visit for every identity on one app; returns all responses and wrong statuses. */
async function walk(secure: boolean): Promise<{ sent: Sent[]; unexpected: string[] }> {
  // One trusted proxy hop, which says the client spoke https (X-Forwarded-Proto).
  const app = everything(secure ? { secureCookies: true, trustProxy: 1 } : {});
  const sent: Sent[] = [];
  const unexpected: string[] = [];
  const browser = () => new Browser(app, secure, sent);
  const staffBrowsers = new Map<Who, { b: Browser; csrf: string }>();
  await Promise.all(
    (['admin', 'analyst', 'registrar'] as const).map(async (role) => {
      const b = browser();
      staffBrowsers.set(role, { b, csrf: await signInAs(b, staff[role]) });
    }),
  );
  for (const visit of VISITS) {
    for (const who of visit.who) {
      const inv = visit.who.includes('respondent') ? await createInvitation(db) : { token: '', shortCode: '' };
      const c: Ctx = { token: inv.token, shortCode: inv.shortCode, n: ++seq };
      let b: Browser;
      let csrf = '';
      if (who === 'admin' || who === 'analyst' || who === 'registrar') ({ b, csrf } = staffBrowsers.get(who)!);
      else if (who === 'respondent') {
        // A session of its own (some visits opt out or ask for paper).
        b = browser();
        const own = await createInvitation(db);
        await b.get(`/s/${own.token}`);
        csrf = csrfFrom((await b.get('/s/q/1')).text);
        c.token = own.token;
      } else {
        b = browser();
        // Anonymous POSTs come from a session of their own (the login page's), with its token.
        if (visit.form && !visit.route?.includes(' /api/')) csrf = csrfFrom((await b.get('/staff/login')).text);
      }
      const p = visit.path(c);
      const verb = (visit.route ?? 'GET').split(' ')[0]!;
      const method = verb === 'USE' ? 'GET' : (verb as 'GET' | 'POST' | 'PUT');
      const headers: Record<string, string> = who === 'apikey' ? { Authorization: `Bearer ${ids.apiKey}` } : {};
      const res =
        visit.json !== undefined
          ? await b.send(method, p, { json: visit.json, headers })
          : await b.send(method, p, visit.form ? { form: { ...visit.form(c), _csrf: csrf }, headers } : { headers });
      const want = visit.expect?.[who];
      if (want !== undefined && res.status !== want)
        unexpected.push(`${who} ${method} ${p}: ${res.status}, expected ${want} ${res.text.slice(0, 120)}`);
    }
  }
  return { sent, unexpected };
}

function problemsOf(sent: Sent[], secure: boolean): string[] {
  const problems: string[] = [];
  for (const { method, path: p, res } of sent) {
    const at = `${method} ${p} (${res.status})`;
    if (res.status >= 500) problems.push(`${at}: server error ${res.text.slice(0, 200)}`);
    for (const x of headerProblems(res, cachePolicy(p))) problems.push(`${at}: ${x}`);
    for (const x of cookieProblems(res, secure)) problems.push(`${at}: ${x}`);
    for (const x of dispositionProblems(res)) problems.push(`${at}: ${x}`);
    if (p.startsWith('/api/') && setCookies(res).length > 0) problems.push(`${at}: the API set a cookie`);
  }
  return problems;
}

describe('every registered route', () => {
  test('the route walker follows nested routers and their mount paths (express 5 keeps them as rawPath)', () => {
    const app = express();
    const outer = express.Router();
    const inner = express.Router();
    inner.post('/c/:id', (_req, res) => res.end());
    outer.use('/b', inner);
    outer.get('/x', (_req, res) => res.end());
    app.use('/a', outer);
    app.use('/files', express.static(tmpdir()));
    assert.deepEqual(registeredRoutes(app), ['GET /a/x', 'POST /a/b/c/:id', 'USE /files']);
  });

  test('the walk visits exactly the routes the app registers', (t) => {
    const registered = registeredRoutes(everything());
    const visited = [...new Set(VISITS.flatMap((x) => (x.route ? [x.route] : [])))].sort();
    assert.deepEqual(
      registered.filter((r) => !visited.includes(r)),
      [],
      'routes the walk does not visit: add them to VISITS',
    );
    assert.deepEqual(
      visited.filter((r) => !registered.includes(r)),
      [],
      'VISITS names routes the app no longer has',
    );
    assert.ok(registered.length >= 60, `only ${registered.length} routes found: the router walk is broken`);
    t.diagnostic(`${registered.length} routes walked (${registered.filter((r) => r.startsWith('POST')).length} POST)`);
  });

  for (const secure of [false, true]) {
    test(`headers, cookies and no server errors on every route and role (${secure ? 'secureCookies behind https' : 'plain cookies'})`, async (t) => {
      const { sent, unexpected } = await walk(secure);
      assert.deepEqual(unexpected, [], 'visits that did not reach the handler they are meant for');
      assert.deepEqual(problemsOf(sent, secure), []);
      const cookies = sent.flatMap((s) => setCookies(s.res));
      assert.ok(cookies.length > 50, 'the walk set session cookies (else the cookie checks proved nothing)');
      if (secure)
        assert.ok(
          cookies.every((c) => c.startsWith('__Host-prom=')),
          'only the __Host- session cookie',
        );
      assert.ok(
        sent.some((s) => s.path.endsWith('.csv') && s.res.status === 200 && s.res.headers['content-disposition']),
        'downloads were checked',
      );
      t.diagnostic(`${sent.length} responses checked`);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// CSRF
// ---------------------------------------------------------------------------------------------

interface CsrfCase {
  /** A browser allowed to make the request, its CSRF token, and the request that writes. */
  setup(
    app: ReturnType<typeof appFor>,
  ): Promise<{ b: Browser; csrf: string; path: string; form: Record<string, string> }>;
}

async function respondent(app: ReturnType<typeof appFor>, answered = false) {
  const inv = await createInvitation(db);
  if (answered)
    for (const [i, page] of PAGES.entries())
      await saveDraftAnswer(db, inv.invitationId, page, page === 'vas' ? 60 : 1 + (i % 5), osloDay(new Date()));
  const b = new Browser(app);
  await b.get(`/s/${inv.token}`);
  return { b, csrf: csrfFrom((await b.get('/kode')).text), inv };
}
async function signedIn(app: ReturnType<typeof appFor>, email: string, role: TestStaff['role'], hospitals?: string[]) {
  const u = await quickStaff(db, { email, role, hospitals });
  const b = new Browser(app);
  return { b, csrf: await signInAs(b, u), u };
}
/** One signed-in admin and one registrar (OUS) for the CSRF cases, made on first use. */
const csrfStaff = new Map<string, Promise<{ b: Browser; csrf: string }>>();
function staffOf(app: ReturnType<typeof appFor>, role: 'admin' | 'registrar') {
  if (!csrfStaff.has(role))
    csrfStaff.set(role, signedIn(app, `csrf.${role}@walk.test`, role, role === 'registrar' ? ['OUS'] : undefined));
  return csrfStaff.get(role)!;
}
async function anonymous(app: ReturnType<typeof appFor>, page = '/staff/login') {
  const b = new Browser(app);
  return { b, csrf: csrfFrom((await b.get(page)).text) };
}

const CSRF_CASES: Record<string, CsrfCase> = {
  'POST /s/q/:n': { setup: async (app) => ({ ...(await respondent(app)), path: '/s/q/1', form: { answer: '3' } }) },
  'POST /s/who': {
    setup: async (app) => ({ ...(await respondent(app)), path: '/s/who', form: { respondent: 'proxy' } }),
  },
  'POST /s/submit': {
    setup: async (app) => {
      const r = await respondent(app, true);
      return { ...r, path: '/s/submit', form: { version: String((await loadDraft(db, r.inv.invitationId)).version) } };
    },
  },
  'POST /s/stop': { setup: async (app) => ({ ...(await respondent(app)), path: '/s/stop', form: {} }) },
  'POST /s/paper': { setup: async (app) => ({ ...(await respondent(app)), path: '/s/paper', form: {} }) },
  'POST /kode': {
    setup: async (app) => ({
      ...(await anonymous(app, '/kode')),
      path: '/kode',
      form: { code: (await createInvitation(db)).shortCode },
    }),
  },
  'POST /staff/login': {
    setup: async (app) => {
      const u = await quickStaff(db, { email: 'csrf.login@walk.test', role: 'analyst' });
      return { ...(await anonymous(app)), path: '/staff/login', form: { email: u.email, password: u.password } };
    },
  },
  'POST /staff/login/code': {
    setup: async (app) => {
      const u = await quickStaff(db, { email: 'csrf.code@walk.test', role: 'analyst' });
      const { b, csrf } = await anonymous(app);
      await b.post('/staff/login', { _csrf: csrf, email: u.email, password: u.password });
      const page = await b.get('/staff/login/code');
      return { b, csrf: csrfFrom(page.text), path: '/staff/login/code', form: { code: await nextCode(u) } };
    },
  },
  'POST /staff/login/enrol': {
    setup: async (app) => {
      const u = await quickStaff(db, { email: 'csrf.enrol@walk.test', role: 'analyst' });
      await db
        .updateTable('staff_users')
        .set({ totp_secret: null, totp_enrolled_at: null })
        .where('id', '=', u.id)
        .execute();
      const { b, csrf } = await anonymous(app);
      await b.post('/staff/login', { _csrf: csrf, email: 'csrf.enrol@walk.test', password: STAFF_PASSWORD });
      const page = await b.get('/staff/login/enrol');
      return { b, csrf: csrfFrom(page.text), path: '/staff/login/enrol', form: { code: '000000' } };
    },
  },
  'POST /staff/logout': {
    setup: async (app) => ({
      ...(await signedIn(app, 'csrf.logout@walk.test', 'analyst')),
      path: '/staff/logout',
      form: {},
    }),
  },
  'POST /staff/survivors/search': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: '/staff/survivors/search',
      form: { q: 'Csrf' },
    }),
  },
  'POST /staff/survivors/:id/paper-now': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: `/staff/survivors/${ids.csrfSurvivor}/paper-now`,
      form: {},
    }),
  },
  'POST /staff/survivors/:id/contact': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: `/staff/survivors/${ids.csrfSurvivor}/contact`,
      form: {
        email: '',
        phone: '',
        address_line: 'Csrfgata 1',
        postal_code: '0150',
        city: 'Oslo',
        language: 'nb',
        channel_rule: 'email-or-paper',
      },
    }),
  },
  'POST /staff/survivors/:id/stop-contact': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: `/staff/survivors/${ids.csrfSurvivor}/stop-contact`,
      form: { source: 'person', date: '2026-01-02', confirm: 'yes' },
    }),
  },
  'POST /staff/survivors/:id/resume-contact': {
    setup: async (app) => {
      await db.updateTable('survivors').set({ opted_out_at: new Date() }).where('id', '=', ids.csrfSurvivor).execute();
      return {
        ...(await staffOf(app, 'registrar')),
        path: `/staff/survivors/${ids.csrfSurvivor}/resume-contact`,
        form: { confirm: 'yes' },
      };
    },
  },
  'POST /staff/survivors/:id/death': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: `/staff/survivors/${ids.csrfSurvivor}/death`,
      form: { date: osloDay(new Date()), confirm: 'yes' },
    }),
  },
  'POST /staff/survivors/:id/letters/:letterId/returned': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: `/staff/survivors/${ids.letterSurvivor}/letters/${ids.letter}/returned`,
      form: { confirm: 'yes' },
    }),
  },
  'POST /staff/survivors/:id/notes': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: `/staff/survivors/${ids.csrfSurvivor}/notes`,
      form: { text: 'csrf' },
    }),
  },
  'POST /staff/paper/batches/:id/undo': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: `/staff/paper/batches/${ids.batch}/undo`,
      form: {},
    }),
  },
  'POST /staff/erasure/find': {
    setup: async (app) => ({
      ...(await staffOf(app, 'admin')),
      path: '/staff/erasure/find',
      form: { register_id: 'W2' },
    }),
  },
  'POST /staff/erasure/:id': {
    setup: async (app) => {
      const id = await writeSurvivor(db, { registerId: 'W9', nationalIdSeed: 19, hospital: 'OUS', givenName: 'Erase' });
      return { ...(await staffOf(app, 'admin')), path: `/staff/erasure/${id}`, form: { confirm_register_id: 'W9' } };
    },
  },
  'POST /staff/survivors/:id/withdraw': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: `/staff/survivors/${ids.csrfSurvivor}/withdraw`,
      form: { confirm: 'yes' },
    }),
  },
  'POST /staff/paper/find': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: '/staff/paper/find',
      form: { ref: formatLetterId(ids.letter) },
    }),
  },
  'POST /staff/paper/letters/:id/entries': {
    setup: async (app) => ({
      ...(await staffOf(app, 'registrar')),
      path: `/staff/paper/letters/${ids.letter}/entries`,
      form: { ...entry, received_on: osloDay(new Date()) },
    }),
  },
  'POST /staff/paper/letters/:id/resolve': {
    setup: async (app) => ({
      ...(await staffOf(app, 'admin')),
      path: `/staff/paper/letters/${ids.letter}/resolve`,
      form: {},
    }),
  },
  'POST /staff/paper/batches/:id/confirm': {
    setup: async (app) => ({
      ...(await staffOf(app, 'admin')),
      path: `/staff/paper/batches/${ids.batch}/confirm`,
      form: {},
    }),
  },
  'POST /staff/users': {
    setup: async (app) => ({
      ...(await staffOf(app, 'admin')),
      path: '/staff/users',
      form: { email: 'csrf.new@walk.test', role: 'analyst', hospitals: '', password: STAFF_PASSWORD },
    }),
  },
  ...Object.fromEntries(
    ['disable', 'enable', 'end-sessions', 'reset-2fa', 'hospitals'].map((action) => [
      `POST /staff/users/:id/${action}`,
      {
        setup: async (app: ReturnType<typeof appFor>) => {
          const form: Record<string, string> = action === 'hospitals' ? { hospitals: 'SUS' } : {};
          return { ...(await staffOf(app, 'admin')), path: `/staff/users/${staff.spareRegistrar.id}/${action}`, form };
        },
      } satisfies CsrfCase,
    ]),
  ),
  'POST /staff/hospitals': {
    setup: async (app) => ({
      ...(await staffOf(app, 'admin')),
      path: '/staff/hospitals',
      form: { code: 'CSRF', name: 'Csrf sykehus', health_trust: 'Csrf HF', region: 'Helse Vest RHF' },
    }),
  },
  'POST /staff/register': {
    setup: async (app) => ({
      ...(await staffOf(app, 'admin')),
      path: '/staff/register',
      form: {
        name: 'Csrf-registeret',
        organisation: 'Csrf HF',
        controller: 'Csrf-instituttet',
        phone: '+47 00 00 00 00',
      },
    }),
  },
};

describe('CSRF: every browser POST refuses a missing or wrong token and writes nothing', () => {
  let csrfApp: ReturnType<typeof appFor>;
  before(() => {
    csrfApp = appFor(world);
  });
  test('there is a case for every POST route outside /api', () => {
    const posts = registeredRoutes(everything()).filter((r) => r.startsWith('POST ') && !r.startsWith('POST /api/'));
    assert.deepEqual(
      posts.filter((r) => !(r in CSRF_CASES)),
      [],
      'POST routes without a CSRF case',
    );
    assert.deepEqual(
      Object.keys(CSRF_CASES).filter((r) => !posts.includes(r)),
      [],
      'CSRF cases for routes that no longer exist',
    );
  });

  for (const route of Object.keys(CSRF_CASES)) {
    test(route, async () => {
      const app = csrfApp;
      const { b, csrf, path: p, form } = await CSRF_CASES[route]!.setup(app);
      const other = await anonymous(app); // a valid token, but of another session
      const before = await fingerprint(db);
      for (const token of [undefined, '', 'forged-token', other.csrf, `${csrf}x`]) {
        const res = await b.post(p, token === undefined ? form : { ...form, _csrf: token });
        assert.equal(res.status, 403, `token ${JSON.stringify(token)}: ${res.status}`);
        assert.match(res.text, /<title>/, 'the friendly 403 page');
      }
      assert.deepEqual(changedTables(before, await fingerprint(db)), [], 'a refused POST wrote nothing');
      // The same request with the session's token does write: the check above could have failed.
      const ok = await b.post(p, { ...form, _csrf: csrf });
      assert.ok(ok.status !== 403 && ok.status < 500, `with the right token: ${ok.status} ${ok.text.slice(0, 200)}`);
      assert.notDeepEqual(
        changedTables(before, await fingerprint(db)),
        [],
        'with the right token the request changes something',
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Session fixation and logout
// ---------------------------------------------------------------------------------------------

/** The session id inside a signed cookie value (s:<id>.<signature>), hashed as the store keys it. */
function storedSid(cookieValue: string): string {
  const raw = decodeURIComponent(cookieValue);
  const sid = raw.slice(2, raw.lastIndexOf('.'));
  return createHash('sha256').update(sid).digest('base64url');
}
async function sessionRow(cookieValue: string) {
  return db.selectFrom('sessions').select('data').where('sid', '=', storedSid(cookieValue)).executeTakeFirst();
}
/** Someone holding only this cookie value (e.g. one they planted before the victim signed in). */
function holder(app: ReturnType<typeof appFor>, cookieValue: string): Browser {
  const b = new Browser(app);
  b.cookies.set('prom.sid', cookieValue);
  return b;
}

describe('session fixation and logout', () => {
  test('staff login: a new session id at the password and at the code step; the earlier ids are worth nothing', async () => {
    const app = appFor(world);
    const u = await quickStaff(db, { email: 'fixation@walk.test', role: 'admin' });
    const b = new Browser(app);
    const page = await b.get('/staff/login');
    const planted = b.session!;
    assert.ok(planted && (await sessionRow(planted)), 'the login page made a session (for its CSRF token)');

    await b.post('/staff/login', { _csrf: csrfFrom(page.text), email: u.email, password: u.password });
    const half = b.session;
    assert.notEqual(half, planted, 'new id after the password');
    assert.equal(await sessionRow(planted), undefined, 'the pre-login session is gone from the store');
    await b.get('/staff/login/code').then((r) => assert.equal(r.status, 200));
    assert.equal(
      (await holder(app, planted).get('/staff/login/code')).headers.location,
      '/staff/login',
      'the planted id is not half signed in',
    );

    await b.post('/staff/login/code', {
      _csrf: csrfFrom((await b.get('/staff/login/code')).text),
      code: await nextCode(u),
    });
    const full = b.session;
    assert.ok(full !== half && full !== planted, 'new id once signed in');
    assert.equal((await b.get('/staff/users')).status, 200);
    for (const old of [planted, half]) {
      const res = await holder(app, old).get('/staff/users');
      assert.equal(res.status, 303, 'an earlier id does not open staff pages');
      assert.equal(res.headers.location, '/staff/login');
      assert.equal(await sessionRow(old), undefined);
    }
  });

  test('respondents: the code and the link each trade any earlier session for a new one', async () => {
    const app = appFor(world);
    const inv = await createInvitation(db);
    const b = new Browser(app);
    const page = await b.get('/kode');
    const planted = b.session!;
    assert.ok(planted);
    assert.equal(
      (await b.post('/kode', { _csrf: csrfFrom(page.text), code: inv.shortCode })).headers.location,
      '/s?via=code',
    );
    const afterCode = b.session;
    assert.notEqual(afterCode, planted);
    assert.equal((await b.get('/s/q/1')).status, 200);
    assert.equal((await holder(app, planted).get('/s/q/1')).status, 401, 'the planted id has no invitation');
    assert.equal(await sessionRow(planted), undefined);

    // The e-mail link, opened in a browser that already has a session (one an attacker planted, say).
    const victim = (await anonymous(app, '/kode')).b;
    const before = victim.session!;
    assert.equal((await victim.get(`/s/${(await createInvitation(db)).token}`)).headers.location, '/s');
    assert.notEqual(victim.session, before);
    assert.equal((await holder(app, before).get('/s/q/1')).status, 401);
    assert.equal((await victim.get('/s/q/1')).status, 200);
  });

  test('logout destroys the session on the server: the old cookie no longer opens anything', async () => {
    const app = appFor(world);
    const { b, csrf } = await signedIn(app, 'logout@walk.test', 'registrar', ['OUS']);
    const cookie = b.session!;
    assert.ok(await sessionRow(cookie));
    const out = await b.post('/staff/logout', { _csrf: csrf });
    assert.equal(out.headers.location, '/staff/login');
    assert.match(
      setCookies(out).join('\n'),
      /prom\.sid=;.*Expires=Thu, 01 Jan 1970/,
      'the browser is told to forget the cookie',
    );
    assert.equal(await sessionRow(cookie), undefined, 'no session row left');
    const replay = await holder(app, cookie).get(`/staff/survivors/${ids.survivor}`);
    assert.equal(replay.status, 303);
    assert.equal(replay.headers.location, '/staff/login');
  });
});
