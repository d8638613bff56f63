import { test } from 'node:test';
import assert from 'node:assert/strict';
import { survivorRowSchema } from '../../src/cohort/survivor-row.ts';

const valid = {
  register_id: 'NHSR-2026.0001',
  national_id: '02013299997',
  birth_date: '1932-01-02',
  sex: 'female',
  arrest_date: '2026-01-15',
  arrest_type: 'OHCA',
  hospital: 'OUS-ULL',
  email: ' kari@example.no ',
  language: 'nb',
  given_name: ' Kari ',
  family_name: 'Nordmann',
  address_line: 'Storgata 1',
  postal_code: '0450',
  city: 'Oslo',
  phone: '',
};

/** The issues for one changed field, as [column, message] pairs. */
function issues(over: Record<string, unknown>) {
  const r = survivorRowSchema.safeParse({ ...valid, ...over });
  assert.equal(r.success, false, `expected ${JSON.stringify(over)} to be refused`);
  return r.error.issues.map((i) => [i.path[0], i.message]);
}

test('a complete valid row parses, trimmed, with empty cells as null', () => {
  const r = survivorRowSchema.parse(valid);
  assert.deepEqual(r, {
    ...valid,
    email: 'kari@example.no',
    given_name: 'Kari',
    phone: null,
  });
  assert.equal(r.postal_code, '0450'); // stays a string, keeps the leading zero
});

test('empty email and missing optional columns become null', () => {
  const {
    given_name: _given,
    family_name: _family,
    address_line: _address,
    postal_code: _postal,
    city: _city,
    phone: _phone,
    ...requiredOnly
  } = valid;
  const r = survivorRowSchema.parse({ ...requiredOnly, email: '' });
  assert.equal(r.email, null);
  for (const k of ['given_name', 'family_name', 'address_line', 'postal_code', 'city', 'phone'] as const) {
    assert.equal(r[k], null, k);
  }
});

test('the other synthetic national ids are accepted', () => {
  for (const id of ['30108299920', '30108299939', ' 30108299920 ']) {
    assert.equal(survivorRowSchema.safeParse({ ...valid, national_id: id }).success, true, id);
  }
});

test('each bad field gives one issue naming its column', () => {
  assert.deepEqual(issues({ national_id: '123' }), [['national_id', 'must be 11 digits']]);
  assert.deepEqual(issues({ national_id: '02013299998' }), [
    ['national_id', 'is not a valid fødselsnummer or D-number (check digits do not match)'],
  ]);
  assert.deepEqual(issues({ birth_date: '2026-02-30' }), [['birth_date', 'is not a real calendar date']]);
  assert.deepEqual(issues({ arrest_date: '2026-13-01' }), [['arrest_date', 'is not a real calendar date']]);
  assert.deepEqual(issues({ sex: 'F' }), [['sex', 'must be female or male']]);
  assert.deepEqual(issues({ arrest_type: 'ohca' }), [['arrest_type', 'must be OHCA or IHCA']]);
  assert.deepEqual(issues({ hospital: '  ' }), [['hospital', 'is empty; every row needs the hospital code']]);
  assert.deepEqual(issues({ email: 'kari@' }), [['email', 'is not a valid e-mail address']]);
  assert.deepEqual(issues({ language: 'se' }), [['language', 'must be nb, nn or en']]);
  assert.deepEqual(issues({ postal_code: '45O' }), [['postal_code', 'must be four digits, e.g. 0450']]);
  assert.deepEqual(issues({ register_id: 'a b' }), [
    ['register_id', 'may contain only letters, digits, ".", "_" and "-"'],
  ]);
  assert.deepEqual(issues({ register_id: 'x'.repeat(65) }), [['register_id', 'must be at most 64 characters']]);
});

test('a badly written date is reported as an issue, not thrown', () => {
  // Regression: the calendar check once ran after a failed shape check and threw a RangeError.
  assert.deepEqual(issues({ birth_date: '02.01.1932' }), [['birth_date', 'must be a date written YYYY-MM-DD']]);
  assert.deepEqual(issues({ arrest_date: 'unknown' }), [['arrest_date', 'must be a date written YYYY-MM-DD']]);
  assert.deepEqual(issues({ birth_date: '' }), [['birth_date', 'must be a date written YYYY-MM-DD']]);
  assert.deepEqual(issues({ birth_date: '2026-1-5' }), [['birth_date', 'must be a date written YYYY-MM-DD']]);
});

test('missing register_id and empty register_id', () => {
  const { register_id: _registerId, ...rest } = valid;
  const r = survivorRowSchema.safeParse(rest);
  assert.equal(r.success, false);
  assert.deepEqual(
    r.error.issues.map((i) => [i.path[0], i.message]),
    [['register_id', 'is missing']],
  );
  assert.deepEqual(issues({ register_id: '' })[0], ['register_id', 'is empty; every row needs the register id']);
});
