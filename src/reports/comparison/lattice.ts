// The selections of one arrest type as a lattice of boxes over three splits — year, hospital and
// who answered — and the coordination that decides which boxes publish (disclosure.ts). Pure.
//
// An elementary cell is one year × one hospital × one answer to "who is filling in" ('none' when
// not recorded, which no report selects alone). A box fixes some of the three and spans the rest;
// the whole register (nothing fixed) always publishes and is not among the boxes. Cells that no
// published box isolates fall into atoms: cells lie in the same atom when exactly the same
// published boxes contain them. Whatever can be computed by adding and subtracting published
// boxes is constant on each atom, so any set of people it pins down is a union of published cells
// and whole atoms; when every atom counts 0 or at least k (or holds the whole arrest type), so does
// the set.
import { RESPONDENTS } from '../../instruments/respondent.ts';
import { Atoms } from './atoms.ts';
import { addInto, addUnit, emptyTally, type Box, type Check, type Respondent, type Tally, type Unit } from './tally.ts';

type CellRespondent = Respondent | 'none';

export interface BoxEntry {
  box: Box;
  tally: Tally;
  /** How many of the three splits the box fixes (1–3). */
  fixed: number;
}

interface Cell {
  tally: Tally;
  /** Keys of the boxes containing the cell, in one fixed order; the cell's own box, when it has one, is first. */
  within: string[];
  /** The cell's own box (null for answers not recorded). */
  own: string | null;
}

export interface Lattice {
  total: Tally;
  cells: Cell[];
  /** Every box a report can select, occupied or not, by key. */
  boxes: Map<string, BoxEntry>;
  /** The indexes of the occupied cells in each box. */
  cellsIn: Map<string, number[]>;
}

export const boxKey = (b: Box) => JSON.stringify([b.year ?? null, b.hospital ?? null, b.respondent ?? null]);

/** The seven boxes around a cell, from its own (everything fixed) to one split fixed. */
function boxesAround(year: number, hospital: string, respondent: CellRespondent): Box[] {
  const out: Box[] = [];
  for (const fixR of [true, false])
    for (const [fixY, fixH] of [
      [true, true],
      [true, false],
      [false, true],
      [false, false],
    ] as const) {
      if (!fixY && !fixH && !fixR) continue;
      if (fixR && respondent === 'none') continue;
      out.push({
        year: fixY ? year : undefined,
        hospital: fixH ? hospital : undefined,
        respondent: fixR ? (respondent as Respondent) : undefined,
      });
    }
  return out;
}

const fixedOf = (b: Box) =>
  (b.year === undefined ? 0 : 1) + (b.hospital === undefined ? 0 : 1) + (b.respondent === undefined ? 0 : 1);

export function lattice(units: readonly Unit[]): Lattice {
  const total = emptyTally();
  const byCell = new Map<string, { tally: Tally; year: number; hospital: string; respondent: CellRespondent }>();
  for (const u of units) {
    const respondent = u.respondent ?? 'none';
    const key = JSON.stringify([u.year, u.hospital, respondent]);
    let c = byCell.get(key);
    if (!c) byCell.set(key, (c = { tally: emptyTally(), year: u.year, hospital: u.hospital, respondent }));
    addUnit(c.tally, u);
    addUnit(total, u);
  }
  const years = [...new Set(units.map((u) => u.year))].sort((a, b) => a - b);
  const hospitals = [...new Set(units.map((u) => u.hospital))].sort();
  const boxes = new Map<string, BoxEntry>();
  for (const year of [undefined, ...years])
    for (const hospital of [undefined, ...hospitals])
      for (const respondent of [undefined, ...RESPONDENTS]) {
        const box = { year, hospital, respondent };
        const fixed = fixedOf(box);
        if (fixed > 0) boxes.set(boxKey(box), { box, tally: emptyTally(), fixed });
      }
  const cellsIn = new Map<string, number[]>();
  const cells = [...byCell.values()].map((c, i) => {
    const within = boxesAround(c.year, c.hospital, c.respondent).map(boxKey);
    for (const key of within) {
      addInto(boxes.get(key)!.tally, c.tally);
      cellsIn.set(key, [...(cellsIn.get(key) ?? []), i]);
    }
    return { tally: c.tally, within, own: c.respondent === 'none' ? null : within[0]! };
  });
  return { total, cells, boxes, cellsIn };
}

/** Boxes that pass the check on their own (a subset of `within`, when given). */
export function initial(l: Lattice, check: Check, within?: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const [key, b] of l.boxes) if (check(b.tally) && (!within || within.has(key))) out.add(key);
  return out;
}

/** Which margin gives way when a hidden cell lies in a published year and a published hospital margin. */
type Prefer = 'smaller' | 'year' | 'hospital';

/**
 * Hides boxes until every atom passes the check, three ways (giving way with the smaller margin,
 * with year margins, with hospital margins), and keeps the way that shows the most occupied boxes
 * over all respondents, then the most split by who answered.
 */
