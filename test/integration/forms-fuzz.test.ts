// Property-based tests of every kind of body the service takes (fast-check): random fields,
// wrong types, unusual Unicode and oversized bodies always get a 4xx (or the normal redirect for
// a valid answer) with a readable message — never a 500 — and never a partial write.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import request from 'supertest';
import { sql } from 'kysely';
import { createApiKey } from '../../src/api/keys.ts';
import { createWorld, type World } from '../support/world.ts';
import { createInvitation } from '../support/survey-fixtures.ts';
import { csrfFrom } from '../support/browser-less.ts';

/** What the tests read of a problem+json body (supertest types a JSON body as any). */
type Problem = { detail?: unknown; errors?: unknown };

let world: World;
let app: ReturnType<World['app']>;
let apiKey: string;

before(async () => {
  world = await createWorld();
  app = world.app();
  apiKey = (
    await createApiKey(world.database.db, { name: 'fuzz', scopes: ['intake'], hospitals: [], createdBy: 'fuzz test' })
  ).key;
});
after(async () => {
  await world?.close();
});

const weird = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '6',
    '-1',
    '101',
    '1e2',
    '３',
    '٣',
    '\u0000',
    '\u202e5',
    '5\n',
    '<b>',
    '9'.repeat(400),
    '🫀',
  ),
);
const formBody = fc.dictionary(
  fc.constantFrom('answer', 'return', 'kode', 'email', 'password', 'code', 'confirm', 'x', '__proto__', 'answer[]'),
  weird,
  { maxKeys: 5 },
);

function plausible(status: number, text: string) {
  assert.ok(status < 500, `got ${status}: ${text.slice(0, 200)}`);
}

test('respondent pages: random form bodies are a 303 for a valid answer or a 4xx page, never a 500', async () => {
  const invitation = await createInvitation(world.database.db);
  const agent = request.agent(app);
  await agent.get(`/s/${invitation.token}`).expect(303);
  const csrf = csrfFrom((await agent.get('/s/q/1').expect(200)).text);
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 6 }), formBody, async (page, body) => {
      const res = await agent
        .post(`/s/q/${page}`)
        .type('form')
        .send({ ...body, _csrf: csrf });
      plausible(res.status, res.text);
      if (res.status === 303) return;
      assert.equal(res.status, 400, res.text.slice(0, 200));
      assert.match(res.text, /<title>Feil: /, 'a 400 page says what is wrong');
    }),
    { numRuns: 120 },
  );
  const drafts = await world.database.db
    .selectFrom('answer_drafts')
    .select('answers')
    .where('invitation_id', '=', invitation.invitationId)
    .execute();
  for (const d of drafts) {
    for (const [k, v] of Object.entries(d.answers)) {
      assert.ok(Number.isInteger(v), `${k} stored as a whole number`);
      assert.ok(k === 'vas' ? v >= 0 && v <= 100 : v >= 1 && v <= 5, `${k}=${v} in range`);
    }
  }
});

test('login, short code and submit with random bodies: 4xx, never a 500', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('/staff/login', '/kode', '/s/submit'),
      formBody,
      fc.boolean(),
      async (path, body, withCsrf) => {
        const agent = request.agent(app);
        const page = await agent.get(path === '/s/submit' ? '/kode' : path);
        const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
        const res = await agent
          .post(path)
          .type('form')
          .send(withCsrf && csrf ? { ...body, _csrf: csrf } : body);
        plausible(res.status, res.text);
        assert.ok(res.status >= 300, `${path} answered ${res.status}`);
      },
    ),
    { numRuns: 60 },
  );
});

test('oversized and malformed bodies get 413 or 400, not 500', async () => {
  const big = 'a'.repeat(200_000);
  const form = await request(app).post('/s/q/1').type('form').send(`answer=${big}`);
  assert.equal(form.status, 413);
  assert.match(form.text, /Skjemaet var for stort/);
  const api = await request(app)
    .put('/api/v1/survivors/R1')
    .set('Authorization', `Bearer ${apiKey}`)
    .set('Content-Type', 'application/json')
    .send(`{"x":"${'a'.repeat(3_000_000)}"}`);
  assert.equal(api.status, 413);
  assert.match(api.headers['content-type'] ?? '', /application\/problem\+json/);
  const broken = await request(app)
    .put('/api/v1/survivors/R1')
    .set('Authorization', `Bearer ${apiKey}`)
    .set('Content-Type', 'application/json')
    .send('{"register_id": ');
  assert.equal(broken.status, 400);
});

test('API intake: random JSON bodies get 2xx or a specific problem+json 4xx, and nothing half written', async () => {
  const value = fc.oneof(
    weird,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.object({ maxDepth: 1 }),
  );
  const field = fc.constantFrom(
    'national_id',
    'birth_date',
    'sex',
    'arrest_date',
    'arrest_type',
    'hospital',
    'email',
    'language',
    'given_name',
    'postal_code',
    'x',
  );
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(field, value, { maxKeys: 9 }),
      fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/),
      async (body, id) => {
        const res = await request(app)
          .put(`/api/v1/survivors/F-${id}`)
          .set('Authorization', `Bearer ${apiKey}`)
          .send(body);
        plausible(res.status, JSON.stringify(res.body));
        if (res.status >= 400) {
          assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
          assert.equal(
            typeof (res.body as Problem).detail === 'string' || Array.isArray((res.body as Problem).errors),
            true,
            'a specific message',
          );
        }
      },
    ),
    { numRuns: 80 },
  );
  const orphans = await sql<{
    n: number;
  }>`select count(*)::int as n from survivors s where not exists (select 1 from arrest_events e where e.survivor_id = s.id)`.execute(
    world.database.db,
  );
  assert.equal(orphans.rows[0]!.n, 0, 'no survivor without its arrest event');
});

test('a field sent twice reads as missing: the short code, an EQ-5D page and the login say what to fill in', async () => {
  // An app of its own: the tests above used up the attempt limits of theirs.
  const fresh = world.app();
  const agent = request.agent(fresh);
  const csrf = csrfFrom((await agent.get('/kode').expect(200)).text);
  const code = await agent.post('/kode').type('form').send(`_csrf=${csrf}&code=ABCD&code=EFGH`).expect(400);
  assert.match(code.text, /Skriv inn koden fra brevet/);
  const login = await agent.post('/staff/login').type('form').send(`_csrf=${csrf}&email=a&email=b&password=x`);
  assert.equal(login.status, 400);
  assert.match(login.text, /Skriv inn e-postadressen og passordet ditt/);
  const invitation = await createInvitation(world.database.db);
  const respondent = request.agent(fresh);
  await respondent.get(`/s/${invitation.token}`).expect(303);
  const token = csrfFrom((await respondent.get('/s/q/1').expect(200)).text);
  const page = await respondent.post('/s/q/1').type('form').send(`_csrf=${token}&answer=1&answer=2`).expect(400);
  assert.match(page.text, /Velg det svaret som passer best for /);
  const drafts = await world.database.db
    .selectFrom('answer_drafts')
    .select('answers')
    .where('invitation_id', '=', invitation.invitationId)
    .execute();
  assert.deepEqual(
    drafts.map((d) => d.answers),
    [],
    'nothing saved',
  );
});
