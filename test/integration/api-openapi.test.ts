// /api/v1/openapi.json is a valid OpenAPI 3.1 document for a real validator
// (@readme/openapi-parser), it describes exactly the mounted endpoints, its response schemas catch
// a wrong answer, and /api/v1/docs is a readable page without scripts under the service's CSP.
// (Every answer of the running service is checked against the document in api.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import Ajv2020Module from 'ajv/dist/2020.js';
import { compileErrors, validate } from '@readme/openapi-parser';
import { systemClock } from '../../src/clock.ts';
import { PROBLEM_TYPES, problemTypeUri, type ProblemType } from '../../src/api/problem.ts';
import { OPERATIONS } from '../../src/api/spec.ts';
import { loadInstruments } from '../../src/instruments/eq5d-texts.ts';
import { createApp } from '../../src/web/app.ts';
import { createViews } from '../../src/i18n/views.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ??
  Ajv2020Module) as typeof import('ajv/dist/2020.js').default;

let database: TestDatabase;
let app: ReturnType<typeof createApp>;
/** What the tests read of the served document (request-body and response schemas are checked with Ajv). */
interface Operation {
  operationId: string;
  security: unknown;
  parameters?: unknown[];
  responses: { '401': { content: { 'application/problem+json': { schema: { $ref: string } } } } } & Record<
    string,
    unknown
  >;
}
interface Schema {
  required: string[];
  additionalProperties: unknown;
  properties: { records: { maxItems?: number } };
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: { bearerAuth: { description: string } };
    schemas: { SurvivorRecord: Schema; SurvivorBatch: Schema } & Record<string, unknown>;
  };
}
let doc: Doc;

before(async () => {
  database = await createTestDatabase();
  app = createApp({
    db: database.db,
    views: createViews(),
    instruments: loadInstruments(),
    clock: systemClock,
    sessionSecret: 'api-doc-test-secret-api-doc-test-secret-0',
    secureCookies: false,
    redisAlive: () => Promise.resolve(true),
  });
  doc = (
    await request(app)
      .get('/api/v1/openapi.json')
      .expect(200)
      .expect('Content-Type', /application\/json/)
  ).body as Doc;
});
after(async () => {
  await database?.drop();
});

test('the served document validates as OpenAPI 3.1 with @readme/openapi-parser', async () => {
  assert.equal(doc.openapi, '3.1.0');
  const result = await validate(structuredClone(doc) as never);
  assert.equal(result.specification, 'OpenAPI');
  assert.ok(result.valid, result.valid ? '' : compileErrors(result));
  assert.deepEqual(result.warnings, []);
});

test('the validator is real: a broken copy of the document is refused', async () => {
  const broken = structuredClone(doc);
  delete (broken.paths['/deaths']!.post as Partial<Operation>).responses;
  broken.paths['/survivors/{register_id}']!.put!.parameters = [];
  const result = await validate(broken as never);
  assert.equal(result.valid, false);
});

test('the document lists exactly the operations the router mounts, each with its scope and the problems', async () => {
  const documented = Object.entries(
    doc.paths as Record<
      string,
      Record<string, { operationId: string; security: unknown; responses: Record<string, unknown> }>
    >,
  ).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => `${method} ${path} ${op.operationId}`));
  assert.deepEqual(documented.sort(), OPERATIONS.map((o) => `${o.method} ${o.path} ${o.id}`).sort());
  for (const op of OPERATIONS) {
    const o = doc.paths[op.path]![op.method]!;
    assert.deepEqual(o.security, [{ bearerAuth: [op.scope] }]);
    for (const status of ['401', '403', '429', '500', '503'])
      assert.ok(o.responses[status], `${op.id} documents ${status}`);
    assert.equal(o.responses['401'].content['application/problem+json'].schema.$ref, '#/components/schemas/Problem');
  }
  assert.deepEqual(doc.components.securitySchemes.bearerAuth, {
    type: 'http',
    scheme: 'bearer',
    description: doc.components.securitySchemes.bearerAuth.description,
  });
  // The intake body is the CSV row schema: the same required fields, unknown fields refused.
  const record = doc.components.schemas.SurvivorRecord;
  assert.deepEqual(record.required.sort(), [
    'arrest_date',
    'arrest_type',
    'birth_date',
    'email',
    'hospital',
    'language',
    'national_id',
    'register_id',
    'sex',
  ]);
  assert.equal(record.additionalProperties, false);
  assert.equal(doc.components.schemas.SurvivorBatch.properties.records.maxItems, 1000);
  // Every mounted route answers (with 401 before a key is shown), none falls through to 404.
  for (const op of OPERATIONS) {
    const res = await request(app)[op.method](`/api/v1${op.path.replace('{register_id}', 'R1')}`);
    assert.equal(res.status, 401, `${op.method} ${op.path}`);
  }
});

