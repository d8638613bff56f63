// The disclosure plan on hand-made registers: the differencing example, coordination
// that leaves clean registers alone, the whole-register exemption and the standardised norm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDisclosure, type Unit } from '../../src/reports/comparison/disclosure.ts';

/** `n` people who all answer alike (one VAS group, level 1 everywhere, one stratum). */
function people(n: number, at: Partial<Unit> & Pick<Unit, 'year' | 'hospital'>): Unit[] {
  return Array.from({ length: n }, () => ({
    arrestType: 'OHCA',
    respondent: null,
    sex: 'male',
    age: 65,
    levels: [1, 1, 1, 1, 1],
    vas: 75,
    ...at,
  }));
}

test('the issue’s example: all years (62) minus 2025 (41) minus 2026 (19) cannot give the hidden 2024 group of 2', () => {
  const units = [
    ...people(2, { year: 2024, hospital: 'A' }),
    ...people(41, { year: 2025, hospital: 'A' }),
    ...people(19, { year: 2026, hospital: 'A' }),
    ...[2024, 2025, 2026].flatMap((year) => people(30, { year, hospital: 'B' })),
  ];
  const p = planDisclosure(units, 5).types.OHCA;
  assert.equal(p.reason({ year: 2024, hospital: 'A' }), 'small');
  const shown = (year?: number, hospital?: string) => p.reason({ year, hospital }) === null;
  assert.ok(
    !(shown(undefined, 'A') && shown(2025, 'A') && shown(2026, 'A')),
    'A all years, 2025 and 2026 are not all published',
  );
  assert.ok(!(shown(2024, undefined) && shown(2024, 'B')), '2024 of all hospitals minus 2024 of B is the same group');
  assert.equal(p.reason({}), null, 'the whole register is always published');
});

test('a register with no small counts publishes every selection, with every category', () => {
  const units = [2024, 2025].flatMap((year) => ['A', 'B'].flatMap((hospital) => people(6, { year, hospital })));
  const p = planDisclosure(units, 5).types.OHCA;
  for (const year of [undefined, 2024, 2025])
    for (const hospital of [undefined, 'A', 'B'])
      assert.equal(p.reason({ year, hospital }), null, `${year} ${hospital}`);
  assert.equal(p.vas.length, 10);
  assert.ok(p.standardised({ year: 2024, hospital: 'A' }));
});

test('a small category is merged with its neighbour rather than hiding a large selection', () => {
  const units = [75, 85, 95]
    .flatMap((vas) => people(20, { year: 2024, hospital: 'A', vas }))
    .concat(people(2, { year: 2024, hospital: 'A', vas: 65 }));
  const p = planDisclosure(units, 5).types.OHCA;
  assert.equal(p.reason({ year: 2024, hospital: 'A' }), null);
  assert.ok(
    p.vas.some((s) => s.from === 6 && s.to === 7),
    JSON.stringify(p.vas),
  );
});

test('the whole register publishes even a group under k; 0 and 1–4 give the same reason class elsewhere', () => {
  const units = [
    ...people(3, { year: 2024, hospital: 'A', arrestType: 'IHCA' }),
    ...people(10, { year: 2024, hospital: 'A' }),
  ];
  const p = planDisclosure(units, 5);
  assert.equal(p.types.IHCA.reason({}), null);
  assert.equal(p.types.IHCA.reason({ year: 2024 }), 'small');
  assert.equal(p.types.IHCA.reason({ year: 2025 }), 'empty');
});

test('the standardised norm is withheld when a sex × age stratum counts 1 to k − 1', () => {
  const units = [
    ...people(20, { year: 2024, hospital: 'A' }),
    ...people(2, { year: 2024, hospital: 'A', sex: 'female', age: 85 }),
    ...people(20, { year: 2024, hospital: 'B' }),
  ];
  const p = planDisclosure(units, 5).types.OHCA;
  assert.equal(p.reason({ year: 2024, hospital: 'A' }), null);
  assert.equal(p.standardised({ year: 2024, hospital: 'A' }), false);
  assert.equal(p.standardised({}), true);
});
