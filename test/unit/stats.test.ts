import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  shares,
  standardise,
  summarise,
  vasGroup,
  weightedMean,
  weightedMedian,
  weightedSd,
  wilson,
} from '../../src/reports/stats.ts';
import { ageBand } from '../../src/reports/norms/format.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

test('summarise: mean, sample SD and a t-based 95 % interval', () => {
  const s = summarise([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])!;
  close(s.mean, 5.5);
  close(s.sd!, Math.sqrt(55 / 6));
  // t(0.975, 9) = 2.2621571628 (standard tables)
  close(s.ci95![0], 5.5 - (2.2621571628 * Math.sqrt(55 / 6)) / Math.sqrt(10), 1e-8);
  close(s.ci95![1], 5.5 + (2.2621571628 * Math.sqrt(55 / 6)) / Math.sqrt(10), 1e-8);
  assert.deepEqual(summarise([7]), { n: 1, mean: 7, sd: null, ci95: null });
  assert.equal(summarise([]), null);
});

test('EQ VAS groups: 0–9 … 80–89 and 90–100 (100 belongs to the last group)', () => {
  assert.deepEqual([0, 9, 10, 19, 50, 89, 90, 99, 100].map(vasGroup), [0, 0, 1, 1, 5, 8, 9, 9, 9]);
  assert.throws(() => vasGroup(101), RangeError);
  assert.throws(() => vasGroup(-1), RangeError);
  assert.throws(() => vasGroup(7.5), RangeError);
});

test('shares, weighted mean, SD and median', () => {
  assert.deepEqual(shares([0, 0, 1, 4], 5), [0.5, 0.25, 0, 0, 0.25]);
  assert.deepEqual(shares([0, 1], 2, [3, 1]), [0.75, 0.25]);
  assert.equal(shares([], 3), null);
  close(weightedMean([10, 20], [1, 3])!, 17.5);
  close(weightedSd([1, 2, 3, 4], [1, 1, 1, 1])!, summarise([1, 2, 3, 4])!.sd!);
  assert.equal(weightedMedian([1, 2, 3], [1, 1, 1]), 2);
  assert.equal(weightedMedian([1, 2, 3, 4], [1, 1, 1, 1]), 2.5);
  assert.equal(weightedMedian([1, 2, 3], [1, 1, 5]), 3);
  assert.equal(weightedMedian([], []), null);
});

test('direct standardisation weights the norm strata by the survivors’ mix, and needs every stratum', () => {
  const norm = new Map<string, number | null>([
    ['male|60-69', 80],
    ['female|60-69', 70],
    ['male|80+', null],
  ]);
  close(
    standardise(
      norm,
      new Map([
        ['male|60-69', 3],
        ['female|60-69', 1],
      ]),
    )!,
    77.5,
  );
  assert.equal(
    standardise(
      norm,
      new Map([
        ['male|60-69', 3],
        ['male|80+', 1],
      ]),
    ),
    null,
  );
  assert.equal(standardise(norm, new Map([['female|18-29', 2]])), null);
});

test('age bands of the Norwegian norms', () => {
  assert.deepEqual([17, 18, 29, 30, 39, 40, 69, 70, 79, 80, 104].map(ageBand), [
    null,
    '18-29',
    '18-29',
    '30-39',
    '30-39',
    '40-49',
    '60-69',
    '70-79',
    '70-79',
    '80+',
    '80+',
  ]);
});

