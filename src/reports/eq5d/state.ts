// Health-state codes: parsing and the unweighted level sum. Invalid input is never imputed.

import type { Level, Levels } from './types.ts';

const STATE_PATTERN = /^[1-5]{5}$/;

/** '12345' -> [1,2,3,4,5]; anything but exactly five digits 1-5 -> null (no trimming, no 9 = missing). */
export function parseState(s: string): Levels | null {
  if (typeof s !== 'string' || !STATE_PATTERN.test(s)) return null;
  return [...s].map(Number) as unknown as Levels;
}

/** Runtime guard: callers may pass arrays built from untyped data. */
function isLevels(x: unknown): x is Levels {
  return Array.isArray(x) && x.length === 5 && x.every((v) => Number.isInteger(v) && v >= 1 && v <= 5);
}

/** Accepts a code or a level tuple; null if either is invalid. */
export function toLevels(state: string | readonly number[]): Levels | null {
  if (typeof state === 'string') return parseState(state);
  return isLevels(state) ? state : null;
}

/** Level sum score (LSS, 5..25): an unweighted sum, not an index value. */
export function levelSumScore(levels: string | readonly number[]): number | null {
  const valid = toLevels(levels);
  return valid ? valid.reduce<number>((sum, l) => sum + l, 0) : null;
}

/** Position of a state in the canonical order 11111, 11112, ..., 55555 (0..3124). */
export function stateOrdinal(levels: Levels): number {
  return levels.reduce<number>((acc, l) => acc * 5 + (l - 1), 0);
}

export function isFullHealth(levels: Levels): boolean {
  return levels.every((l: Level) => l === 1);
}
