import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normSetSchema } from '../../src/reports/norms/format.ts';
import { shippedNorms } from '../../src/reports/norms/store.ts';
import { aggregateMicrodata } from '../../src/reports/norms/microdata.ts';

test('the shipped 2019 Norwegian norms hold only published numbers, each with its source', () => {
  const set = shippedNorms();
  assert.equal(set.id, 'NO-2019');
  const overall = set.strata.find((s) => s.sex === 'all' && s.age === 'all' && !s.match)!;
  assert.equal(overall.n?.value, 3120);
  assert.equal(overall.vas.groups, null, 'the ten-group VAS shares were not published: missing, not invented');
  const matched = set.strata.find((s) => s.match)!;
  assert.deepEqual(
    [matched.vas.mean?.value, matched.vas.sd?.value, matched.index.mean?.value, matched.index.sd?.value],
    [79, 17, 0.82, 0.18],
  );
  assert.equal(matched.index.valueSet, null);
  assert.match(set.sources.garratt2022!, /doi:10\.1007\/s11136-021-02938-7/);
  assert.match(set.sources.almkruse2024!, /doi:10\.1016\/j\.resplu\.2023\.100549/);
});

test('a number without a listed source, or shares that do not add up, is refused', () => {
  const set = structuredClone(shippedNorms());
  set.strata[0]!.n = { value: 1, source: 'nowhere' };
  assert.match(JSON.stringify(normSetSchema.safeParse(set).error?.issues), /source \\"nowhere\\" is not listed/);
  const bad = structuredClone(shippedNorms());
  bad.strata[0]!.vas.groups = { shares: [0.5, 0.1, 0, 0, 0, 0, 0, 0, 0, 0], source: 'garratt2022' };
  assert.match(JSON.stringify(normSetSchema.safeParse(bad).error?.issues), /shares must add up to 1/);
});

test('microdata aggregates: weighted shares, means and the value set used', () => {
  const set = aggregateMicrodata(
    [
      { age: 25, sex: 'female', levels: [1, 1, 1, 1, 1], vas: 95, weight: 1 },
      { age: 27, sex: 'female', levels: [2, 1, 1, 2, 1], vas: 85, weight: 3 },
      { age: 65, sex: 'male', levels: [3, 1, 2, 2, null], vas: null, weight: 2 },
    ],
    { id: 'T', version: '1', title: 't', population: 'p', sourceName: 'test.csv', valueSet: 'NO-2024' },
  );
  assert.ok(normSetSchema.safeParse(set).success);
  const f = set.strata.find((s) => s.sex === 'female' && s.age === '18-29')!;
  assert.equal(f.n?.value, 2);
  assert.deepEqual(f.dimensions.mobility?.shares, [0.25, 0.75, 0, 0, 0]);
  assert.equal(f.vas.mean?.value, 87.5);
  assert.equal(f.vas.groups?.shares[8], 0.75);
  assert.equal(f.index.valueSet, 'NO-2024');
  const all = set.strata.find((s) => s.sex === 'all' && s.age === 'all')!;
  assert.equal(all.n?.value, 3);
  assert.equal(all.vas.mean?.value, 87.5, 'a missing VAS is left out, not counted as 0');
  assert.equal(all.dimensions.anxiety_depression?.shares[0], 1);
  assert.ok(set.strata.every((s) => s.n!.source === 'computed:test.csv'));
  assert.equal(
    set.strata.find((s) => s.sex === 'male' && s.age === '18-29'),
    undefined,
    'empty cells are left out',
  );
});
