// Property-based test of every staff form (fast-check): each POST route under /staff that the app
// registers gets random bodies and random route parameters (real ids, zero, negatives, overflow,
// words, full-width digits) from a signed-in admin and a signed-in registrar, with a valid CSRF
// token so the handlers themselves are reached. Every answer is a redirect, a page or a 4xx page —
// never a 5xx — and an answer of 400 or more has written nothing but audit rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { systemClock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { letterCodeKey, makeBatch } from '../../src/paper/batch.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createViews } from '../../src/i18n/views.ts';
import { importPeople, withAddress } from '../support/lifecycle.ts';
import { person } from '../support/people.ts';
import {
  appFor,
  Browser,
  changedTables,
  fingerprint,
  quickStaff,
  registeredRoutes,
  signInAs,
} from '../support/security.ts';
import { writeSurvivor, writeTestHospitals } from '../support/staff-cohort.ts';
import type { TestStaff } from '../support/staff.ts';
import { createWorld, PUBLIC_URL, TEST_SESSION_SECRET, type World } from '../support/world.ts';

let world: World;
let db: Db;
const realIds: Record<string, number> = {};
let signedIn: { role: string; b: Browser; csrf: string; who: TestStaff }[];

before(async () => {
  world = await createWorld();
  db = world.database.db;
  await writeTestHospitals(db);
  const admin = await quickStaff(db, { email: 'admin@fuzz.test', role: 'admin' });
  const registrar = await quickStaff(db, { email: 'registrar@fuzz.test', role: 'registrar', hospitals: ['OUS'] });
  // Users the admin's random requests may disable or change; never the fuzzing users themselves.
  realIds.user = (await quickStaff(db, { email: 'spare@fuzz.test', role: 'registrar', hospitals: ['HUS'] })).id;
  realIds.survivor = await writeSurvivor(db, {
    registerId: 'F1',
    nationalIdSeed: 31,
    hospital: 'OUS',
    givenName: 'Fuzz',
  });
  await importPeople(db, [{ ...person(41, { register_id: 'FP1', hospital: 'OUS', email: '' }), ...withAddress }]);
  await runSchedulingPass(db, undefined, systemClock);
  const deps = {
    db,
    views: createViews(),
    instruments: loadInstruments(),
    publicUrl: PUBLIC_URL,
    codeKey: letterCodeKey(TEST_SESSION_SECRET),
  };
  const batch = await makeBatch(deps, systemClock, mkdtempSync(path.join(tmpdir(), 'prom-fuzz-letters-')), 'test');
  realIds.batch = batch.batchId!;
  realIds.letter = (
    await db.selectFrom('letters').select('id').where('batch_id', '=', realIds.batch).executeTakeFirstOrThrow()
  ).id;
  const app = appFor(world);
  signedIn = [];
  for (const [role, who] of [
    ['admin', admin],
    ['registrar', registrar],
  ] as const) {
    const b = new Browser(app);
    signedIn.push({ role, b, csrf: await signInAs(b, who), who });
  }
});
after(async () => {
  await world?.close();
});

/** Staff POST routes; the login steps are fuzzed in forms-fuzz.test.ts, logout ends the session. */
function staffPostRoutes(): string[] {
  return registeredRoutes(appFor(world))
    .filter((r) => r.startsWith('POST /staff/') && !r.startsWith('POST /staff/login') && r !== 'POST /staff/logout')
    .map((r) => r.slice('POST '.length));
}

const FIELDS = [
  'email',
  'role',
  'hospitals',
  'password',
  'code',
  'name',
  'health_trust',
  'region',
  'q',
  'ref',
  'reason',
  'confirm',
  'mobility',
  'self_care',
  'usual_activities',
  'pain_discomfort',
  'anxiety_depression',
  'vas',
  'vas_code',
  'choice',
  'field',
  'x',
];
const value = fc.oneof(
  fc.string({ maxLength: 16 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom(
    '',
    '1',
    '3',
    '101',
    '-1',
    'admin',
    'analyst',
    'registrar',
    'OUS',
    'OUS,HUS',
    'on',
    'yes',
    'a@b.no',
    '<script>',
    '\u0000',
    '٣',
    '9'.repeat(300),
    '0123456789012',
  ),
);
const body = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 8 });
const param = (name: string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(String(realIds[name] ?? 1)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '0',
        '-1',
        '2147483648',
        '99999999999999999999',
        'abc',
        '1e3',
        '１',
        '1.5',
        '%20',
        'L-000001',
      ),
    },
  );

/**
 * What a refusal must leave alone: every table, less the sessions (their data moves with any
 * request) and the audit log, which records attempts too (a refused access, a search that found
 * nobody) and only ever grows (the database refuses to change or delete its rows).
 */
function writes(): Promise<Record<string, string>> {
  return fingerprint(db, ['sessions', 'audit_log']);
}

/** Which real id a route parameter stands for. */
function idKind(route: string): string {
  if (route.startsWith('/staff/users/')) return 'user';
  if (route.startsWith('/staff/survivors/')) return 'survivor';
  if (route.startsWith('/staff/paper/batches/')) return 'batch';
  return 'letter';
}

