// An independent check of everything the comparison publishes, written from the issue's rules
// rather than from src/reports/comparison/disclosure.ts.
//
// Model: for one arrest type and one measure (group size, VAS group, complete profile, each
// dimension's level, sex × age stratum), the unknowns are the counts of people in each
// elementary cell (year × hospital) and each answer category of the measure. Item non-response
// is not protected, so the check hands the public every cell's count of non-answers for free.
// Every published figure is a linear equation over these unknowns: a group size is the sum over
// the selection's cells and all categories; a share with its n gives the count of its (merged)
// categories; an n gives the count of answerers; a published standardised norm gives the
// selection's whole sex × age mix. A set of unknowns is worked out by the public exactly when
// its 0/1 vector is a combination of the equations (exact rational null space). We try every
// set of cells (every difference of nested selections) × every set of categories, and report
// each one that counts 1 to k − 1 people — except sets of all cells, which are the whole
// register by arrest type that publishes every figure.
import { DIMENSIONS } from '../../src/instruments/eq5d-texts.ts';
import { ageBand, AGE_BANDS } from '../../src/reports/norms/format.ts';
import type { LongRow } from '../../src/reports/comparison/table.ts';
import type { Filters } from '../../src/reports/comparison/compute.ts';
import { inRowSpace, nullSpace } from './linear-algebra.ts';
import { LAYOUT, type CohortPerson, type Layout } from './disclosure-cohort.ts';

type Type = 'OHCA' | 'IHCA';
type Family = 'size' | 'vas' | 'complete' | 'strata' | (typeof DIMENSIONS)[number];
export const FAMILIES: Family[] = ['size', 'vas', 'complete', ...DIMENSIONS, 'strata'];
const STRATA = (['female', 'male'] as const).flatMap((sex) => AGE_BANDS.map((age) => `${sex}|${age}`));

/** Category of a person in a measure; the last index is "did not answer" (or no stratum). */
export function categoryOf(p: CohortPerson, f: Family): number {
  if (f === 'size') return 0;
  if (f === 'vas') return p.vas === null ? 10 : Math.min(9, Math.floor(p.vas / 10));
  if (f === 'complete') return p.levels.some((l) => l === null) ? 1 : 0;
  if (f === 'strata') {
    const band = ageBand(p.age);
    return band ? STRATA.indexOf(`${p.sex}|${band}`) : STRATA.length;
  }
  const l = p.levels[DIMENSIONS.indexOf(f)]!;
  return l === null ? 5 : l - 1;
}

const categoriesOf = (f: Family) =>
  f === 'size' ? 1 : f === 'vas' ? 11 : f === 'complete' ? 2 : f === 'strata' ? STRATA.length + 1 : 6;
/** The categories that are answers (the n of a statistic counts these). */
const answered = (f: Family): number[] =>
  f === 'vas'
    ? range(0, 9)
    : f === 'complete'
      ? [0]
      : f === 'strata' || f === 'size'
        ? range(0, categoriesOf(f) - 1)
        : range(0, 4);
function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** The elementary cells: year × hospital × who answered (null: not recorded). */
export const cellsOfLayout = (l: Layout) =>
  l.years.flatMap((year) =>
    l.hospitals.flatMap((hospital) => l.respondents.map((respondent) => ({ year, hospital, respondent }))),
  );
export const CELLS = cellsOfLayout(LAYOUT);
const cellLabel = (c: (typeof CELLS)[number]) => `${c.year}/${c.hospital}${c.respondent ? `/${c.respondent}` : ''}`;
const cellOfPerson = (cells: typeof CELLS, p: CohortPerson) =>
  cells.findIndex((c) => c.year === p.year && c.hospital === p.hospital && c.respondent === p.respondent);

/** One published equation: the people of `type` in the selection's cells whose `family` category is in `categories`. */
export interface Form {
  /** 'both': the same cells and categories of both arrest types (the dashboard counts over both). */
  type: Type | 'both';
  cells: number[];
  family: Family;
  categories: number[];
}

