// Small-cell suppression: primary (1–4 hidden), secondary (no hidden cell follows from totals,
// also across linked tables), and a brute-force check that no hidden value can be worked out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivableCells, isSmall, suppressCells, type Relation } from '../../src/reports/suppression.ts';

test('primary: 1–4 are hidden, 0 and 5+ are shown', () => {
  assert.deepEqual(
    [0, 1, 4, 5, 100].map((n) => isSmall(n)),
    [false, true, true, false, false],
  );
  const { suppressed, primary } = suppressCells([10, 20, 30], [{ total: 2, parts: [0, 1] }].slice(0, 0));
  assert.deepEqual(suppressed, [false, false, false]);
  assert.deepEqual(primary, [false, false, false]);
});

test('one hidden cell in a column with a published total gets a partner', () => {
  // parts 3, 10, 12 → total 25: hiding only the 3 would leave 25 − 10 − 12 = 3.
  const values = [3, 10, 12, 25];
  const relations: Relation[] = [{ total: 3, parts: [0, 1, 2] }];
  const { suppressed, primary } = suppressCells(values, relations);
  assert.deepEqual(primary, [true, false, false, false]);
  assert.deepEqual(suppressed, [true, true, false, false], 'the smallest other cell (10) is hidden as well');
  assert.deepEqual(derivableCells(suppressed, relations), []);
});

test('a small total hides its parts’ partner too, and a cell equal to its only part follows it', () => {
  // trust = one hospital: both 3, both primary; nothing else needed.
  const values = [3, 3];
  const { suppressed } = suppressCells(values, [{ total: 1, parts: [0] }]);
  assert.deepEqual(suppressed, [true, true]);
});

test('a 2×2 pattern in a table with row and column totals is safe; a lone cell is not', () => {
  // rows r0, r1 with columns c0, c1 and totals:
  //   [a b | A]
  //   [c d | B]
  //   [C D | T]
  const idx = { a: 0, b: 1, c: 2, d: 3, A: 4, B: 5, C: 6, D: 7, T: 8 };
  const relations: Relation[] = [
    { total: idx.A, parts: [idx.a, idx.b] },
    { total: idx.B, parts: [idx.c, idx.d] },
    { total: idx.C, parts: [idx.a, idx.c] },
    { total: idx.D, parts: [idx.b, idx.d] },
    { total: idx.T, parts: [idx.A, idx.B] },
    { total: idx.T, parts: [idx.C, idx.D] },
  ];
  const hidden = (names: (keyof typeof idx)[]) => Object.values(idx).map((i) => names.some((n) => idx[n] === i));
  assert.deepEqual(
    derivableCells(hidden(['a', 'b', 'c', 'd']), relations),
    [],
    'four interior cells: a one-parameter family',
  );
  assert.deepEqual(derivableCells(hidden(['a', 'b', 'c']), relations).sort(), [0, 1, 2], 'three of four: all follow');
  const values = [2, 20, 30, 40, 22, 70, 32, 60, 92];
  const { suppressed } = suppressCells(values, relations);
  assert.ok(suppressed[idx.a]);
  assert.equal(suppressed.filter(Boolean).length, 4, 'a, its row partner, its column partner and the opposite corner');
  assert.deepEqual(derivableCells(suppressed, relations), []);
});

test('linked tables: a hidden hospital cannot be recovered through its health trust', () => {
  // hospitals h0 (2), h1 (30) in trust t0 (32); h2 (40) in trust t1 (40); total 72.
  // The hospital table and the trust table both add up to the total.
  const values = [2, 30, 40, 32, 40, 72];
  const relations: Relation[] = [
    { total: 5, parts: [0, 1, 2] },
    { total: 5, parts: [3, 4] },
    { total: 3, parts: [0, 1] },
    { total: 4, parts: [2] },
  ];
  const { suppressed } = suppressCells(values, relations);
  assert.ok(suppressed[0] && suppressed[1], 'h0 and its trust partner h1');
  assert.deepEqual(derivableCells(suppressed, relations), []);
});

