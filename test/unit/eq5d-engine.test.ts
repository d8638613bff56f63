import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_VALUE_SET,
  eq5dIndex,
  formatIndex,
  isValueSetId,
  levelSumScore,
  listValueSets,
  parseState,
} from '../../src/reports/eq5d/engine.ts';
import type { Levels, ValueSetId } from '../../src/reports/eq5d/engine.ts';
import { parseLookupTable } from '../../src/reports/eq5d/lookup.ts';
import { NORWAY_2024 } from '../../src/reports/eq5d/valuesets/norway-2024.ts';

const IDS = listValueSets().map((v) => v.id);

function everyState(): string[] {
  return Array.from({ length: 3125 }, (_, i) => [...i.toString(5).padStart(5, '0')].map((d) => Number(d) + 1).join(''));
}

function index(state: string | Levels, id: ValueSetId): number {
  const v = eq5dIndex(state, id);
  assert.ok(v !== null, `${id} ${String(state)} gave null`);
  return v;
}

test('published 55555 anchors', () => {
  const anchors: Record<ValueSetId, number> = {
    'NO-2024': -0.453,
    'EN-2018': -0.285,
    'DK-2021': -0.758,
    'SE-2022': -0.314,
    'SE-2020': 0.2433,
    'DE-2018': -0.661,
    'NL-2016': -0.446,
    'UK-2026': -0.567,
    'CW-UK-2012': -0.594,
    'CW-DK-2012': -0.624,
  };
  for (const id of IDS) assert.equal(index('55555', id), anchors[id], id);
});

test('11111 is 1 for every set except SE-2020 (start 0.9755)', () => {
  for (const id of IDS) assert.equal(index('11111', id), id === 'SE-2020' ? 0.9755 : 1, id);
});

test('NL-2016: constant -0.047 applies to every state except 11111', () => {
  assert.equal(index('11111', 'NL-2016'), 1);
  assert.equal(index('21111', 'NL-2016'), 0.918); // 1 - 0.047 - 0.035; a float sum gives 0.9179999999999999
  assert.equal(index('11112', 'NL-2016'), 0.883); // 1 - 0.047 - 0.070
});

test('SE-2020: N5 applies only when some level is 5; levels 4 and 5 pooled for MO', () => {
  assert.equal(index('41111', 'SE-2020'), 0.9232); // 0.9755 - 0.0523
  assert.equal(index('51111', 'SE-2020'), 0.9209); // same decrement, plus N5 -0.0023
});

test('default value set is Norway 2024', () => {
  assert.equal(DEFAULT_VALUE_SET, 'NO-2024');
  assert.equal(IDS[0], DEFAULT_VALUE_SET);
});

test('Norway coefficients are dimension weight x level weight (8-parameter form)', () => {
  const dim = { MO: 0.205, SC: 0.206, UA: 0.179, PD: 0.391, AD: 0.472 };
  const lvl = [0, 0.152, 0.317, 0.775, 1];
  for (const [d, w] of Object.entries(dim) as [keyof typeof dim, number][]) {
    NORWAY_2024.coefficients[d].forEach((c, i) => {
      // Compare in 1e-6 units: both sides are products of two 3-dp numbers.
      assert.equal(Math.abs(Math.round(c * 1e6)), Math.round(w * 1000) * Math.round(lvl[i]! * 1000), d);
    });
  }
});

test('level tuples score the same as codes', () => {
  assert.equal(index([1, 2, 3, 4, 5], 'NO-2024'), index('12345', 'NO-2024'));
  assert.equal(index([4, 5, 5, 4, 1], 'CW-DK-2012'), 0.276); // fragla/eq5d issue #22
});

test('3-dp value sets give exact 3-dp numbers (no float artefacts)', () => {
  const threeDp: ValueSetId[] = ['EN-2018', 'DK-2021', 'SE-2022', 'DE-2018', 'NL-2016', 'UK-2026'];
  for (const id of [...threeDp, 'CW-UK-2012', 'CW-DK-2012'] as ValueSetId[]) {
    for (const s of everyState()) {
      const v = index(s, id);
      assert.equal(v, Number(formatIndex(v)), `${id} ${s}: ${v}`);
    }
  }
});

test('no clamping: negative counts and minimum at 55555', () => {
  const negatives = (id: ValueSetId) => everyState().filter((s) => index(s, id) < 0).length;
  assert.equal(negatives('EN-2018'), 159);
  assert.equal(negatives('DK-2021'), 681);
  assert.equal(negatives('NO-2024'), 333);
  for (const id of ['NO-2024', 'EN-2018', 'DK-2021'] as ValueSetId[]) {
    const min = Math.min(...everyState().map((s) => index(s, id)));
    assert.equal(min, index('55555', id), id);
  }
});

