import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, fixedClock, osloDay, osloMidnight, parseNow } from '../../src/clock.ts';

test('osloDay gives the Oslo calendar date of an instant', () => {
  assert.equal(osloDay(new Date('2026-01-15T22:59:59Z')), '2026-01-15'); // 23:59:59 Oslo (UTC+1)
  assert.equal(osloDay(new Date('2026-01-15T23:00:00Z')), '2026-01-16'); // 00:00 Oslo
  assert.equal(osloDay(new Date('2026-07-01T21:59:59Z')), '2026-07-01'); // 23:59:59 Oslo (UTC+2)
  assert.equal(osloDay(new Date('2026-07-01T22:00:00Z')), '2026-07-02');
  assert.equal(osloDay(new Date('2026-12-31T23:30:00Z')), '2027-01-01');
});

test('osloDay answers from its last minute only within that minute: each second around midnights, DST changes, an old date', () => {
  const fresh = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Oslo',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  // Midnight in winter and summer, both DST changes (2026-03-29, 2026-10-25), and 1890 (local mean time, +00:43).
  for (const around of [
    '2026-01-15T23:00:00Z',
    '2026-07-01T22:00:00Z',
    '2026-03-29T00:00:00Z',
    '2026-03-29T01:00:00Z',
    '2026-10-25T00:00:00Z',
    '2026-10-25T01:00:00Z',
    '1890-06-01T23:17:00Z',
  ]) {
    const t = Date.parse(around);
    for (let s = -150; s <= 150; s++) {
      const at = new Date(t + s * 1000);
      assert.equal(osloDay(at), fresh.format(at), at.toISOString());
    }
    // Back and forth across the boundary: the cached minute is never taken for another.
    for (const s of [59, -1, 0, -61, 60, -60]) {
      const at = new Date(t + s * 1000);
      assert.equal(osloDay(at), fresh.format(at), `${at.toISOString()} after a jump`);
    }
  }
  assert.throws(() => osloDay(new Date(Number.NaN)), RangeError);
  assert.equal(osloDay(new Date('2026-01-15T23:00:00Z')), '2026-01-16', 'an invalid date left the cache alone');
});

test('addDays crosses month and year ends, leap days, and goes backwards', () => {
  assert.equal(addDays('2026-01-31', 1), '2026-02-01');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2026-02-28', 1), '2026-03-01');
  assert.equal(addDays('2028-02-28', 1), '2028-02-29');
  assert.equal(addDays('2028-02-29', 1), '2028-03-01');
  assert.equal(addDays('2027-01-01', -1), '2026-12-31');
  assert.equal(addDays('2028-03-01', -1), '2028-02-29');
  assert.equal(addDays('2026-03-10', 0), '2026-03-10');
  assert.equal(addDays('2026-01-01', 365), '2027-01-01');
});

test('osloMidnight is 23:00Z the day before in winter, 22:00Z in summer', () => {
  assert.equal(osloMidnight('2026-01-15').toISOString(), '2026-01-14T23:00:00.000Z');
  assert.equal(osloMidnight('2026-07-01').toISOString(), '2026-06-30T22:00:00.000Z');
});

test('osloMidnight on DST change days', () => {
  // Spring forward 2026-03-29 at 02:00 local: midnight is still UTC+1.
  assert.equal(osloMidnight('2026-03-29').toISOString(), '2026-03-28T23:00:00.000Z');
  assert.equal(osloMidnight('2026-03-30').toISOString(), '2026-03-29T22:00:00.000Z');
  // Fall back 2026-10-25 at 03:00 local: midnight is still UTC+2.
  assert.equal(osloMidnight('2026-10-25').toISOString(), '2026-10-24T22:00:00.000Z');
  assert.equal(osloMidnight('2026-10-26').toISOString(), '2026-10-25T23:00:00.000Z');
});

test('parseNow: a date means noon in Oslo that day', () => {
  assert.equal(parseNow('2026-01-15')?.toISOString(), '2026-01-15T11:00:00.000Z');
  assert.equal(parseNow('2026-07-01')?.toISOString(), '2026-07-01T10:00:00.000Z');
  // Spring-forward day: midnight + 12h of elapsed time.
  assert.equal(parseNow('2026-03-29')?.toISOString(), '2026-03-29T11:00:00.000Z');
  assert.equal(osloDay(parseNow('2026-10-25')!), '2026-10-25');
});

test('parseNow: ISO times, garbage and impossible dates', () => {
  assert.equal(parseNow('2026-05-01T08:30:00Z')?.toISOString(), '2026-05-01T08:30:00.000Z');
  assert.equal(parseNow('2026-05-01T08:30:00+02:00')?.toISOString(), '2026-05-01T06:30:00.000Z');
  assert.equal(parseNow('garbage'), undefined);
  assert.equal(parseNow('2026-05-01T08:30'), undefined, 'a time without offset would depend on the server zone');
  assert.equal(parseNow(''), undefined);
  assert.equal(parseNow('2026-02-30'), undefined);
  assert.equal(parseNow('2026-13-01'), undefined);
  assert.equal(parseNow('2027-02-29'), undefined);
  assert.equal(parseNow('2028-02-29')?.toISOString(), '2028-02-29T11:00:00.000Z');
});

test('fixedClock always returns the same instant, as a fresh copy', () => {
  const at = new Date('2026-04-01T10:00:00Z');
  const clock = fixedClock(at);
  const a = clock.now();
  a.setUTCFullYear(2000);
  assert.equal(clock.now().toISOString(), '2026-04-01T10:00:00.000Z');
  assert.notEqual(clock.now(), clock.now());
});