test(
  'every staff form: random bodies and parameters are never a 5xx, and a refusal writes nothing',
  { timeout: 600_000 }, // a guard against a hang, not a speed check: the suite runs two databases side by side
  async (t) => {
    const routes = staffPostRoutes();
    assert.ok(routes.length >= 10, `staff POST routes found: ${routes.join(', ')}`);
    let requests = 0;
    const statuses = new Map<number, number>();
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(0, 1), param(idKind(route)), body, async (which, id, form) => {
          const who = signedIn[which]!;
          const url = route.replace(/:[a-z_]+/g, encodeURIComponent(id));
          const before = await writes();
          const res = await who.b.post(url, { ...form, _csrf: who.csrf });
          requests++;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.ok(
            res.status < 500,
            `${who.role} POST ${url} ${JSON.stringify(form)}: ${res.status} ${res.text.slice(0, 200)}`,
          );
          if (res.status >= 400) {
            assert.match(res.text, /<title>[^<]+<\/title>/, 'a page that says what went wrong');
            const changed = changedTables(before, await writes());
            assert.deepEqual(
              changed,
              [],
              `${who.role} POST ${url} answered ${res.status} but changed ${changed.join(', ')}`,
            );
          }
        }),
        { numRuns: 30, includeErrorInReport: true },
      );
    }
    // Still signed in (the fuzz never hit its own account), so the requests reached the handlers.
    for (const s of signedIn) assert.equal((await s.b.get('/staff')).status, 200, `${s.role} still signed in`);
    t.diagnostic(
      `${requests} requests over ${routes.length} routes; statuses ${[...statuses]
        .sort()
        .map(([s, n]) => `${s}×${n}`)
        .join(', ')}`,
    );
  },
);

test('a NUL character in any form field or query gets a 400 page in the staff language, on PostgreSQL too', async () => {
  const admin = signedIn.find((s) => s.role === 'admin')!;
  const before = await writes();
  const form = await admin.b.post(`/staff/users/${realIds.user}/hospitals`, {
    hospitals: 'OUS\u0000',
    _csrf: admin.csrf,
  });
  assert.equal(form.status, 400);
  assert.match(form.text, /<title>Skjemaet inneholdt et ugyldig tegn/);
  const query = await admin.b.get('/staff/audit?actor=%00');
  assert.equal(query.status, 400);
  assert.deepEqual(changedTables(before, await writes()), []);
});

test("a registrar's hospitals: a code too long, or none, is a 400 that says which and keeps what was typed; nothing written", async () => {
  const admin = signedIn.find((s) => s.role === 'admin')!;
  const field = `id="hospitals-${realIds.user}"`;
  for (const [typed, message] of [
    [`HUS, ${'9'.repeat(300)}`, 'En sykehuskode kan ha høyst 32 tegn'],
    [' , ;', 'Registerpersonell må ha minst ett sykehus'],
  ] as const) {
    const before = await writes();
    const res = await admin.b.post(`/staff/users/${realIds.user}/hospitals`, { hospitals: typed, _csrf: admin.csrf });
    assert.equal(res.status, 400, typed);
    assert.match(res.text, /<title>Feil: /);
    assert.match(res.text, new RegExp(`<a href="#hospitals-${realIds.user}">${message}</a>`));
    const input = res.text.slice(res.text.indexOf(field) - 60, res.text.indexOf(field) + 600);
    assert.ok(input.includes(`value="${typed}"`), 'what was typed is shown again');
    assert.match(input, /aria-invalid="true"/);
    assert.deepEqual(changedTables(before, await writes()), [], typed);
  }
  const added = await admin.b.post('/staff/users', {
    email: 'long.code@fuzz.test',
    role: 'registrar',
    hospitals: 'X'.repeat(33),
    password: 'a long enough password',
    _csrf: admin.csrf,
  });
  assert.equal(added.status, 400);
  assert.match(added.text, /<a href="#new-hospitals">En sykehuskode kan ha høyst 32 tegn<\/a>/);
  const saved = await admin.b.post(`/staff/users/${realIds.user}/hospitals`, {
    hospitals: 'HUS; SUS',
    _csrf: admin.csrf,
  });
  assert.equal(saved.status, 303);
  assert.deepEqual(
    (await db.selectFrom('staff_users').select('hospitals').where('id', '=', realIds.user!).executeTakeFirstOrThrow())
      .hospitals,
    ['HUS', 'SUS'],
  );
});

test('a registrar with no hospitals yet sees empty lists, not an error', async () => {
  const nobody = await quickStaff(db, { email: 'no.hospitals@fuzz.test', role: 'registrar', hospitals: [] });
  const b = new Browser(appFor(world));
  const csrf = await signInAs(b, nobody);
  for (const page of ['/staff/worklists', '/staff/paper', '/staff/paper/batches'])
    assert.equal((await b.get(page)).status, 200, page);
  const search = await b.post('/staff/survivors/search', { q: 'Fuzz', _csrf: csrf });
  assert.equal(search.status, 200);
  assert.doesNotMatch(search.text, /F1\b/, 'nobody outside the scope');
  assert.equal((await b.get(`/staff/survivors/${realIds.survivor}`)).status, 404);
  const find = await b.post('/staff/paper/find', { ref: 'L-000001', _csrf: csrf });
  assert.equal(find.status, 400, 'no letter found outside the scope');
});
