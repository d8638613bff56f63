// Counting for the disclosure plan (disclosure.ts): a tally of people by fine category for one
// set of people, the year × hospital grid of tallies, and the checks a set must pass. Pure.
import { DIMENSIONS } from '../../instruments/eq5d-texts.ts';
import { ageBand, AGE_BANDS } from '../norms/format.ts';
import { vasGroup } from '../stats.ts';

export type { ArrestType, Respondent } from '../../db/schema.ts';
import type { ArrestType, Respondent } from '../../db/schema.ts';

/** What the disclosure control needs to know about one counted response. */
export interface Unit {
  arrestType: ArrestType;
  year: number;
  hospital: string;
  /** Who filled in the questionnaire; null when not recorded (no report selects those alone). */
  respondent: Respondent | null;
  sex: 'female' | 'male';
  age: number;
  levels: (number | null)[];
  vas: number | null;
}

/** A selection of one arrest type; undefined = all. */
export interface Box {
  year?: number | undefined;
  hospital?: string | undefined;
  respondent?: Respondent | undefined;
}

/** Adjacent fine categories merged into one: fine indexes `from` … `to`. */
export interface Span {
  from: number;
  to: number;
}

export const FINE_VAS = 10;
export const FINE_LEVELS = 5;
const STRATA = (['female', 'male'] as const).flatMap((sex) => AGE_BANDS.map((age) => `${sex}|${age}`));

export const fine = (k: number): Span[] => Array.from({ length: k }, (_, i) => ({ from: i, to: i }));

/** Counts of one set of people by fine category: the vectors every check is made on. */
export interface Tally {
  n: number;
  vas: number[]; // 10 groups, then missing
  complete: number[]; // complete profile, incomplete
  dims: number[][]; // per dimension: 5 levels, then missing
  strata: number[]; // 14 sex × age strata, then under 18
}

export function emptyTally(): Tally {
  return {
    n: 0,
    vas: new Array<number>(FINE_VAS + 1).fill(0),
    complete: [0, 0],
    dims: DIMENSIONS.map(() => new Array<number>(FINE_LEVELS + 1).fill(0)),
    strata: new Array<number>(STRATA.length + 1).fill(0),
  };
}

export function addUnit(t: Tally, u: Unit): void {
  t.n++;
  t.vas[u.vas === null ? FINE_VAS : vasGroup(u.vas)]!++;
  t.complete[u.levels.some((l) => l === null) ? 1 : 0]!++;
  u.levels.forEach((l, d) => t.dims[d]![l === null ? FINE_LEVELS : l - 1]!++);
  const band = ageBand(u.age);
  t.strata[band ? STRATA.indexOf(`${u.sex}|${band}`) : STRATA.length]!++;
}

/** Adds b's counts into a (no new arrays: the coordination sums many atoms per round). */
export function addInto(a: Tally, b: Tally, sign = 1): void {
  a.n += sign * b.n;
  const add = (x: number[], y: number[]) => {
    for (let i = 0; i < x.length; i++) x[i]! += sign * y[i]!;
  };
  add(a.vas, b.vas);
  add(a.complete, b.complete);
  a.dims.forEach((d, i) => add(d, b.dims[i]!));
  add(a.strata, b.strata);
}

/** Takes b's counts out of a (a cell leaving an atom). */
export function subtractFrom(a: Tally, b: Tally): void {
  addInto(a, b, -1);
}

/**
 * The category counts a box reveals under the given spans. Who did not answer an item is not
 * protected (it says nothing about health, and the check assumes the public knows it), so the
 * missing count, kept last in each tally, is left out.
 */
export function merged(counts: number[], spans: Span[]): number[] {
  return spans.map((s) => counts.slice(s.from, s.to + 1).reduce((a, b) => a + b, 0));
}

export type Check = (t: Tally) => boolean;

function safe(k: number) {
  return (v: number) => v === 0 || v >= k;
}

/** Whether every merged count of `counts` under `spans` is 0 or at least k (summed in place: checked for every atom in every round). */
function spansSafe(counts: number[], spans: Span[], k: number): boolean {
  for (const s of spans) {
    let v = 0;
    for (let i = s.from; i <= s.to; i++) v += counts[i]!;
    if (v !== 0 && v < k) return false;
  }
  return true;
}

export function coreCheck(k: number, vas: Span[], dims: Span[][]): Check {
  const ok = safe(k);
  return (t) =>
    ok(t.n) && spansSafe(t.vas, vas, k) && ok(t.complete[0]!) && t.dims.every((d, i) => spansSafe(d, dims[i]!, k));
}

export function strataCheck(k: number): Check {
  const ok = safe(k);
  return (t) => t.strata.every(ok);
}

export interface Grid {
  years: number[];
  hospitals: string[];
  cells: Map<string, Tally>;
  total: Tally;
}

const cellKey = (y: number, h: string) => `${y}|${h}`;

export function grid(units: readonly Unit[]): Grid {
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

export function boxTally(g: Grid, box: Box): Tally {
  if (box.year !== undefined && box.hospital !== undefined)
    return g.cells.get(cellKey(box.year, box.hospital)) ?? emptyTally();
  if (box.year === undefined && box.hospital === undefined) return g.total;
  let cache = marginCache.get(g);
  if (!cache) marginCache.set(g, (cache = new Map<string, Tally>()));
  const key = `${box.year ?? '*'}|${box.hospital ?? '*'}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const t = sumCells(g, box);
  cache.set(key, t);
  return t;
}

function sumCells(g: Grid, box: Box): Tally {
  const t = emptyTally();
  for (const [key, cell] of g.cells) {
    const [y, h] = [Number(key.slice(0, key.indexOf('|'))), key.slice(key.indexOf('|') + 1)];
    if ((box.year === undefined || box.year === y) && (box.hospital === undefined || box.hospital === h))
      addInto(t, cell);
  }
  return t;
}
