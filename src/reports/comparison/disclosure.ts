// Disclosure control for the comparison report: which selections may be published, with which
// categories merged, so that nothing published — alone or added to and subtracted from other
// published selections — counts 1 to k − 1 people. Pure; the method is in docs/analysis.md.
//
// A selection is a "box" of one arrest type: a year or all years × a hospital or all hospitals.
// The whole register by arrest type (all × all) always publishes every figure. Every other box
// publishes only when it is *clean* — each count it reveals (people; people in each category of
// each measure, after merging, and so the answerers of each) is 0 or at least k — and when the
// elementary cells (one year × one hospital) that are not published fall into clean "atoms".
// An atom is the set of hidden cells that lie in the same published margins (year y of all
// hospitals, hospital h of all years). Anything computable by adding and subtracting published
// boxes is a set of published cells plus whole atoms, so it counts 0 or at least k as well.
import { DIMENSIONS } from '../../survey/instrument.ts';
import { ageBand, AGE_BANDS } from '../norms/format.ts';
import { vasGroup } from '../stats.ts';

export type ArrestType = 'OHCA' | 'IHCA';

/** What the disclosure control needs to know about one counted response. */
export interface Unit {
  arrestType: ArrestType;
  year: number;
  hospital: string;
  sex: 'female' | 'male';
  age: number;
  levels: (number | null)[];
  vas: number | null;
}

/** A selection of one arrest type; undefined = all. */
export interface Box {
  year?: number | undefined;
  hospital?: string | undefined;
}

/** Adjacent fine categories merged into one: fine indexes `from` … `to`. */
export interface Span {
  from: number;
  to: number;
}

/** Why a box publishes nothing: empty, fewer than k people, a category under k, or it would give another box away. */
export type Reason = 'empty' | 'small' | 'categories' | 'combination';

export interface TypePlan {
  /** Category spans used below the whole register: VAS groups and each dimension's levels. */
  vas: Span[];
  dimensions: Record<string, Span[]>;
  /** null: the box publishes its figures; otherwise why not. */
  reason(box: Box): Reason | null;
  /** Whether the norm standardised to the box's sex × age mix may be shown (it reveals the mix). */
  standardised(box: Box): boolean;
}

export interface DisclosurePlan {
  threshold: number;
  types: Record<ArrestType, TypePlan>;
}

const FINE_VAS = 10;
const FINE_LEVELS = 5;
const STRATA = (['female', 'male'] as const).flatMap((sex) => AGE_BANDS.map((age) => `${sex}|${age}`));

const fine = (k: number): Span[] => Array.from({ length: k }, (_, i) => ({ from: i, to: i }));

/** Whole register by arrest type: every figure, fine categories, whatever the counts. */
function isWholeRegister(box: Box): boolean {
  return box.year === undefined && box.hospital === undefined;
}

export function planDisclosure(units: readonly Unit[], threshold: number): DisclosurePlan {
  const types = {} as Record<ArrestType, TypePlan>;
  for (const t of ['OHCA', 'IHCA'] as const) types[t] = planType(units.filter((u) => u.arrestType === t), threshold);
  return { threshold, types };
}

/** Counts of one set of people by fine category: the vectors every check is made on. */
interface Tally {
  n: number;
  vas: number[]; // 10 groups, then missing
  complete: number[]; // complete profile, incomplete
  dims: number[][]; // per dimension: 5 levels, then missing
  strata: number[]; // 14 sex × age strata, then under 18
}

function emptyTally(): Tally {
  return { n: 0, vas: new Array(FINE_VAS + 1).fill(0), complete: [0, 0], dims: DIMENSIONS.map(() => new Array(FINE_LEVELS + 1).fill(0)), strata: new Array(STRATA.length + 1).fill(0) };
}

