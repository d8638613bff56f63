import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isComplete, parsePageAnswer } from '../../src/instruments/eq5d-answers.ts';

const ok = (value: number) => ({ ok: true, value });
const required = { ok: false, error: 'required' };
const invalid = { ok: false, error: 'invalid' };

test('radio pages accept 1–5, trimmed', () => {
  for (const v of [1, 2, 3, 4, 5]) assert.deepEqual(parsePageAnswer('mobility', String(v)), ok(v));
  assert.deepEqual(parsePageAnswer('anxiety_depression', ' 3 '), ok(3));
});

test('radio pages refuse other values with the right error', () => {
  for (const raw of ['0', '6', '1.0', 'a', '01', '+1', '1 2']) {
    assert.deepEqual(parsePageAnswer('self_care', raw), invalid, JSON.stringify(raw));
  }
  for (const raw of ['', '   ', undefined, null, 3, ['1'], ['1', '2']]) {
    assert.deepEqual(parsePageAnswer('pain_discomfort', raw), required, JSON.stringify(raw));
  }
});

test('vas accepts whole numbers 0–100, trimmed', () => {
  assert.deepEqual(parsePageAnswer('vas', '0'), ok(0));
  assert.deepEqual(parsePageAnswer('vas', '100'), ok(100));
  assert.deepEqual(parsePageAnswer('vas', ' 73 '), ok(73));
  assert.deepEqual(parsePageAnswer('vas', '007'), ok(7));
  assert.deepEqual(parsePageAnswer('vas', '50 %'), ok(50), 'a percent sign means the number');
  assert.deepEqual(parsePageAnswer('vas', '50%'), ok(50));
});

test('vas refuses out-of-range, fractions, exponents, signs and non-ASCII digits, saying which', () => {
  for (const raw of ['101', '1000', '150 %'])
    assert.deepEqual(parsePageAnswer('vas', raw), invalid, JSON.stringify(raw));
  for (const raw of ['7.5', '73,5', '73,5 %'])
    assert.deepEqual(parsePageAnswer('vas', raw), { ok: false, error: 'decimal' }, JSON.stringify(raw));
  for (const raw of ['-1', '1e2', '0x1', '+5', '０', '７３', 'sytti', 'ganske bra']) {
    assert.deepEqual(parsePageAnswer('vas', raw), { ok: false, error: 'notNumber' }, JSON.stringify(raw));
  }
  for (const raw of ['', ' ', undefined, ['50']]) {
    assert.deepEqual(parsePageAnswer('vas', raw), required, JSON.stringify(raw));
  }
});

test('isComplete needs a number on all six pages', () => {
  const all = { mobility: 1, self_care: 2, usual_activities: 3, pain_discomfort: 4, anxiety_depression: 5, vas: 0 };
  assert.equal(isComplete(all), true);
  assert.equal(isComplete({}), false);
  for (const key of Object.keys(all) as (keyof typeof all)[]) {
    const { [key]: _, ...rest } = all;
    assert.equal(isComplete(rest), false, `without ${key}`);
  }
});
