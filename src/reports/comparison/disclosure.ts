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
import { DIMENSIONS } from '../../instruments/eq5d-texts.ts';
import { chooseSpans } from './categories.ts';
import {
  boxTally,
  cellKey,
  coreCheck,
  grid,
  strataCheck,
  addTally,
  emptyTally,
  type ArrestType,
  type Box,
  type Check,
  type Grid,
  type Span,
  type Tally,
  type Unit,
} from './tally.ts';

export type { ArrestType, Box, Span, Unit } from './tally.ts';

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

/** Whole register by arrest type: every figure, fine categories, whatever the counts. */
function isWholeRegister(box: Box): boolean {
  return box.year === undefined && box.hospital === undefined;
}

export function planDisclosure(units: readonly Unit[], threshold: number): DisclosurePlan {
  const types = {} as Record<ArrestType, TypePlan>;
  for (const t of ['OHCA', 'IHCA'] as const)
    types[t] = planType(
      units.filter((u) => u.arrestType === t),
      threshold,
    );
  return { threshold, types };
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
  const hospitals = new Set(
    g.hospitals.filter((h) => check(boxTally(g, { hospital: h })) && (!within || within.hospitals.has(h))),
  );
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
  const shown = (p: Published) =>
    [...p.cells].filter((c) => g.cells.get(c)!.n > 0).length + p.years.size + p.hospitals.size;
  return plans.reduce((best, p) => (shown(p) > shown(best) ? p : best));
}

/** Which margin gives way when a hidden cell lies in a published year and a published hospital margin. */
type Prefer = 'smaller' | 'year' | 'hospital';

function coordinateWith(g: Grid, check: Check, start: Published, prefer: Prefer): Published {
  const p: Published = {
    cells: new Set(start.cells),
    years: new Set(start.years),
    hospitals: new Set(start.hospitals),
  };
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
    const margins = [
      ...[...p.years].map((v) => ({ n: yearN(v), drop: () => p.years.delete(v) })),
      ...[...p.hospitals].map((v) => ({ n: hospitalN(v), drop: () => p.hospitals.delete(v) })),
    ];
    margins.sort((a, b) => a.n - b.n);
    if (margins.length === 0) throw new Error('disclosure control: an atom without margins failed');
    margins[0]!.drop();
  }
}
