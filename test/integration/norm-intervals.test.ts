// The norm's own 95 % intervals in the report's long table, recomputed here from the
// stored norm strata and the people, independently of src/reports/norms/intervals.ts: the
// standardised mean's variance Σ w²·s²/n with Welch–Satterthwaite degrees of freedom, the crude
// mean's t interval, and the crude shares' Wilson interval as the roots of its quadratic.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import jStat from 'jstat';
import { buildComparison } from '../../src/reports/comparison/report.ts';
import { longTable } from '../../src/reports/comparison/table.ts';
import { ageBand, findStratum } from '../../src/reports/norms/format.ts';
import { loadNormSet } from '../../src/reports/norms/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { disclosureCohort, writeDisclosureCohort } from '../support/disclosure-cohort.ts';

let database: TestDatabase;
const people = disclosureCohort();
before(async () => {
  database = await createTestDatabase();
  await writeDisclosureCohort(database.db, people);
});
after(async () => {
  await database?.drop();
});

/** Wilson's interval as the two roots of (1 + z²/n)π² − (2p + z²/n)π + p² = 0. */
function wilsonRoots(p: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const a = 1 + (z * z) / n;
  const b = -(2 * p + (z * z) / n);
  const c = p * p;
  const d = Math.sqrt(b * b - 4 * a * c);
  return [(-b - d) / (2 * a), (-b + d) / (2 * a)];
}

test('the norm’s intervals in the CSV match an independent computation (standardised, crude, shares)', async () => {
  const norms = (await loadNormSet(database.db, 'TESTNORM'))!;
  const rows = longTable(await buildComparison(database.db, {}, { normSet: 'TESTNORM', threshold: 5 }));
  const value = (group: string, measure: string, category = '') => {
    const r = rows.find((x) => x.group === group && x.measure === measure && x.category === category);
    assert.ok(r && r.value !== '', `${group} ${measure} ${category}`);
    return Number(r.value);
  };
  let checked = 0;
  for (const type of ['OHCA', 'IHCA'] as const) {
    const counts = new Map<string, number>();
    for (const p of people)
      if (p.arrestType === type && ageBand(p.age))
        counts.set(`${p.sex}|${ageBand(p.age)}`, (counts.get(`${p.sex}|${ageBand(p.age)}`) ?? 0) + 1);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    for (const [measure, pick, digits] of [
      ['vas', (s: NonNullable<ReturnType<typeof findStratum>>) => [s.vas.mean!.value, s.vas.sd!.value], 1],
      ['index', (s: NonNullable<ReturnType<typeof findStratum>>) => [s.index.mean!.value, s.index.sd!.value], 3],
    ] as const) {
      let mean = 0;
      let variance = 0;
      for (const [key, count] of counts) {
        const [sex, age] = key.split('|') as ['female' | 'male', '18-29'];
        const s = findStratum(norms, sex, age)!;
        const [m, sd] = pick(s);
        const n = s.n!.value;
        const w = count / total;
        mean += w * m!;
        variance += (w * w * sd! * sd!) / n;
      }
      // Welch–Satterthwaite: (Σv)² / Σ v²/(n − 1).
      let dfDenominator = 0;
      for (const [key, count] of counts) {
        const [sex, age] = key.split('|') as ['female' | 'male', '18-29'];
        const s = findStratum(norms, sex, age)!;
        const [, sd] = pick(s);
        const v = ((count / total) ** 2 * sd! * sd!) / s.n!.value;
        dfDenominator += (v * v) / (s.n!.value - 1);
      }
      const half = jStat.studentt.inv(0.975, (variance * variance) / dfDenominator) * Math.sqrt(variance);
      const tol = 0.5 * 10 ** -digits + 1e-9;
      assert.ok(Math.abs(value(`norm_std_${type}`, `${measure}_mean`) - mean) <= tol);
      assert.ok(
        Math.abs(value(`norm_std_${type}`, `${measure}_ci_low`) - (mean - half)) <= tol,
        `${type} ${measure} low ${value(`norm_std_${type}`, `${measure}_ci_low`)} vs ${mean - half}`,
      );
      assert.ok(Math.abs(value(`norm_std_${type}`, `${measure}_ci_high`) - (mean + half)) <= tol);
      checked++;
    }
  }
  // The crude norm: one stratum, mean ± t(0.975, n − 1)·SD/√n.
  const all = findStratum(norms, 'all', 'all')!;
  const n = all.n!.value;
  const half = jStat.studentt.inv(0.975, n - 1) * (all.vas.sd!.value / Math.sqrt(n));
  assert.ok(Math.abs(value('norm', 'vas_ci_low') - (all.vas.mean!.value - half)) <= 0.05 + 1e-9);
  assert.ok(Math.abs(value('norm', 'vas_ci_high') - (all.vas.mean!.value + half)) <= 0.05 + 1e-9);
  // Its EQ VAS group shares: Wilson with the norm's respondents as n.
  all.vas.groups!.shares.forEach((p, i) => {
    const label = i === 9 ? '90-100' : `${i * 10}-${i * 10 + 9}`;
    const [low, high] = wilsonRoots(p, n);
    assert.ok(Math.abs(value('norm', 'vas_group_share_ci_low', label) - low * 100) <= 0.05 + 1e-9, label);
    assert.ok(Math.abs(value('norm', 'vas_group_share_ci_high', label) - high * 100) <= 0.05 + 1e-9, label);
  });
  assert.equal(checked, 4);
});

test('a selection whose standardised norm is withheld withholds its interval too', async () => {
  const rows = longTable(
    await buildComparison(database.db, { year: 2024, hospital: 'EDGE' }, { normSet: 'TESTNORM', threshold: 5 }),
  );
  for (const m of ['vas_ci_low', 'vas_ci_high', 'index_ci_low', 'index_ci_high']) {
    const r = rows.find((x) => x.group === 'norm_std_OHCA' && x.measure === m)!;
    assert.deepEqual([r.value, r.n, r.suppressed], ['', '', '1'], m);
  }
});
