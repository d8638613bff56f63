// Exact linear algebra over the rationals for the disclosure tests: integer rows, fraction-free
// elimination with BigInt, and a basis of the null space scaled to integers. A 0/1 vector v is
// a combination of the rows exactly when every null-space vector y has y · v = 0.

const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
};
const lcm = (a: bigint, b: bigint) => (a / gcd(a, b)) * b;

/** Reduced echelon form (each pivot row has zeros in the other pivot columns); rows are integers. */
function echelon(input: readonly (readonly number[])[], width: number): { rows: bigint[][]; pivots: number[] } {
  const rows = input.map((r) => r.map((v) => BigInt(v)));
  const pivots: number[] = [];
  let lead = 0;
  for (let col = 0; col < width && lead < rows.length; col++) {
    const found = rows.findIndex((r, i) => i >= lead && r[col] !== 0n);
    if (found < 0) continue;
    [rows[lead], rows[found]] = [rows[found]!, rows[lead]!];
    const p = rows[lead]!;
    for (let i = 0; i < rows.length; i++) {
      if (i === lead || rows[i]![col] === 0n) continue;
      const a = p[col]!;
      const b = rows[i]![col]!;
      const next = rows[i]!.map((v, j) => a * v - b * p[j]!);
      const g = next.reduce((x, y) => gcd(x, y), 0n);
      rows[i] = g > 1n ? next.map((v) => v / g) : next;
    }
    pivots.push(col);
    lead++;
  }
  return { rows: rows.slice(0, pivots.length), pivots };
}

/** Integer basis of { y : A y = 0 }, as one array per null vector over the columns. */
export function nullSpace(input: readonly (readonly number[])[], width: number): bigint[][] {
  const { rows, pivots } = echelon(input, width);
  const pivotSet = new Set(pivots);
  const basis: bigint[][] = [];
  for (let f = 0; f < width; f++) {
    if (pivotSet.has(f)) continue;
    // y_f = L, y_pivot(i) = −row_i[f] · L / row_i[pivot(i)], L the lcm of the pivots.
    const L = rows.reduce((acc, r, i) => lcm(acc, r[pivots[i]!]! < 0n ? -r[pivots[i]!]! : r[pivots[i]!]!), 1n);
    const y = new Array<bigint>(width).fill(0n);
    y[f] = L;
    rows.forEach((r, i) => {
      y[pivots[i]!] = (-r[f]! * L) / r[pivots[i]!]!;
    });
    const g = y.reduce((a, b) => gcd(a, b), 0n);
    basis.push(g > 1n ? y.map((v) => v / g) : y);
  }
  return basis;
}

/** Whether the 0/1 vector with ones at `columns` is a combination of the rows (given their null space). */
export function inRowSpace(nulls: readonly bigint[][], columns: readonly number[]): boolean {
  return nulls.every((y) => columns.reduce((s, c) => s + y[c]!, 0n) === 0n);
}
