// The keying codes of the paper entry form (src/paper/entry.ts validateEntry): one character per
// item, 0 = nothing ticked → missing, 9 = more than one ticked → ambiguous; the VAS 0–100, 999 →
// missing, 888 → ambiguous; anything else is an error for that field, never another answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateEntry } from '../../src/paper/entry.ts';

const bounds = { today: '2026-06-10', notBefore: '2026-05-01' };
const body = (items: string[], vas: string, received = '2026-06-01') => ({
  mobility: items[0],
  self_care: items[1],
  usual_activities: items[2],
  pain_discomfort: items[3],
  anxiety_depression: items[4],
  vas,
  received_on: received,
});

test('1–5 are the box ticked; 0 is missing and 9 ambiguous; the VAS codes 999 and 888 likewise', () => {
  assert.deepEqual(validateEntry(body(['1', '0', '9', '5', ' 3 '], '999'), bounds), {
    values: {
      mobility: '1',
      self_care: 'missing',
      usual_activities: 'ambiguous',
      pain_discomfort: '5',
      anxiety_depression: '3',
      vas: 'missing',
      received_on: '2026-06-01',
    },
    errors: [],
  });
  assert.equal(validateEntry(body(['1', '1', '1', '1', '1'], '888'), bounds).values?.vas, 'ambiguous');
  assert.equal(validateEntry(body(['1', '1', '1', '1', '1'], '0'), bounds).values?.vas, '0');
  assert.equal(validateEntry(body(['1', '1', '1', '1', '1'], '100'), bounds).values?.vas, '100');
  assert.equal(validateEntry(body(['1', '1', '1', '1', '1'], '007'), bounds).values?.vas, '7');
});

test('anything else is an error on its own field, with a message for empty and one for wrong', () => {
  const r = validateEntry(body(['', '6', '12', 'x', 'missing'], '101'), bounds);
  assert.equal(r.values, undefined);
  assert.deepEqual(r.errors, [
    { field: 'mobility', key: 'levelMissing' },
    { field: 'self_care', key: 'levelInvalid' },
    { field: 'usual_activities', key: 'levelInvalid' },
    { field: 'pain_discomfort', key: 'levelInvalid' },
    { field: 'anxiety_depression', key: 'levelInvalid' },
    { field: 'vas', key: 'vasRange' },
  ]);
  for (const vas of ['-1', '1000', '99.5', '9999', 'ambiguous'])
    assert.deepEqual(
      validateEntry(body(['1', '1', '1', '1', '1'], vas), bounds).errors,
      [{ field: 'vas', key: 'vasRange' }],
      vas,
    );
  assert.deepEqual(validateEntry(body(['1', '1', '1', '1', '1'], ''), bounds).errors, [
    { field: 'vas', key: 'vasMissing' },
  ]);
  assert.deepEqual(
    validateEntry({ ...body(['1', '1', '1', '1', '1'], '50'), mobility: ['1', '2'] }, bounds).errors,
    [{ field: 'mobility', key: 'levelMissing' }],
    'a repeated field is not a value',
  );
});
