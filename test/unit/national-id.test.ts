import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkNationalId } from '../../src/cohort/national-id.ts';

test('accepts Skatteetaten test vectors valid under both rules', () => {
  assert.equal(checkNationalId('02013299997'), undefined);
  assert.equal(checkNationalId('30108299920'), undefined);
});

test('accepts a number valid only under the 2032 rule', () => {
  assert.equal(checkNationalId('30108299939'), undefined);
});

test('accepts D-numbers (day + 40) by the same check digits', () => {
  // 42013299997 would need new check digits; build one by search to avoid hand arithmetic.
  const d = findValid('420132999');
  assert.ok(d, 'some check digits exist for a D-number base');
  assert.equal(checkNationalId(d), undefined);
});

test('refuses wrong length, non-digits and wrong check digits', () => {
  assert.equal(checkNationalId('0201329999'), 'format');
  assert.equal(checkNationalId('020132999970'), 'format');
  assert.equal(checkNationalId('0201329999a'), 'format');
  assert.equal(checkNationalId(' 2013299997'), 'format');
  assert.equal(checkNationalId('02013299998'), 'check-digits');
  assert.equal(checkNationalId('02013299987'), 'check-digits');
});

test('k1 remainders 0–3 pass, 4–10 fail (2032 rule), k2 must be exact', () => {
  let accepted = 0;
  let refused = 0;
  for (let k1 = 0; k1 <= 9; k1++) {
    for (let k2 = 0; k2 <= 9; k2++) {
      const n = `020132999${k1}${k2}`;
      if (checkNationalId(n) === undefined) accepted++;
      else refused++;
    }
  }
  // At most 4 k1 values pass, each with exactly one k2.
  assert.ok(accepted >= 1 && accepted <= 4, `accepted ${accepted}`);
  assert.equal(accepted + refused, 100);
});

function findValid(base: string): string | undefined {
  for (let i = 0; i < 100; i++) {
    const n = base + String(i).padStart(2, '0');
    if (checkNationalId(n) === undefined) return n;
  }
  return undefined;
}
