// The atoms of a lattice (lattice.ts) under a set of published boxes, kept up to date while the
// coordination hides boxes one by one: hiding a box moves only its own cells, so each round costs
// the size of one box rather than a pass over the register. Pure.
import { addInto, emptyTally, subtractFrom, type Check, type Tally } from './tally.ts';
import type { Lattice } from './lattice.ts';

interface Atom {
  tally: Tally;
  cells: Set<number>;
  /** The published boxes that contain the atom's cells. */
  within: string[];
}

export class Atoms {
  /** Per cell: the published boxes containing it, its own box included when that is published. */
  private readonly within: string[][];
  /** Per cell: its atom's key, or null while the cell's own box is published. */
  private readonly atomOf: (string | null)[];
  private readonly atoms = new Map<string, Atom>();
  private readonly failing = new Set<string>();

  constructor(
    private readonly l: Lattice,
    private readonly check: Check,
    readonly published: Set<string>,
  ) {
    this.within = l.cells.map(() => []);
    this.atomOf = l.cells.map(() => null);
    l.cells.forEach((_, i) => this.place(i));
    for (const key of this.atoms.keys()) this.recheck(key);
  }

  /** Hides a published box: its cells lose it, and its own cell (if any) joins an atom. */
  hide(box: string): void {
    this.published.delete(box);
    const touched = new Set<string | null>();
    for (const i of this.l.cellsIn.get(box) ?? []) {
      const old = this.atomOf[i] ?? null;
      if (old !== null) {
        const atom = this.atoms.get(old)!;
        atom.cells.delete(i);
        subtractFrom(atom.tally, this.l.cells[i]!.tally);
        touched.add(old);
      }
      touched.add(this.place(i));
    }
    for (const key of touched) this.recheck(key);
  }

  /** The published boxes around the failing atom that comes first in cell order, or null when none fails. */
  firstFailing(): string[] | null {
    let first: Atom | null = null;
    let firstCell = Infinity;
    for (const key of this.failing) {
      const atom = this.atoms.get(key)!;
      const cell = Math.min(...atom.cells);
      if (cell < firstCell) [first, firstCell] = [atom, cell];
    }
    return first?.within ?? null;
  }

  publishedWithin(cell: number): readonly string[] {
    return this.within[cell]!;
  }

  /** Files cell i under the atom its published boxes give it; returns that atom's key (null if published). */
  private place(i: number): string | null {
    const c = this.l.cells[i]!;
    const within = c.within.filter((k) => this.published.has(k));
    this.within[i] = within;
    if (c.own !== null && this.published.has(c.own)) return (this.atomOf[i] = null);
    const key = within.join('\n');
    let atom = this.atoms.get(key);
    if (!atom) this.atoms.set(key, (atom = { tally: emptyTally(), cells: new Set(), within }));
    atom.cells.add(i);
    addInto(atom.tally, c.tally);
    return (this.atomOf[i] = key);
  }

  /** An atom fails when it is not clean and is not the whole arrest type (the whole register publishes). */
  private recheck(key: string | null): void {
    if (key === null) return;
    const atom = this.atoms.get(key);
    if (!atom || atom.cells.size === 0) {
      this.atoms.delete(key);
      this.failing.delete(key);
    } else if (!this.check(atom.tally) && atom.tally.n !== this.l.total.n) this.failing.add(key);
    else this.failing.delete(key);
  }
}