export function cellsOf(f: Filters, layout: Layout = LAYOUT): number[] {
  return cellsOfLayout(layout).flatMap((c, i) =>
    (f.year === undefined || f.year === c.year) &&
    (f.hospital === undefined || f.hospital === c.hospital) &&
    (f.respondent === undefined || f.respondent === c.respondent)
      ? [i]
      : [],
  );
}

/** The equations a published long table gives away. Also asserts each figure's n against the people (independent recount). */
export function formsOf(
  filters: Filters,
  rows: readonly LongRow[],
  people: readonly CohortPerson[],
  layout: Layout = LAYOUT,
): { forms: Form[]; problems: string[] } {
  const all = cellsOfLayout(layout);
  const cells = cellsOf(filters, layout);
  const forms: Form[] = [];
  const problems: string[] = [];
  const inCells = (t: Type, set: number[]) =>
    people.filter((p) => p.arrestType === t && set.includes(cellOfPerson(all, p)));
  const inBox = (t: Type) => inCells(t, cells);
  const count = (t: Type, f: Family, cats: number[]) => inBox(t).filter((p) => cats.includes(categoryOf(p, f))).length;
  for (const r of rows) {
    if (r.suppressed !== '0') continue;
    const std = /^norm_std_(OHCA|IHCA)$/.exec(r.group);
    if (std) {
      if (r.value !== '')
        for (const s of range(0, STRATA.length - 1))
          forms.push({ type: std[1] as Type, cells, family: 'strata', categories: [s] });
      continue;
    }
    if (r.group !== 'OHCA' && r.group !== 'IHCA') continue;
    const t = r.group;
    const withN = (family: Family) => {
      if (r.n === '') return;
      forms.push({ type: t, cells, family, categories: answered(family) });
      const want = count(t, family, answered(family));
      if (Number(r.n) !== want)
        problems.push(`${JSON.stringify(filters)} ${r.group} ${r.measure} ${r.category}: n ${r.n}, people ${want}`);
    };
    if (r.measure === 'group_size') {
      for (const f of FAMILIES) forms.push({ type: t, cells, family: f, categories: range(0, categoriesOf(f) - 1) });
      if (Number(r.value) !== inBox(t).length)
        problems.push(`${JSON.stringify(filters)} ${t} size ${r.value} ≠ ${inBox(t).length}`);
    } else if (r.measure === 'proxy_answers') {
      // How many in the selection answered on the person's behalf: the size of the selection's proxy part.
      // Within a selection by who answered it is that selection's size or 0: no new equation.
      const proxy =
        filters.respondent === undefined
          ? cellsOf({ ...filters, respondent: 'proxy' }, layout)
          : filters.respondent === 'proxy'
            ? cells
            : [];
      for (const f of FAMILIES)
        forms.push({ type: t, cells: proxy, family: f, categories: range(0, categoriesOf(f) - 1) });
      if (Number(r.value) !== inCells(t, proxy).length)
        problems.push(`${JSON.stringify(filters)} ${t} proxy answers ${r.value} ≠ ${inCells(t, proxy).length}`);
    } else if (r.measure === 'vas_group_share') {
      const [a, b] = r.category.split('-').map(Number) as [number, number];
      const cats = range(Math.floor(a / 10), Math.min(9, Math.floor(b / 10)));
      forms.push({ type: t, cells, family: 'vas', categories: cats });
      withN('vas');
      checkShare(r, count(t, 'vas', cats), problems, filters);
    } else if (r.measure.startsWith('vas_')) withN('vas');
    else if (r.measure.startsWith('index_')) withN('complete');
    else if (r.measure === 'level_share') {
      const [dim, levels] = r.category.split(':') as [Family, string];
      const [a, b = a] = levels.split('-').map(Number) as [number, number?];
      const cats = range(a - 1, b - 1);
      forms.push({ type: t, cells, family: dim, categories: cats });
      withN(dim);
      checkShare(r, count(t, dim, cats), problems, filters);
    }
  }
  return { forms, problems };
}

function checkShare(r: LongRow, people: number, problems: string[], filters: Filters) {
  if (r.value === '' || r.n === '') return;
  const n = Number(r.n);
  if (Math.abs((Number(r.value) * n) / 100 - people) >= 0.5)
    problems.push(
      `${JSON.stringify(filters)} ${r.group} ${r.measure} ${r.category}: ${r.value} % of ${n} is not ${people} people`,
    );
}