function addUnit(t: Tally, u: Unit): void {
  t.n++;
  t.vas[u.vas === null ? FINE_VAS : vasGroup(u.vas)]!++;
  t.complete[u.levels.some((l) => l === null) ? 1 : 0]!++;
  u.levels.forEach((l, d) => t.dims[d]![l === null ? FINE_LEVELS : l - 1]!++);
  const band = ageBand(u.age);
  t.strata[band ? STRATA.indexOf(`${u.sex}|${band}`) : STRATA.length]!++;
}

function addTally(a: Tally, b: Tally): Tally {
  const sum = (x: number[], y: number[]) => x.map((v, i) => v + y[i]!);
  return { n: a.n + b.n, vas: sum(a.vas, b.vas), complete: sum(a.complete, b.complete), dims: a.dims.map((d, i) => sum(d, b.dims[i]!)), strata: sum(a.strata, b.strata) };
}

/**
 * The category counts a box reveals under the given spans. Who did not answer an item is not
 * protected (it says nothing about health, and the check assumes the public knows it), so the
 * missing count, kept last in each tally, is left out.
 */
function merged(counts: number[], spans: Span[]): number[] {
  return spans.map((s) => counts.slice(s.from, s.to + 1).reduce((a, b) => a + b, 0));
}

type Check = (t: Tally) => boolean;

function safe(k: number) {
  return (v: number) => v === 0 || v >= k;
}

function coreCheck(k: number, vas: Span[], dims: Span[][]): Check {
  const ok = safe(k);
  return (t) => ok(t.n) && merged(t.vas, vas).every(ok) && ok(t.complete[0]!) && t.dims.every((d, i) => merged(d, dims[i]!).every(ok));
}

function strataCheck(k: number): Check {
  const ok = safe(k);
  return (t) => t.strata.every(ok);
}

interface Grid {
  years: number[];
  hospitals: string[];
  cells: Map<string, Tally>;
  total: Tally;
}

const cellKey = (y: number, h: string) => `${y}|${h}`;

function grid(units: readonly Unit[]): Grid {
  const cells = new Map<string, Tally>();
  const total = emptyTally();
  for (const u of units) {
    const key = cellKey(u.year, u.hospital);
    let t = cells.get(key);
    if (!t) cells.set(key, (t = emptyTally()));
    addUnit(t, u);
    addUnit(total, u);
  }
  const years = [...new Set(units.map((u) => u.year))].sort((a, b) => a - b);
  const hospitals = [...new Set(units.map((u) => u.hospital))].sort();
  return { years, hospitals, cells, total };
}

const marginCache = new WeakMap<Grid, Map<string, Tally>>();