test('the response schemas catch a wrong answer (the conformance check in api.test.ts can fail)', () => {
  const ajv = new Ajv2020({ strict: false });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addSchema({ ...doc, $id: 'urn:prom-api:doc' });
  const put201 = ajv.compile({
    $ref: 'urn:prom-api:doc#/paths/~1survivors~1{register_id}/put/responses/201/content/application~1json/schema',
  });
  assert.equal(put201({ register_id: 'R1', status: 'created' }), true);
  assert.equal(put201({ register_id: 'R1', status: 'made' }), false);
  assert.equal(put201({ register_id: 'R1', status: 'created', national_id: '41010112345' }), false, 'no extra fields');
  const problem = ajv.compile({ $ref: 'urn:prom-api:doc#/components/schemas/Problem' });
  assert.equal(
    problem({
      type: problemTypeUri('validation'),
      title: 't',
      status: 422,
      detail: 'd',
      errors: [{ pointer: '/a', detail: 'x' }],
    }),
    true,
  );
  assert.equal(problem({ type: 'x', title: 't', status: '422', detail: 'd' }), false);
  const page = ajv.compile({ $ref: 'urn:prom-api:doc#/components/schemas/InvitationPage' });
  assert.equal(page({ data: [], next_cursor: null, has_more: false }), true);
  assert.equal(page({ data: [{ invitation_id: 1 }], next_cursor: null, has_more: false }), false);
});

test('/api/v1/docs: a readable page from the same document, with every endpoint and problem type, and no scripts', async () => {
  const res = await request(app)
    .get('/api/v1/docs')
    .expect(200)
    .expect('Content-Type', /text\/html/);
  const html = res.text;
  assert.doesNotMatch(html, /<script/i);
  assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  assert.match(html, /<html lang="en">/);
  assert.match(html, /<h1>PROM survey service — integration API<\/h1>/);
  for (const op of OPERATIONS)
    assert.ok(html.includes(`id="op-${op.id}"`) && html.includes(`/api/v1${op.path}`), op.id);
  for (const k of Object.keys(PROBLEM_TYPES) as ProblemType[]) assert.ok(html.includes(problemTypeUri(k)), k);
  for (const name of Object.keys(doc.components.schemas)) assert.ok(html.includes(`id="schema-${name}"`), name);
  assert.match(html, /<link rel="stylesheet" href="\/api\/v1\/docs\.css">/);
  await request(app)
    .get('/api/v1/docs.css')
    .expect(200)
    .expect('Content-Type', /text\/css/);
});

test('the API answers JSON and problems only: no HTML error page, no session cookie, errors from the app handler too', async () => {
  const res = await request(app).post('/api/v1/deaths').set('Content-Type', 'application/json').send('{');
  assert.equal(res.status, 401);
  assert.match(String(res.headers['content-type']), /application\/problem\+json/);
  assert.equal(res.headers['set-cookie'], undefined);
  assert.equal(res.headers['cache-control'], 'no-store');
  const bare = await request(app).get('/api');
  assert.match(String(bare.headers['content-type']), /application\/problem\+json/);
});