test('Wilson intervals: Newcombe (1998) worked examples, and the score test inverted by bisection', () => {
  // Newcombe RG. Stat Med 1998;17:857–872, Table II, method 3 (score interval without correction).
  const published: [number, number, number, number][] = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ];
  for (const [x, n, low, high] of published)
    assert.deepEqual(
      wilson(x, n)!.map((v) => v.toFixed(4)),
      [low.toFixed(4), high.toFixed(4)],
      `${x}/${n}`,
    );
  // Independently: the bounds are the p where |x − np| / √(np(1 − p)) equals z(0.975) = 1.959963985.
  const z = 1.959963985;
  const score = (x: number, n: number, p: number) => Math.abs(x - n * p) / Math.sqrt(n * p * (1 - p));
  const bisect = (x: number, n: number, from: number, to: number) => {
    let [a, b] = [from, to];
    for (let i = 0; i < 200; i++) {
      const mid = (a + b) / 2;
      if (score(x, n, mid) > z === score(x, n, a) > z) a = mid;
      else b = mid;
    }
    return (a + b) / 2;
  };
  for (const [x, n] of [
    [3, 10],
    [7, 40],
    [39, 39],
    [12, 94],
  ] as const) {
    const [low, high] = wilson(x, n)!;
    const p = x / n;
    if (x > 0) close(low, bisect(x, n, 1e-12, p), 1e-9);
    if (x < n) close(high, bisect(x, n, p, 1 - 1e-12), 1e-9);
    if (x === n) close(high, 1);
  }
  assert.equal(wilson(0, 0), null);
});

test('difference from a standardised norm: with one stratum it is Welch’s interval (R, t.test on the sleep data)', async () => {
  const { differenceFromStandardised } = await import('../../src/reports/stats.ts');
  // Cushny & Peebles' sleep data (R datasets::sleep); t.test(extra ~ group, data = sleep):
  // t = −1.8608, df = 17.776, 95 % CI −3.3654832 to 0.2054832.
  const g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
  const g2 = summarise([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])!;
  const d = differenceFromStandardised(summarise(g1)!, g2.mean, [{ weight: 1, sd: g2.sd!, n: g2.n }])!;
  close(d.value, -1.58, 1e-12);
  close(d.df, 17.776, 5e-4);
  close(d.ci95[0], -3.3654832, 1e-6);
  close(d.ci95[1], 0.2054832, 1e-6);
  // Two strata: the norm's variance adds up as Σ w²·sd²/n.
  const two = differenceFromStandardised({ n: 50, mean: 70, sd: 20, ci95: null }, 80, [
    { weight: 0.6, sd: 15, n: 400 },
    { weight: 0.4, sd: 18, n: 300 },
  ])!;
  const variance = 400 / 50 + (0.36 * 225) / 400 + (0.16 * 324) / 300;
  close(two.ci95[1] - two.value, two.value - two.ci95[0]);
  assert.ok(
    Math.abs((two.ci95[1] - two.value) / Math.sqrt(variance) - 2.01) < 0.02,
    'about t(0.975, ~55) standard errors',
  );
  assert.equal(
    differenceFromStandardised({ n: 50, mean: 70, sd: 20, ci95: null }, 80, [{ weight: 1, sd: 15, n: 1 }]),
    null,
  );
});

test('bootstrap interval of a mean: fixed seed, within the data’s range, and as the normal approximation for large n', async () => {
  const { bootstrapMeanInterval } = await import('../../src/reports/stats.ts');
  // Exact bootstrap of [0, 1]: resampled means 0, ½, 1 with chances ¼, ½, ¼, so 2.5 % → 0 and 97.5 % → 1.
  assert.deepEqual(bootstrapMeanInterval([0, 1]), [0, 1]);
  // Index values near full health: the t interval runs above 1, the bootstrap interval cannot.
  const index = [...new Array<number>(38).fill(1), 0.2, -0.1];
  assert.ok(summarise(index)!.ci95![1] > 1);
  const [low, high] = bootstrapMeanInterval(index)!;
  assert.ok(high <= 1 && low >= -0.1 && low < high, `${low}–${high}`);
  assert.deepEqual(bootstrapMeanInterval(index), [low, high], 'the same data give the same interval');
  // 400 evenly spread values: mean ± 1.96 · SD / √n within Monte Carlo error.
  const spread = Array.from({ length: 400 }, (_, i) => (i + 0.5) / 400);
  const s = summarise(spread)!;
  const [a, b] = bootstrapMeanInterval(spread)!;
  close(a, s.mean - 1.959964 * (s.sd! / Math.sqrt(400)), 0.003);
  close(b, s.mean + 1.959964 * (s.sd! / Math.sqrt(400)), 0.003);
  assert.equal(bootstrapMeanInterval([0.5]), null);
});