export interface Isolation {
  type: Type;
  family: Family;
  cells: string[];
  categories: number[];
  people: number;
}

/** Every set of cells × set of categories that the forms pin down and that counts 1 to k − 1 people. */
export function isolations(people: readonly CohortPerson[], forms: readonly Form[], k: number): Isolation[] {
  const found: Isolation[] = [];
  // The register without answers by respondent: one cell per year × hospital.
  for (const type of ['OHCA', 'IHCA'] as const) {
    for (const family of FAMILIES) {
      const ofType = people.filter((p) => p.arrestType === type);
      const counts = CELLS.map((c) => {
        const v = new Array<number>(categoriesOf(family)).fill(0);
        for (const p of ofType) if (cellOfPerson(CELLS, p) === CELLS.indexOf(c)) v[categoryOf(p, family)]!++;
        return v;
      });
      // Categories nobody in the whole type is in are known to be empty (the whole register publishes
      // them as 0). Who did not answer an item is taken as known to the public (it is not protected),
      // so those counts are no unknowns either: a group size then says how many answered.
      const known = family === 'size' || family === 'strata' ? [] : [categoriesOf(family) - 1];
      const cats = range(0, categoriesOf(family) - 1).filter(
        (c) => !known.includes(c) && counts.some((v) => v[c]! > 0),
      );
      const col = (cell: number, ci: number) => cell * cats.length + ci;
      const width = CELLS.length * cats.length;
      const rows = new Map<string, number[]>();
      for (const f of forms) {
        if (f.type !== type || f.family !== family) continue;
        const row = new Array<number>(width).fill(0);
        for (const cell of f.cells) cats.forEach((c, ci) => f.categories.includes(c) && (row[col(cell, ci)] = 1));
        rows.set(row.join(''), row);
      }
      const nulls = nullSpace([...rows.values()], width);
      for (let s = 1; s < 1 << CELLS.length; s++) {
        if (s === (1 << CELLS.length) - 1) continue; // the whole register: publishes every figure
        const cellsIn = CELLS.flatMap((_, i) => ((s >> i) & 1 ? [i] : []));
        for (let m = 1; m < 1 << cats.length; m++) {
          const catsIn = cats.flatMap((c, ci) => ((m >> ci) & 1 ? [ci] : []));
          const n = cellsIn.reduce((sum, cell) => sum + catsIn.reduce((x, ci) => x + counts[cell]![cats[ci]!]!, 0), 0);
          if (n < 1 || n >= k) continue;
          if (
            inRowSpace(
              nulls,
              cellsIn.flatMap((cell) => catsIn.map((ci) => col(cell, ci))),
            )
          ) {
            found.push({
              type,
              family,
              cells: cellsIn.map((i) => cellLabel(CELLS[i]!)),
              categories: catsIn.map((ci) => cats[ci]!),
              people: n,
            });
          }
        }
      }
    }
  }
  return found;
}

export interface JointIsolation {
  family: Family;
  /** 'OHCA 2024/EDGE', … */
  cells: string[];
  categories: number[];
  people: number;
}

const TYPES = ['OHCA', 'IHCA'] as const;

/**
 * The same search over both arrest types at once, for equations that cross them (the analyst
 * dashboard counts answers over both types): the unknowns are the people per arrest type × cell ×
 * category, and every set of (type, cell) pairs × every set of categories is tried. Sets of all
 * cells of one type, or of both, are the whole register and exempt. To keep 4,096 × 1,024 sets per
 * family fast, each set is first tested against three random combinations of the null space
 * modulo a prime (a set in the row space always passes); every set that passes is then checked
 * exactly with the rational null space, so nothing is reported that is not computable.
 */
