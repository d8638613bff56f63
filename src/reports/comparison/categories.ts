// Which adjacent categories are merged below the whole register (disclosure.ts): one set of
// merges per arrest type, chosen so that as many people's selections as possible are clean. Pure.
import { DIMENSIONS } from '../../instruments/eq5d-texts.ts';
import { boxTally, coreCheck, fine, FINE_LEVELS, FINE_VAS, merged, type Grid, type Span, type Tally } from './tally.ts';

/**
 * Category spans for everything below the whole register, one set per arrest type (the same in
 * every box, so two boxes never show differently merged categories that could be subtracted).
 * Boxes are taken largest first; each merges, from the spans so far, every category it has under
 * k with its smaller neighbour. A box is taken in when every measure keeps at least MIN_SPANS
 * spans with people in them and the detail published does not drop: (people in clean boxes) ×
 * (share of categories kept). Boxes left out are not clean and stay hidden.
 */
const MIN_SPANS = { vas: 3, dims: 2 };

export function chooseSpans(g: Grid, k: number, more: readonly Tally[] = []): { vas: Span[]; dims: Span[][] } {
  const occupied = (spans: Span[], counts: number[]) => merged(counts, spans).filter((c) => c > 0).length;
  const all = (counts: number[]) => occupied(fine(counts.length - 1), counts);
  const enough = (spans: Span[], counts: number[], min: number) =>
    occupied(spans, counts) >= Math.min(min, all(counts));
  const boxes: Tally[] = [
    ...g.cells.values(),
    ...g.years.map((y) => boxTally(g, { year: y })),
    ...g.hospitals.map((h) => boxTally(g, { hospital: h })),
    ...more,
  ].filter((t) => t.n >= k);
  boxes.sort((a, b) => b.n - a.n);
  const value = (vas: Span[], dims: Span[][]) => {
    const check = coreCheck(k, vas, dims);
    const people = boxes.reduce((s, t) => s + (check(t) ? t.n : 0), 0);
    const kept = [
      occupied(vas, g.total.vas) / Math.max(1, all(g.total.vas)),
      ...dims.map((d, i) => occupied(d, g.total.dims[i]!) / Math.max(1, all(g.total.dims[i]!))),
    ];
    return people * (kept.reduce((a, b) => a + b, 0) / kept.length);
  };
  let vas = fine(FINE_VAS);
  let dims = DIMENSIONS.map(() => fine(FINE_LEVELS));
  let current = value(vas, dims);
  for (const t of boxes) {
    const v = mergeSmall(vas, t.vas, k);
    const d = dims.map((spans, i) => mergeSmall(spans, t.dims[i]!, k));
    if (v === vas && d.every((spans, i) => spans === dims[i])) continue; // clean already
    if (
      !enough(v, g.total.vas, MIN_SPANS.vas) ||
      d.some((spans, i) => !enough(spans, g.total.dims[i]!, MIN_SPANS.dims))
    )
      continue;
    const next = value(v, d);
    if (next < current) continue;
    [vas, dims, current] = [v, d, next];
  }
  return { vas, dims };
}

/**
 * Merges each span counting 1 to k − 1 with the nearer-sized of its nearest occupied neighbours
 * (and the empty spans between), until none is left or nothing is left to merge with.
 */
function mergeSmall(spans: Span[], counts: number[], k: number): Span[] {
  let out = spans;
  for (;;) {
    const c = merged(counts, out);
    const i = c.findIndex((x) => x > 0 && x < k);
    if (i < 0) return out;
    let left = i - 1;
    while (left >= 0 && c[left] === 0) left--;
    let right = i + 1;
    while (right < c.length && c[right] === 0) right++;
    const leftCount = left >= 0 ? c[left]! : Infinity;
    const rightCount = right < c.length ? c[right]! : Infinity;
    if (leftCount === Infinity && rightCount === Infinity) return out; // the only answers: cannot be merged clean
    const [from, to] = leftCount <= rightCount ? [left, i] : [i, right];
    out = [...out.slice(0, from), { from: out[from]!.from, to: out[to]!.to }, ...out.slice(to + 1)];
  }
}
