// Descriptive statistics for the analyst report: plain, weighted, and the EQ VAS groups.
// Pure functions; the t quantile comes from jStat rather than our own numerics.
import jStat from 'jstat';

const tQuantile = (p: number, dof: number): number => jStat.studentt.inv(p, dof);

export interface Summary {
  n: number;
  mean: number;
  sd: number | null;
  /** 95 % confidence interval of the mean (t distribution); null below n = 2. */
  ci95: [number, number] | null;
}

export function summarise(values: readonly number[]): Summary | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { n, mean, sd: null, ci95: null };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const half = tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, ci95: [mean - half, mean + half] };
}

/** The ten EQ VAS groups of the register's figure: 0–9, 10–19, …, 80–89, 90–100. */
export const VAS_GROUPS = [
  '0–9',
  '10–19',
  '20–29',
  '30–39',
  '40–49',
  '50–59',
  '60–69',
  '70–79',
  '80–89',
  '90–100',
] as const;

export function vasGroup(vas: number): number {
  if (!Number.isInteger(vas) || vas < 0 || vas > 100)
    throw new RangeError(`EQ VAS must be a whole number 0–100, got ${vas}`);
  return Math.min(9, Math.floor(vas / 10));
}

/** Shares (0–1) of values in each of `k` categories; weights default to 1. */
export function shares(categories: readonly number[], k: number, weights?: readonly number[]): number[] | null {
  const totals = new Array<number>(k).fill(0);
  let sum = 0;
  categories.forEach((c, i) => {
    const w = weights ? weights[i]! : 1;
    totals[c] = totals[c]! + w;
    sum += w;
  });
  return sum > 0 ? totals.map((t) => t / sum) : null;
}

export function weightedMean(values: readonly number[], weights: readonly number[]): number | null {
  const w = weights.reduce((s, x) => s + x, 0);
  return w > 0 ? values.reduce((s, v, i) => s + v * weights[i]!, 0) / w : null;
}

/** Weighted SD with the reliability-weights correction (equals the sample SD when all weights are 1). */
export function weightedSd(values: readonly number[], weights: readonly number[]): number | null {
  const mean = weightedMean(values, weights);
  if (mean === null || values.length < 2) return null;
  const v1 = weights.reduce((s, x) => s + x, 0);
  const v2 = weights.reduce((s, x) => s + x * x, 0);
  const ss = values.reduce((s, v, i) => s + weights[i]! * (v - mean) ** 2, 0);
  const denominator = v1 - v2 / v1;
  return denominator > 0 ? Math.sqrt(ss / denominator) : null;
}

/** Weighted median: the smallest value whose cumulative weight reaches half (the mean of two at an exact tie). */
export function weightedMedian(values: readonly number[], weights: readonly number[]): number | null {
  const order = values
    .map((v, i) => [v, weights[i]!] as const)
    .filter(([, w]) => w > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = order.reduce((s, [, w]) => s + w, 0);
  if (total === 0) return null;
  let cumulative = 0;
  for (let i = 0; i < order.length; i++) {
    cumulative += order[i]![1];
    if (Math.abs(cumulative - total / 2) < 1e-12 && i + 1 < order.length) return (order[i]![0] + order[i + 1]![0]) / 2;
    if (cumulative > total / 2) return order[i]![0];
  }
  return order[order.length - 1]![0];
}

/**
 * Direct standardisation: a norm value per stratum, averaged with the survivors' stratum
 * weights. Null when any stratum the survivors occupy has no norm value.
 */
export function standardise(
  normByStratum: ReadonlyMap<string, number | null>,
  survivorCounts: ReadonlyMap<string, number>,
): number | null {
  let total = 0;
  let sum = 0;
  for (const [stratum, count] of survivorCounts) {
    if (count === 0) continue;
    const norm = normByStratum.get(stratum);
    if (norm === null || norm === undefined) return null;
    sum += norm * count;
    total += count;
  }
  return total > 0 ? sum / total : null;
}

/**
 * Wilson score 95 % interval of a share `x / n` (Wilson 1927; Newcombe 1998, method 3): stays
 * within 0–1 and behaves at 0 % and 100 %, where the Wald interval collapses. Null for n = 0.
 */
export function wilson(x: number, n: number): [number, number] | null {
  if (n <= 0) return null;
  const z = jStat.normal.inv(0.975, 0, 1);
  const p = x / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export interface Difference {
  value: number;
  ci95: [number, number];
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
}

/**
 * Survivors' mean minus a directly standardised norm mean, with a Welch 95 % interval. The norm
 * mean is Σ w·mean over its strata, so its variance is Σ w²·sd²/n (independent samples); the
 * degrees of freedom follow Welch–Satterthwaite over all the variance components. With one
 * stratum of weight 1 this is Welch's two-sample interval. Null when an SD or n is missing.
 */
export function differenceFromStandardised(
  s: Summary,
  normMean: number,
  strata: readonly { weight: number; sd: number; n: number }[],
): Difference | null {
  if (s.sd === null || s.n < 2 || strata.length === 0 || strata.some((x) => x.n < 2)) return null;
  const own = (s.sd * s.sd) / s.n;
  const parts = strata.map((x) => ({ v: (x.weight * x.weight * x.sd * x.sd) / x.n, n: x.n }));
  const variance = own + parts.reduce((a, p) => a + p.v, 0);
  const df = (variance * variance) / ((own * own) / (s.n - 1) + parts.reduce((a, p) => a + (p.v * p.v) / (p.n - 1), 0));
  const value = s.mean - normMean;
  const half = tQuantile(0.975, df) * Math.sqrt(variance);
  return { value, ci95: [value - half, value + half], df };
}

/**
 * Percentile bootstrap 95 % interval of a mean (Efron & Tibshirani 1993, ch. 13): `resamples`
 * resamples with replacement from a fixed-seed generator over the sorted values, so the same
 * data give the same interval. Every resampled mean is an average of observed values, so the interval stays within
 * their range — for the EQ-5D index, within the value set's bounds (never above 1).
 */
export function bootstrapMeanInterval(
  values: readonly number[],
  resamples = 2000,
  seed = 2019,
): [number, number] | null {
  const n = values.length;
  if (n < 2) return null;
  // Sorted first, so the interval depends on the values, not on the order the database returned them in.
  const sorted = [...values].sort((a, b) => a - b);
  let state = seed >>> 0;
  const next = () => {
    // mulberry32: small, fast, good enough to draw indexes
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[Math.floor(next() * n)]!;
    means[b] = sum / n;
  }
  means.sort();
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return [at(0.025), at(0.975)];
}