export function jointIsolations(
  people: readonly CohortPerson[],
  forms: readonly Form[],
  k: number,
  layout: Layout = LAYOUT,
  types: readonly Type[] = TYPES,
): JointIsolation[] {
  const found: JointIsolation[] = [];
  const cells = cellsOfLayout(layout);
  const pairs = types.flatMap((type) => cells.map((_, cell) => ({ type, cell })));
  const P = 2147483647n;
  const p = Number(P);
  const rnd = (() => {
    let s = 12345;
    return () => (s = (s * 1103515245 + 12345) % 2147483648);
  })();
  const typeMask = (t: Type) => pairs.reduce((m, x, i) => (x.type === t ? m | (1 << i) : m), 0);
  const masks = types.map(typeMask);
  for (const family of FAMILIES) {
    const counts = pairs.map(({ type, cell }) => {
      const v = new Array<number>(categoriesOf(family)).fill(0);
      for (const x of people) if (x.arrestType === type && cellOfPerson(cells, x) === cell) v[categoryOf(x, family)]!++;
      return v;
    });
    const known = family === 'size' || family === 'strata' ? [] : [categoriesOf(family) - 1];
    const cats = range(0, categoriesOf(family) - 1).filter((c) => !known.includes(c) && counts.some((v) => v[c]! > 0));
    const col = (pair: number, ci: number) => pair * cats.length + ci;
    const width = pairs.length * cats.length;
    const rows = new Map<string, number[]>();
    for (const f of forms) {
      if (f.family !== family) continue;
      const row = new Array<number>(width).fill(0);
      pairs.forEach(({ type, cell }, pi) => {
        if ((f.type === 'both' || f.type === type) && f.cells.includes(cell))
          cats.forEach((c, ci) => f.categories.includes(c) && (row[col(pi, ci)] = 1));
      });
      rows.set(row.join(''), row);
    }
    const nulls = nullSpace([...rows.values()], width);
    // Three random combinations of the null vectors, modulo P.
    const z = [0, 1, 2].map(() => {
      const coef = nulls.map(() => BigInt(rnd()));
      return Array.from({ length: width }, (_, c) => {
        const v = nulls.reduce((s, y, j) => s + coef[j]! * y[c]!, 0n) % P;
        return Number(v < 0n ? v + P : v);
      });
    });
    const C = cats.length;
    for (let s = 1; s < 1 << pairs.length; s++) {
      // A set holding every cell of a type holds that type's whole register, which publishes every figure.
      const whole = masks.filter((m) => (s & m) === m);
      const inSet = pairs.flatMap((_, i) => ((s >> i) & 1 ? [i] : []));
      const v = cats.map((_, ci) => z.map((zr) => inSet.reduce((a, pi) => (a + zr[col(pi, ci)]!) % p, 0)));
      const n = cats.map((c) => inSet.reduce((a, pi) => a + counts[pi]![c]!, 0));
      const acc = [0, 0, 0];
      let total = 0;
      let mask = 0;
      for (let g = 1; g < 1 << C; g++) {
        const bit = 31 - Math.clz32(g & -g);
        const adding = !((mask >> bit) & 1);
        mask ^= 1 << bit;
        for (let r = 0; r < 3; r++) acc[r] = (acc[r]! + (adding ? v[bit]![r]! : p - v[bit]![r]!)) % p;
        total += adding ? n[bit]! : -n[bit]!;
        if (total < 1 || total >= k || acc[0] !== 0 || acc[1] !== 0 || acc[2] !== 0) continue;
        const catsIn = cats.flatMap((_, ci) => ((mask >> ci) & 1 ? [ci] : []));
        if (
          !inRowSpace(
            nulls,
            inSet.flatMap((pi) => catsIn.map((ci) => col(pi, ci))),
          )
        )
          continue;
        // Exempt: the whole register of a type (or both), plus only cells without anyone in these categories.
        const rest = inSet.filter((pi) => !whole.some((m) => (m >> pi) & 1));
        if (whole.length > 0 && rest.every((pi) => catsIn.every((ci) => counts[pi]![cats[ci]!] === 0))) continue;
        found.push({
          family,
          cells: inSet.map((pi) => `${pairs[pi]!.type} ${cellLabel(cells[pairs[pi]!.cell]!)}`),
          categories: catsIn.map((ci) => cats[ci]!),
          people: total,
        });
      }
    }
  }
  return found;
}
