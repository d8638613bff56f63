// The norm's own 95 % intervals, checked against printed t quantiles rather than the
// code's own numerics: the crude norm mean's t interval, the standardised mean whose
// Welch–Satterthwaite degrees of freedom come out whole, its bounds, and what gives no interval.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normShareIntervals, standardisedMeanInterval } from '../../src/reports/norms/intervals.ts';

// Student's t, 0.975 quantile (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
const T975 = { 99: 1.984217, 100: 1.983972, 9: 2.262157 };

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('crude norm: mean ± t(0.975, n − 1) · SD/√n (EQ VAS 79, SD 17, n 100)', () => {
  const r = standardisedMeanInterval([{ weight: 1, mean: 79, sd: 17, n: 100 }], [0, 100])!;
  close(r.df, 99, 1e-9, 'df');
  close(r.ci95[0], 79 - T975[99] * 1.7, 1e-5, 'low');
  close(r.ci95[1], 79 + T975[99] * 1.7, 1e-5, 'high');
});

test('standardised norm: two strata of weight ½, SD 20, n 51 give variance ½·SD²/n and df 2(n − 1) = 100', () => {
  // v = (½)²·400/51 each; Σv = 200/51; df = (Σv)² / (2·v²/50) = 100.
  const r = standardisedMeanInterval(
    [
      { weight: 3, mean: 70, sd: 20, n: 51 },
      { weight: 3, mean: 80, sd: 20, n: 51 },
    ],
    [0, 100],
  )!;
  close(r.value, 75, 1e-12, 'mean');
  close(r.df, 100, 1e-9, 'df');
  const se = Math.sqrt(200 / 51);
  close(r.ci95[0], 75 - T975[100] * se, 1e-5, 'low');
  close(r.ci95[1], 75 + T975[100] * se, 1e-5, 'high');
});

test('standardised norm: unequal strata, checked against the variance written out term by term', () => {
  // weights 0.3 and 0.7; var = 0.09·400/50 + 0.49·225/200 = 0.72 + 0.55125.
  const r = standardisedMeanInterval(
    [
      { weight: 30, mean: 70, sd: 20, n: 50 },
      { weight: 70, mean: 80, sd: 15, n: 200 },
    ],
    [0, 100],
  )!;
  const variance = 0.72 + 0.55125;
  const df = variance ** 2 / (0.72 ** 2 / 49 + 0.55125 ** 2 / 199);
  close(r.value, 77, 1e-12, 'mean');
  close(r.df, df, 1e-9, 'df');
  // df ≈ 133.5: the half-width lies between the normal (1.96) and t(100) half-widths.
  const half = (r.ci95[1] - r.ci95[0]) / 2;
  assert.ok(half > 1.959964 * Math.sqrt(variance) && half < T975[100] * Math.sqrt(variance), String(half));
});

test('bounds: the index interval stays within the value set; no SD or n, or n < 2, gives no interval', () => {
  const r = standardisedMeanInterval([{ weight: 1, mean: 0.99, sd: 0.1, n: 10 }], [-0.5, 1])!;
  close(r.ci95[0], 0.99 - T975[9] * (0.1 / Math.sqrt(10)), 1e-6, 'low');
  assert.equal(r.ci95[1], 1);
  assert.equal(standardisedMeanInterval([{ weight: 1, mean: 79, sd: undefined, n: 100 }], [0, 100]), null);
  assert.equal(standardisedMeanInterval([{ weight: 1, mean: 79, sd: 17, n: undefined }], [0, 100]), null);
  assert.equal(
    standardisedMeanInterval(
      [
        { weight: 1, mean: 79, sd: 17, n: 100 },
        { weight: 1, mean: 70, sd: 17, n: 1 },
      ],
      [0, 100],
    ),
    null,
  );
});

test('crude norm shares: Wilson with the norm’s n (Newcombe 1998, method 3: 81/263 → 0.2553–0.3662)', () => {
  // Newcombe's worked example 81 of 263 (0.3080): 95 % Wilson interval 0.2553 to 0.3662.
  const [ci] = normShareIntervals([81 / 263, 1 - 81 / 263], 263)!;
  close(ci![0], 0.2553, 5e-5, 'low');
  close(ci![1], 0.3662, 5e-5, 'high');
  assert.equal(normShareIntervals([0.5, 0.5], null), null);
});
