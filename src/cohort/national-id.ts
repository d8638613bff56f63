// Norwegian fødselsnummer and D-number: check digits only.
// From 2032 the number carries neither birth date nor sex, so we never derive them from it.

const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

export type NationalIdProblem = 'format' | 'check-digits';

/** Returns undefined when valid, or what is wrong. */
export function checkNationalId(value: string): NationalIdProblem | undefined {
  if (!/^[0-9]{11}$/.test(value)) return 'format';
  const d = [...value].map(Number);
  // k1: until 2031 the weighted sum including k1 (weight 1) is 0 mod 11; from 2032 it may be 0–3.
  const sum1 = weighted(d, K1_WEIGHTS) + d[9]!;
  if (sum1 % 11 > 3) return 'check-digits';
  // k2 is unchanged: the weighted sum including k2 (weight 1) is 0 mod 11.
  const sum2 = weighted(d, K2_WEIGHTS) + d[10]!;
  if (sum2 % 11 !== 0) return 'check-digits';
  return undefined;
}

function weighted(digits: number[], weights: number[]): number {
  return weights.reduce((sum, w, i) => sum + w * digits[i]!, 0);
}

/** For staff screens: only the last four digits show, enough to tell two people apart. */
export function maskNationalId(value: string): string {
  return `${'•'.repeat(7)}${value.slice(7)}`;
}
