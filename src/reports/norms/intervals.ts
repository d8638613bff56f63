// How precisely the norm itself is known: 95 % intervals for the norm's means — the
// crude mean of one stratum and the mean directly standardised to a group's sex × age mix — from
// the SD and n the norm file states, and Wilson intervals for the crude norm's shares. A norm that
// does not state SD and n gets no interval, and the page says so. Pure.
import jStat from 'jstat';
import { wilson } from '../stats.ts';

export interface NormInterval {
  value: number;
  ci95: [number, number];
  /** Degrees of freedom of the t quantile (n − 1, or Welch–Satterthwaite over the strata). */
  df: number;
}

/**
 * A directly standardised mean Σ wᵢ·meanᵢ with its 95 % t interval: the strata are independent
 * samples, so its variance is Σ wᵢ²·sᵢ²/nᵢ, and the degrees of freedom follow Welch–Satterthwaite,
 * (Σ vᵢ)² / Σ vᵢ²/(nᵢ − 1) with vᵢ = wᵢ²·sᵢ²/nᵢ. With one stratum of weight 1 this is the plain
 * t interval mean ± t(0.975, n − 1)·s/√n of that stratum (the crude norm). `bounds` clips the
 * interval to what the measure can take (0–100 for EQ VAS; the value set's range for the index).
 * Null when a stratum lacks SD or n, or has n < 2, or the weights are not positive.
 */
export function standardisedMeanInterval(
  strata: readonly { weight: number; mean: number; sd: number | undefined; n: number | undefined }[],
  bounds: [number, number],
): NormInterval | null {
  if (strata.length === 0) return null;
  const total = strata.reduce((a, s) => a + s.weight, 0);
  if (!(total > 0)) return null;
  let value = 0;
  let variance = 0;
  let denominator = 0;
  for (const s of strata) {
    if (s.sd === undefined || s.n === undefined || s.n < 2 || s.sd < 0) return null;
    const w = s.weight / total;
    const v = (w * w * s.sd * s.sd) / s.n;
    value += w * s.mean;
    variance += v;
    denominator += (v * v) / (s.n - 1);
  }
  // All SDs 0: no spread, the interval is the point (df only matters when there is variance).
  const df = denominator > 0 ? (variance * variance) / denominator : strata.reduce((a, s) => a + s.n! - 1, 0);
  const half = jStat.studentt.inv(0.975, df) * Math.sqrt(variance);
  return {
    value,
    ci95: [Math.max(bounds[0], value - half), Math.min(bounds[1], value + half)],
    df,
  };
}

/** Wilson 95 % intervals of the crude norm's shares, with the norm's respondents as n (weighted shares: x = share·n). */
export function normShareIntervals(
  shares: readonly number[] | null,
  n: number | null,
): ([number, number] | null)[] | null {
  if (!shares || n === null || n < 1) return null;
  return shares.map((p) => wilson(p * n, n));
}