test('invalid states give null, never an imputed value', () => {
  const bad = ['1234', '12346', '1234a', '9xxxx', '', '123456', ' 1234', '12 45', '91111', '01111'];
  for (const id of IDS) {
    for (const s of bad) assert.equal(eq5dIndex(s, id), null, `${id} "${s}"`);
  }
  const badTuples = [
    [1, 2, 3, 4],
    [1, 2, 3, 4, 6],
    [0, 1, 1, 1, 1],
    [1.5, 1, 1, 1, 1],
    [1, 1, 1, 1, NaN],
  ];
  for (const t of badTuples) assert.equal(eq5dIndex(t as unknown as Levels, 'NO-2024'), null);
  assert.equal(eq5dIndex(null as unknown as string, 'NO-2024'), null);
  assert.equal(eq5dIndex(12345 as unknown as string, 'NO-2024'), null);
});

test('unknown value set id throws (configuration error, not missing data)', () => {
  assert.throws(() => eq5dIndex('11111', 'XX-1999' as ValueSetId), RangeError);
  assert.equal(isValueSetId('NO-2024'), true);
  assert.equal(isValueSetId('no-2024'), false);
});

test('parseState', () => {
  assert.deepEqual(parseState('12345'), [1, 2, 3, 4, 5]);
  assert.deepEqual(parseState('55555'), [5, 5, 5, 5, 5]);
  for (const s of ['1234', '12346', '1234a', '9xxxx', '', '１２３４５']) assert.equal(parseState(s), null, s);
});

test('levelSumScore: 5..25, null when invalid', () => {
  assert.equal(levelSumScore('11111'), 5);
  assert.equal(levelSumScore('12345'), 15);
  assert.equal(levelSumScore('55555'), 25);
  assert.equal(levelSumScore([2, 2, 2, 2, 2]), 10);
  assert.equal(levelSumScore('1234'), null);
  assert.equal(levelSumScore('99999'), null);
  assert.equal(levelSumScore([1, 2, 3, 4, 6]), null);
});

test('formatIndex: 3 dp, half away from zero, on integer units', () => {
  const cases: [number, string][] = [
    [-0.2345, '-0.235'], // Math.round would give -0.234
    [0.5535, '0.554'], // toFixed(3) gives 0.553
    [1.0005, '1.001'], // toFixed(3) gives 1.000
    [1, '1.000'],
    [0, '0.000'],
    [-0.0004, '0.000'], // no "-0.000"
    [-0.0005, '-0.001'],
    [0.0005, '0.001'],
    [0.9755, '0.976'],
    [0.2433, '0.243'],
    [-0.4463194, '-0.446'],
    [0.5890000000000002, '0.589'],
    [-0.758, '-0.758'],
    [-1.5, '-1.500'],
  ];
  for (const [x, s] of cases) assert.equal(formatIndex(x), s, String(x));
  assert.throws(() => formatIndex(NaN), RangeError);
  assert.throws(() => formatIndex(Infinity), RangeError);
});

test('listValueSets: citation, DOI, form and notes for every set', () => {
  const sets = listValueSets();
  assert.equal(sets.length, 10);
  assert.equal(new Set(sets.map((s) => s.id)).size, 10);
  for (const s of sets) {
    assert.match(s.doi, /^10\.\d{4,}\//, s.id);
    assert.ok(s.citation.includes(`doi:${s.doi}`), s.id);
    assert.ok(s.country.length > 0, s.id);
  }
  const byId = new Map(sets.map((s) => [s.id, s]));
  assert.equal(byId.get('CW-UK-2012')?.form, 'lookup');
  assert.equal(byId.get('NO-2024')?.form, 'additive');
  assert.match(byId.get('CW-UK-2012')!.citation, /^van Hout B.*Value in Health 2012;15\(5\):708-715/);
  assert.match(byId.get('DE-2018')!.notes!, /AD4.*-0\.244.*-0\.224/s);
  assert.match(byId.get('DK-2021')!.notes!, /-0\.757/);
  assert.match(byId.get('NL-2016')!.notes!, /3-dp/);
});

test('lookup table parser rejects malformed or reordered tables', () => {
  const good = everyState()
    .filter((_, i) => i % 5 === 0)
    .map((s) => `${s.slice(0, 4)}: 1.000 0.900 0.800 0.700 0.600`)
    .join('\n');
  assert.equal(parseLookupTable(good).length, 3125);
  assert.throws(() => parseLookupTable(good.replace('1112:', '1113:')), /expected line for 1112/);
  assert.throws(() => parseLookupTable(good.replace('0.900', 'x')), /expected line/);
  assert.throws(() => parseLookupTable(good.split('\n').slice(1).join('\n')), /expected 625 lines/);
});
