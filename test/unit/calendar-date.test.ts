import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calendarDateProblem, parseCalendarDate, parseUtcInstant } from '../../src/calendar-date.ts';
import { parseNow } from '../../src/clock.ts';

test('real dates from 1900-01-01 to 2100-12-31 are accepted, as written', () => {
  for (const d of ['1900-01-01', '2024-02-29', '2026-12-31', '2100-12-31']) assert.equal(parseCalendarDate(d), d);
});

test('each refused date says why', () => {
  assert.equal(calendarDateProblem('2026-02-30'), 'is not a real calendar date');
  assert.equal(calendarDateProblem('2026-13-01'), 'is not a real calendar date');
  assert.equal(calendarDateProblem('2026-00-10'), 'is not a real calendar date');
  assert.equal(calendarDateProblem('2100-02-29'), 'is not a real calendar date');
  assert.equal(calendarDateProblem('0000-01-01'), 'must be between 1900-01-01 and 2100-12-31');
  assert.equal(calendarDateProblem('0000-02-30'), 'is not a real calendar date');
  assert.equal(calendarDateProblem('0001-01-01'), 'must be between 1900-01-01 and 2100-12-31');
  assert.equal(calendarDateProblem('1899-12-31'), 'must be between 1900-01-01 and 2100-12-31');
  assert.equal(calendarDateProblem('2101-01-01'), 'must be between 1900-01-01 and 2100-12-31');
  for (const d of ['2026-1-5', '05.01.2026', '', '2026-01-01T00:00:00Z', ' 2026-01-01', '２０２６-01-01'])
    assert.equal(calendarDateProblem(d), 'must be a date written YYYY-MM-DD', d);
});

test('UTC instants (API cursors): a real day and time, else undefined', () => {
  assert.equal(parseUtcInstant('2026-05-01T08:30:00.123456Z'), '2026-05-01T08:30:00.123456Z');
  for (const t of [
    '2026-02-30T10:00:00.000000Z',
    '2026-05-01T24:00:00.000000Z',
    '2026-05-01T10:60:00Z',
    '0000-01-01T00:00:00Z',
    '2026-05-01T10:00:00+02:00',
  ]) {
    assert.equal(parseUtcInstant(t), undefined, t);
  }
});

test('--now uses the same rule', () => {
  assert.equal(parseNow('2026-02-30'), undefined);
  assert.equal(parseNow('0001-01-01'), undefined);
  assert.equal(parseNow('2026-02-30T10:00Z'), undefined);
  assert.ok(parseNow('2026-02-28'));
});
