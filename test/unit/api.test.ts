// Pure parts of the integration API: cursors, problem details and field pointers, key format,
// request fingerprints for Idempotency-Key, and the route paths derived from the OpenAPI paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../../src/api/cursor.ts';
import { fingerprint } from '../../src/api/idempotency.ts';
import { hashKey, KEY_PATTERN, newKeySchema } from '../../src/api/keys.ts';
import { ApiProblem, bodyErrors, parameterErrors, pointerOf, PROBLEM_TYPES } from '../../src/api/problem.ts';
import { expressPath } from '../../src/api/router.ts';
import { survivorRecordSchema } from '../../src/api/schemas.ts';

test('cursors round-trip, are opaque base64url, and are refused for the other endpoint or when altered', () => {
  const c = { at: '2026-05-01T10:00:00.123456Z', id: '42' };
  const text = encodeCursor('invitations', c);
  assert.match(text, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCursor('invitations', text), c);
  assert.equal(decodeCursor('responses', text), undefined);
  const r = { at: '2026-05-01T10:00:00.000001Z', id: '0b7c6f0e-2f7a-4c55-9d1e-0e4b1c1f2a77' };
  assert.deepEqual(decodeCursor('responses', encodeCursor('responses', r)), r);
  for (const bad of [
    '',
    'nonsense!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["i","2026-05-01","1"]').toString('base64url'),
    Buffer.from('["i","2026-05-01T10:00:00.123456Z","1; drop"]').toString('base64url'),
  ]) {
    assert.equal(decodeCursor('invitations', bad), undefined, bad);
  }
});

test('problem details: RFC 9457 members, the fixed title per type, field errors by JSON pointer', () => {
  const p = new ApiProblem('validation', 'The body has a problem.', [
    { pointer: '/email', detail: 'is not a valid e-mail address' },
  ]);
  assert.deepEqual(p.body('/api/v1/survivors/R1'), {
    type: 'urn:prom-survey:api:problem:validation',
    title: PROBLEM_TYPES.validation.title,
    status: 422,
    detail: 'The body has a problem.',
    instance: '/api/v1/survivors/R1',
    errors: [{ pointer: '/email', detail: 'is not a valid e-mail address' }],
  });
  assert.equal(pointerOf(['records', 3, 'a/b~c']), '/records/3/a~1b~0c');
  assert.equal(pointerOf([], '/records/2'), '/records/2');
  for (const [kind, t] of Object.entries(PROBLEM_TYPES))
    assert.ok(t.status >= 400 && t.status < 600 && t.title && t.about, kind);
});

test('zod issues become field errors: type errors say what came, unknown fields are named, the CSV wording stays', () => {
  const parsed = survivorRecordSchema.safeParse(
    { register_id: 5, national_id: null, sex: 'x', extra: 1 },
    { reportInput: true },
  );
  assert.equal(parsed.success, false);
  const errors = Object.fromEntries(
    bodyErrors(parsed.error, '/records/0').map((e) => [String(e.pointer), e.detail] as const),
  );
  assert.equal(errors['/records/0/register_id'], 'must be a string (got number)');
  assert.equal(errors['/records/0/national_id'], 'must be a string (got null)');
  assert.equal(errors['/records/0/birth_date'], 'is missing');
  assert.equal(errors['/records/0/sex'], 'must be female or male');
  assert.equal(errors['/records/0/extra'], 'is not a known field');
  const q = z
    .object({ limit: z.coerce.number().int().min(1) })
    .strict()
    .safeParse({ limit: 'abc', x: '1' }, { reportInput: true });
  assert.deepEqual(parameterErrors(q.error!), [
    { parameter: 'limit', detail: 'must be a number' },
    { parameter: 'x', detail: 'is not a known parameter' },
  ]);
});

test('key format, hashing, and the rules for a new key', () => {
  assert.ok(KEY_PATTERN.test(`prom_${'a'.repeat(54)}`));
  assert.ok(!KEY_PATTERN.test(`prom_${'a'.repeat(53)}`));
  assert.ok(!KEY_PATTERN.test(`xyz_${'a'.repeat(55)}`));
  assert.equal(hashKey('prom_x').length, 32);
  assert.equal(newKeySchema.safeParse({ name: 'reg', scopes: ['identifiers'], createdBy: 't' }).success, false);
  assert.equal(
    newKeySchema.safeParse({ name: 'reg', scopes: ['results', 'identifiers'], createdBy: 't' }).success,
    true,
  );
  assert.equal(newKeySchema.safeParse({ name: 'has space', scopes: ['intake'], createdBy: 't' }).success, false);
  assert.equal(newKeySchema.safeParse({ name: 'reg', scopes: [], createdBy: 't' }).success, false);
});

test('fingerprints ignore member order but not values, method or path', () => {
  const a = fingerprint('POST', '/api/v1/deaths', { national_id: '1', date_of_death: '2026-01-01' });
  assert.deepEqual(a, fingerprint('POST', '/api/v1/deaths', { date_of_death: '2026-01-01', national_id: '1' }));
  assert.notDeepEqual(a, fingerprint('POST', '/api/v1/deaths', { national_id: '1', date_of_death: '2026-01-02' }));
  assert.notDeepEqual(
    a,
    fingerprint('POST', '/api/v1/survivors:batch', { national_id: '1', date_of_death: '2026-01-01' }),
  );
  assert.notDeepEqual(fingerprint('POST', '/p', [1, 2]), fingerprint('POST', '/p', [2, 1]));
  assert.deepEqual(fingerprint('POST', '/p', undefined), fingerprint('POST', '/p', null));
});

test('express paths from the OpenAPI paths', () => {
  assert.equal(expressPath('/survivors/{register_id}'), '/v1/survivors/:register_id');
  assert.equal(expressPath('/survivors:batch'), '/v1/survivors\\:batch');
  assert.equal(expressPath('/survivors/{register_id}/contact-log'), '/v1/survivors/:register_id/contact-log');
});