function boxTally(g: Grid, box: Box): Tally {
  if (box.year !== undefined && box.hospital !== undefined) return g.cells.get(cellKey(box.year, box.hospital)) ?? emptyTally();
  if (box.year === undefined && box.hospital === undefined) return g.total;
  let cache = marginCache.get(g);
  if (!cache) marginCache.set(g, (cache = new Map()));
  const key = `${box.year ?? '*'}|${box.hospital ?? '*'}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const t = sumCells(g, box);
  cache.set(key, t);
  return t;
}

function sumCells(g: Grid, box: Box): Tally {
  let t = emptyTally();
  for (const [key, cell] of g.cells) {
    const [y, h] = [Number(key.slice(0, key.indexOf('|'))), key.slice(key.indexOf('|') + 1)];
    if ((box.year === undefined || box.year === y) && (box.hospital === undefined || box.hospital === h)) t = addTally(t, cell);
  }
  return t;
}

/** Which boxes below the whole register are published. */
interface Published {
  cells: Set<string>;
  years: Set<number>;
  hospitals: Set<string>;
}

function planType(units: readonly Unit[], k: number): TypePlan {
  const g = grid(units);
  const { vas, dims } = chooseSpans(g, k);
  const core = coreCheck(k, vas, dims);
  const clean = initial(g, core);
  const published = coordinate(g, core, clean);
  const standardised = coordinate(g, strataCheck(k), initial(g, strataCheck(k), published));
  const isPublished = (p: Published, box: Box) =>
    box.year !== undefined && box.hospital !== undefined
      ? p.cells.has(cellKey(box.year, box.hospital))
      : box.year !== undefined
        ? p.years.has(box.year)
        : p.hospitals.has(box.hospital!);
  return {
    vas,
    dimensions: Object.fromEntries(DIMENSIONS.map((d, i) => [d, dims[i]!])),
    reason(box) {
      if (isWholeRegister(box)) return g.total.n === 0 ? 'empty' : null;
      const t = boxTally(g, box);
      if (t.n === 0) return 'empty';
      if (t.n < k) return 'small';
      if (!core(t)) return 'categories';
      return isPublished(published, box) ? null : 'combination';
    },
    standardised(box) {
      if (isWholeRegister(box)) return g.total.n > 0;
      return boxTally(g, box).n > 0 && isPublished(standardised, box);
    },
  };
}

/** Boxes that pass the check on their own (a subset of `within`, when given). */
function initial(g: Grid, check: Check, within?: Published): Published {
  const cells = new Set<string>();
  for (const [key, t] of g.cells) if (check(t) && (!within || within.cells.has(key))) cells.add(key);
  const years = new Set(g.years.filter((y) => check(boxTally(g, { year: y })) && (!within || within.years.has(y))));
  const hospitals = new Set(g.hospitals.filter((h) => check(boxTally(g, { hospital: h })) && (!within || within.hospitals.has(h))));
  return { cells, years, hospitals };
}

/**
 * Hides boxes until every atom passes the check, three ways (giving way with the smaller margin,
 * with year margins, with hospital margins), and keeps the way that shows the most boxes.
 * An atom is keyed by the published margins its
 * hidden cells lie in; '*' for an unpublished one. A failing atom takes in the smallest published
 * cell that shares its key, or else loses a margin (which merges it into a larger atom). All
 * hidden cells in one '*|*' atom that is the whole arrest type is the whole register: exempt.
 */
function coordinate(g: Grid, check: Check, start: Published): Published {
  const plans = (['smaller', 'year', 'hospital'] as const).map((prefer) => coordinateWith(g, check, start, prefer));
  const shown = (p: Published) => [...p.cells].filter((c) => g.cells.get(c)!.n > 0).length + p.years.size + p.hospitals.size;
  return plans.reduce((best, p) => (shown(p) > shown(best) ? p : best));
}

/** Which margin gives way when a hidden cell lies in a published year and a published hospital margin. */
type Prefer = 'smaller' | 'year' | 'hospital';

function coordinateWith(g: Grid, check: Check, start: Published, prefer: Prefer): Published {
  const p: Published = { cells: new Set(start.cells), years: new Set(start.years), hospitals: new Set(start.hospitals) };
  const keyOf = (y: number, h: string) => `${p.years.has(y) ? y : '*'}|${p.hospitals.has(h) ? h : '*'}`;
  for (let round = 0; round < 10_000; round++) {
    const atoms = new Map<string, Tally>();
    for (const [key, t] of g.cells) {
      if (p.cells.has(key)) continue;
      const [y, h] = splitKey(key);
      const a = keyOf(y, h);
      atoms.set(a, addTally(atoms.get(a) ?? emptyTally(), t));
    }
    const failing = [...atoms.entries()].find(([a, t]) => !check(t) && !(a === '*|*' && t.n === g.total.n));
    if (!failing) return p;
    const [atom] = failing;
    const candidates = [...p.cells].filter((c) => keyOf(...splitKey(c)) === atom && g.cells.get(c)!.n > 0);
    if (candidates.length > 0) {
      candidates.sort((a, b) => g.cells.get(a)!.n - g.cells.get(b)!.n || a.localeCompare(b));
      p.cells.delete(candidates[0]!);
      continue;
    }
    dropMargin(g, p, atom, prefer);
  }
  throw new Error('disclosure control did not settle');
}

function splitKey(key: string): [number, string] {
  const i = key.indexOf('|');
  return [Number(key.slice(0, i)), key.slice(i + 1)];
}

/** Unpublishes the margin that keeps a failing atom apart; for '*|*', the smallest margin left. */
function dropMargin(g: Grid, p: Published, atom: string, prefer: Prefer): void {
  const [y, h] = [atom.slice(0, atom.indexOf('|')), atom.slice(atom.indexOf('|') + 1)];
  const yearN = (year: number) => boxTally(g, { year }).n;
  const hospitalN = (hospital: string) => boxTally(g, { hospital }).n;
  if (y !== '*' && h !== '*') {
    const dropHospital = prefer === 'hospital' || (prefer === 'smaller' && hospitalN(h) <= yearN(Number(y)));
    if (dropHospital) p.hospitals.delete(h);
    else p.years.delete(Number(y));
  } else if (y !== '*') p.years.delete(Number(y));
  else if (h !== '*') p.hospitals.delete(h);
  else {
    const margins = [...[...p.years].map((v) => ({ n: yearN(v), drop: () => p.years.delete(v) })), ...[...p.hospitals].map((v) => ({ n: hospitalN(v), drop: () => p.hospitals.delete(v) }))];
    margins.sort((a, b) => a.n - b.n);
    if (margins.length === 0) throw new Error('disclosure control: an atom without margins failed');
    margins[0]!.drop();
  }
}

/**
 * Category spans for everything below the whole register, one set per arrest type (the same in
 * every box, so two boxes never show differently merged categories that could be subtracted).
 * Boxes are taken largest first; each merges, from the spans so far, every category it has under
 * k with its smaller neighbour. A box is taken in when every measure keeps at least MIN_SPANS
 * spans with people in them and the detail published does not drop: (people in clean boxes) ×
 * (share of categories kept). Boxes left out are not clean and stay hidden.
 */
const MIN_SPANS = { vas: 3, dims: 2 };

function chooseSpans(g: Grid, k: number): { vas: Span[]; dims: Span[][] } {
  const occupied = (spans: Span[], counts: number[]) => merged(counts, spans).filter((c) => c > 0).length;
  const all = (counts: number[]) => occupied(fine(counts.length - 1), counts);
  const enough = (spans: Span[], counts: number[], min: number) => occupied(spans, counts) >= Math.min(min, all(counts));
  const boxes: Tally[] = [...g.cells.values(), ...g.years.map((y) => boxTally(g, { year: y })), ...g.hospitals.map((h) => boxTally(g, { hospital: h }))].filter((t) => t.n >= k);
  boxes.sort((a, b) => b.n - a.n);
  const value = (vas: Span[], dims: Span[][]) => {
    const check = coreCheck(k, vas, dims);
    const people = boxes.reduce((s, t) => s + (check(t) ? t.n : 0), 0);
    const kept = [occupied(vas, g.total.vas) / Math.max(1, all(g.total.vas)), ...dims.map((d, i) => occupied(d, g.total.dims[i]!) / Math.max(1, all(g.total.dims[i]!)))];
    return people * (kept.reduce((a, b) => a + b, 0) / kept.length);
  };
  let vas = fine(FINE_VAS);
  let dims = DIMENSIONS.map(() => fine(FINE_LEVELS));
  let current = value(vas, dims);
  for (const t of boxes) {
    const v = mergeSmall(vas, t.vas, k);
    const d = dims.map((spans, i) => mergeSmall(spans, t.dims[i]!, k));
    if (v === vas && d.every((spans, i) => spans === dims[i])) continue; // clean already
    if (!enough(v, g.total.vas, MIN_SPANS.vas) || d.some((spans, i) => !enough(spans, g.total.dims[i]!, MIN_SPANS.dims))) continue;
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

function mergeAt(spans: Span[], i: number): Span[] {
  return [...spans.slice(0, i), { from: spans[i]!.from, to: spans[i + 1]!.to }, ...spans.slice(i + 2)];
}

