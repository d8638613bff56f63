// The logger's one rule for errors: their kind and code are logged, never their message (a
// database or SMTP error can quote a national id or an address).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureLogs } from '../support/logs.ts';

test('an error is logged by its type and code only', () => {
  const logs = captureLogs();
  const dbError = Object.assign(new Error('duplicate key (national_id)=(12345678901)'), {
    name: 'DatabaseError',
    code: '23505',
  });
  logs.logger.error({ err: dbError }, 'request failed');
  logs.logger.warn({ err: new RangeError('550 no such user survivor@example.test') }, 'worker error');
  const [first, second] = logs.entries();
  assert.deepEqual(first!.err, { type: 'DatabaseError', code: '23505' });
  assert.deepEqual(second!.err, { type: 'RangeError' });
  assert.doesNotMatch(logs.text(), /12345678901|example\.test/);
});