test('random tables with random links never leave a hidden cell derivable', () => {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 500; round++) {
    const rows = 2 + Math.floor(rand() * 5);
    const cols = 2 + Math.floor(rand() * 4);
    // interior cells, then row totals, column totals, grand total
    const interior = Array.from({ length: rows * cols }, () =>
      rand() < 0.3 ? Math.floor(rand() * 5) : Math.floor(rand() * 15),
    );
    const rowTotals = Array.from({ length: rows }, (_, r) =>
      interior.slice(r * cols, (r + 1) * cols).reduce((a, b) => a + b, 0),
    );
    const colTotals = Array.from({ length: cols }, (_, c) =>
      interior.filter((_, i) => i % cols === c).reduce((a, b) => a + b, 0),
    );
    const grand = rowTotals.reduce((a, b) => a + b, 0);
    const values = [...interior, ...rowTotals, ...colTotals, grand];
    const R = rows * cols;
    const C = R + rows;
    const G = C + cols;
    const relations: Relation[] = [];
    for (let r = 0; r < rows; r++)
      relations.push({ total: R + r, parts: Array.from({ length: cols }, (_, c) => r * cols + c) });
    for (let c = 0; c < cols; c++)
      relations.push({ total: C + c, parts: Array.from({ length: rows }, (_, r) => r * cols + c) });
    relations.push({ total: G, parts: Array.from({ length: rows }, (_, r) => R + r) });
    relations.push({ total: G, parts: Array.from({ length: cols }, (_, c) => C + c) });
    const { suppressed, primary } = suppressCells(values, relations);
    for (let i = 0; i < values.length; i++) {
      if (isSmall(values[i]!)) assert.ok(primary[i] && suppressed[i], `small cell ${i} is hidden`);
    }
    assert.deepEqual(derivableCells(suppressed, relations), [], `round ${round}`);
    assert.deepEqual(bruteForceDerivable(values, suppressed, relations), [], `round ${round}: brute force agrees`);
  }
});

test('a thousand cells with hundreds of relations finish quickly', () => {
  const groups = 100;
  const perGroup = 10;
  const values: number[] = [];
  const relations: Relation[] = [];
  for (let g = 0; g < groups; g++) {
    const parts = Array.from({ length: perGroup }, (_, i) => values.push((g * 7 + i * 3) % 12) - 1);
    const total = values.push(parts.reduce((s, p) => s + values[p]!, 0)) - 1;
    relations.push({ total, parts });
  }
  const started = Date.now();
  const { suppressed } = suppressCells(values, relations);
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  assert.deepEqual(derivableCells(suppressed, relations), []);
});

/**
 * Independent check for small tables: a hidden cell counts as derivable when the relations admit
 * more than one assignment of non-negative integers but all of them give this cell the same
 * value. Depth-first over the hidden cells, pruning on each relation as soon as it is complete.
 */
let bruteForceRuns = 0;
function bruteForceDerivable(values: number[], suppressed: boolean[], relations: Relation[]): number[] {
  const hidden = suppressed.flatMap((s, i) => (s ? [i] : []));
  if (hidden.length === 0 || hidden.length > 6) return [];
  bruteForceRuns++;
  const max = Math.max(...values);
  const order = new Map(hidden.map((h, k) => [h, k]));
  // a relation can be checked once its last hidden member (in search order) is set
  const checkAt = hidden.map(() => [] as Relation[]);
  for (const r of relations) {
    const last = Math.max(-1, ...[r.total, ...r.parts].map((c) => order.get(c) ?? -1));
    if (last >= 0) checkAt[last]!.push(r);
  }
  const seen = new Map<number, Set<number>>(hidden.map((h) => [h, new Set<number>()]));
  const v = [...values];
  let solutions = 0;
  const walk = (k: number) => {
    if (solutions > 5000) return;
    if (k === hidden.length) {
      solutions++;
      for (const h of hidden) seen.get(h)!.add(v[h]!);
      return;
    }
    for (let x = 0; x <= max; x++) {
      v[hidden[k]!] = x;
      if (checkAt[k]!.every((r) => v[r.total] === r.parts.reduce((s, p) => s + v[p]!, 0))) walk(k + 1);
    }
  };
  walk(0);
  return solutions > 1 ? hidden.filter((h) => seen.get(h)!.size === 1) : [];
}

test('the brute-force check actually ran on many of the random tables', () => {
  assert.ok(bruteForceRuns >= 50, `ran ${bruteForceRuns} times`);
});