export function coordinate(l: Lattice, check: Check, start: ReadonlySet<string>): Set<string> {
  const plans = (['smaller', 'year', 'hospital'] as const).map((prefer) => settle(l, check, start, prefer));
  const shown = (p: Set<string>) => {
    let [all, split] = [0, 0];
    for (const key of p) {
      const b = l.boxes.get(key)!;
      if (b.tally.n === 0) continue;
      if (b.box.respondent === undefined) all++;
      else split++;
    }
    return [all, split] as const;
  };
  const better = (a: readonly [number, number], b: readonly [number, number]) =>
    a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
  return plans.reduce((best, p) => (better(shown(p), shown(best)) ? p : best));
}

function settle(l: Lattice, check: Check, start: ReadonlySet<string>, prefer: Prefer): Set<string> {
  const atoms = new Atoms(l, check, new Set(start));
  for (let round = 0; round <= l.boxes.size; round++) {
    const failing = atoms.firstFailing();
    if (!failing) return atoms.published;
    atoms.hide(giveWay(l, atoms, failing, prefer));
  }
  throw new Error('disclosure control did not settle');
}

const RESPONDENT_ORDER = [undefined, ...RESPONDENTS];

/** Smaller first, then by year, hospital and who answered. */
function order(l: Lattice) {
  return (a: string, b: string) => {
    const [x, y] = [l.boxes.get(a)!, l.boxes.get(b)!];
    return (
      x.tally.n - y.tally.n ||
      (x.box.year ?? 0) - (y.box.year ?? 0) ||
      (x.box.hospital ?? '').localeCompare(y.box.hospital ?? '') ||
      RESPONDENT_ORDER.indexOf(x.box.respondent) - RESPONDENT_ORDER.indexOf(y.box.respondent)
    );
  };
}

/**
 * The box to hide for a failing atom. First one whose hiding merges occupied cells into the atom
 * (a box split by who answered before one that is not, finer before coarser, smaller first);
 * else one of the boxes that keep the atom apart (split by who answered first, then year ×
 * hospital, then a margin as `prefer` says); for an atom no published box contains, the
 * smallest box split by who answered, else the smallest margin, else the smallest box.
 */
function giveWay(l: Lattice, atoms: Atoms, atom: string[], prefer: Prefer): string {
  const published = atoms.published;
  const inAtom = new Set(atom);
  const box = (key: string) => l.boxes.get(key)!;
  const byRespondentFirst = (keys: string[]) => {
    const sorted = [...keys].sort(order(l));
    return sorted.find((k) => box(k).box.respondent !== undefined) ?? sorted[0];
  };
  const merging = new Set<string>();
  // A cell that would join the atom lies in every box around it: look only in the one with fewest cells.
  const around = atom.map((k) => l.cellsIn.get(k) ?? []).sort((a, b) => a.length - b.length)[0];
  for (const i of around ?? l.cells.keys()) {
    if (l.cells[i]!.tally.n === 0) continue;
    const within = atoms.publishedWithin(i);
    if (within.length !== atom.length + 1 || !atom.every((k) => within.includes(k))) continue;
    const extra = within.find((k) => !inAtom.has(k))!;
    if (box(extra).fixed >= 2 || box(extra).box.respondent !== undefined) merging.add(extra);
  }
  if (merging.size > 0) {
    const rank = (k: string) => (box(k).box.respondent !== undefined ? 0 : 2) + (box(k).fixed === 3 ? 0 : 1);
    return [...merging].sort((a, b) => rank(a) - rank(b) || order(l)(a, b))[0]!;
  }
  if (atom.length > 0) {
    const split = atom.filter((k) => box(k).box.respondent !== undefined);
    if (split.length > 0) return byRespondentFirst(split)!;
    const cell = atom.find((k) => box(k).fixed === 2);
    if (cell) return cell;
    const year = atom.find((k) => box(k).box.year !== undefined);
    const hospital = atom.find((k) => box(k).box.hospital !== undefined);
    if (year && hospital) {
      const dropHospital =
        prefer === 'hospital' || (prefer === 'smaller' && box(hospital).tally.n <= box(year).tally.n);
      return dropHospital ? hospital : year;
    }
    return (year ?? hospital)!;
  }
  const occupied = [...published].filter((k) => box(k).tally.n > 0);
  const split = occupied.filter((k) => box(k).box.respondent !== undefined);
  if (split.length > 0) return byRespondentFirst(split)!;
  const margins = occupied.filter((k) => box(k).fixed === 1);
  const years = margins.filter((k) => box(k).box.year !== undefined);
  const hospitals = margins.filter((k) => box(k).box.hospital !== undefined);
  const smallest = [...years, ...hospitals].sort((a, b) => box(a).tally.n - box(b).tally.n)[0];
  return smallest ?? [...published].sort(order(l))[0]!;
}
