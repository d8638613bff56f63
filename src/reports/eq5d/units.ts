// Fixed-point arithmetic: every coefficient in the value sets has at most 7 decimals, so
// summing integers in 1e-7 units is exact and free of float artefacts like 0.5890000000000002.

const UNITS_PER_ONE = 10_000_000;

/** Coefficient -> integer units; throws if it has more than 7 decimals (would lose precision). */
export function toUnits(x: number): number {
  const scaled = x * UNITS_PER_ONE;
  const units = Math.round(scaled);
  if (!Number.isFinite(x) || Math.abs(scaled - units) > 1e-6) {
    throw new RangeError(`EQ-5D coefficient ${x} is not representable in 1e-7 units`);
  }
  return units;
}

export function fromUnits(units: number): number {
  return units / UNITS_PER_ONE;
}

const UNITS_PER_THOUSANDTH = UNITS_PER_ONE / 1000;

/**
 * Display rule: round once to 3 decimals, half away from zero, on integer units (not toFixed,
 * which rounds the binary float: toFixed gives 0.5535 -> "0.553"). Examples: -0.2345 -> "-0.235",
 * 0.5535 -> "0.554", 1 -> "1.000". Inputs off the 1e-7 grid are first snapped to it.
 * A value that rounds to zero prints "0.000" (no "-0.000").
 */
export function formatIndex(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`formatIndex: not a finite number: ${x}`);
  const units = Math.round(Math.abs(x) * UNITS_PER_ONE);
  const thousandths = Math.floor((units + UNITS_PER_THOUSANDTH / 2) / UNITS_PER_THOUSANDTH);
  const sign = x < 0 && thousandths > 0 ? '-' : '';
  const whole = Math.floor(thousandths / 1000);
  const frac = String(thousandths % 1000).padStart(3, '0');
  return `${sign}${whole}.${frac}`;
}
