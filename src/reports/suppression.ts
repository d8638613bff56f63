// Small-cell suppression for shared statistics. Pure: no I/O.
//
// Cells are counts of people. A relation says one published cell is the sum of others (a total
// row, a hospital's health trust, web + paper = answered). Primary suppression hides every count
// from 1 to threshold − 1. Secondary suppression then hides more cells until no hidden cell can
// be worked out from the published ones by any combination of the relations: the hidden cells
// are the unknowns of a linear system, and a cell is revealed exactly when the system pins it
// down — which is what the reduced row echelon form tells us.

export interface Relation {
  /** Index of the cell that is the sum. */
  total: number;
  /** Indexes of the cells that add up to it. */
  parts: number[];
}

export interface Suppression {
  /** Hidden cells (primary or secondary). */
  suppressed: boolean[];
  /** Hidden because the count itself is small. */
  primary: boolean[];
}

export const DEFAULT_THRESHOLD = 5;

/** A count that describes fewer than `threshold` people, but some: 1 … threshold − 1. Zero describes nobody. */
export function isSmall(n: number, threshold = DEFAULT_THRESHOLD): boolean {
  return n > 0 && n < threshold;
}

/**
 * What other outputs publish (one disclosure plan over every analyst output, joint-disclosure.ts):
 * `forced` cells are hidden like small ones, because showing them would give away what another
 * output withholds; `known` cells the public has from another output, so hiding them protects
 * nothing — they are never hidden to protect others, and count as published when working out
 * what the hidden cells give away (a small known cell is still not shown here).
 */
export interface Constraints {
  forced?: readonly boolean[] | undefined;
  known?: readonly boolean[] | undefined;
}

export function suppressCells(
  values: readonly number[],
  relations: readonly Relation[],
  threshold = DEFAULT_THRESHOLD,
  constraints: Constraints = {},
): Suppression {
  const known = (i: number) => constraints.known?.[i] === true;
  const primary = values.map((v, i) => isSmall(v, threshold) || constraints.forced?.[i] === true);
  const suppressed = [...primary];
  // The cells the public does not have: hidden here and not published elsewhere.
  const secret = () => suppressed.map((s, i) => s && !known(i));
  const hide = values.map((_, i) => known(i));
  const byCell = new Map<number, Relation[]>();
  for (const r of relations) {
    for (const c of [r.total, ...r.parts]) {
      const list = byCell.get(c);
      if (list) list.push(r);
      else byCell.set(c, [r]);
    }
  }
  // Each round hides at least one more cell, so this ends after at most values.length rounds.
  for (let round = 0; round <= values.length; round++) {
    const revealed = derivableCells(secret(), relations);
    if (revealed.length === 0) {
      // No single hidden cell follows; but a shown total minus its shown parts is the sum of the
      // hidden parts, which must not be 1 to k − 1 people either: then one more part is hidden.
      const taken = suppressed.map((s, i) => s || hide[i]!);
      const exposed = relations.find((r) => {
        if (secret()[r.total]) return false;
        const rest = r.parts.filter((p) => secret()[p]).reduce((a, p) => a + (values[p] ?? 0), 0);
        return isSmall(rest, threshold) && r.parts.some((p) => !taken[p]);
      });
      const pick = exposed && cheapest(values, taken, [{ total: exposed.total, parts: exposed.parts }], byCell, true);
      if (!pick) break;
      suppressed[pick.cell] = true;
      continue;
    }
    let added = false;
    const touched = new Set<Relation>();
    for (const cell of revealed) {
      const own = byCell.get(cell) ?? [];
      // One extra cell per relation per round; recompute before hiding more.
      if (own.some((r) => touched.has(r))) continue;
      // Prefer a relation that gives the cell away on its own (it is that relation's only hidden member).
      const lonely = own.filter((r) => members(r).every((c) => c === cell || !suppressed[c] || known(c)));
      // Known cells cannot be chosen (hiding them protects nothing): they count as hidden here.
      const taken = suppressed.map((s, i) => s || hide[i]!);
      const pick =
        cheapest(values, taken, lonely, byCell) ??
        cheapest(values, taken, own, byCell) ??
        cheapest(values, taken, linked(cell, secret(), byCell), byCell);
      if (pick === undefined) continue;
      suppressed[pick.cell] = true;
      touched.add(pick.relation);
      added = true;
    }
    // Nothing left to hide next to a revealed cell means its whole group is hidden; then only a
    // cell the relations force to be 0 can still be "derived", and a 0 describes nobody.
    if (!added) break;
  }
  return { suppressed, primary };
}

/** The relations reachable from `cell` through hidden cells: the ones that, together, give it away. */
function linked(cell: number, suppressed: boolean[], byCell: Map<number, Relation[]>): Relation[] {
  const seen = new Set<Relation>();
  const visited = new Set<number>([cell]);
  const queue = [cell];
  while (queue.length > 0) {
    for (const r of byCell.get(queue.pop()!) ?? []) {
      if (seen.has(r)) continue;
      seen.add(r);
      for (const m of members(r)) {
        if (suppressed[m] && !visited.has(m)) {
          visited.add(m);
          queue.push(m);
        }
      }
    }
  }
  return [...seen];
}

function members(r: Relation): number[] {
  return [r.total, ...r.parts];
}

/**
 * The published cell that costs least to hide: first one that leaves the fewest relations with a
 * single hidden cell (each of those would need yet another cell hidden), then a part before a
 * total (totals are what readers use most), then the smallest non-zero count (zeros last), then
 * the lowest index.
 */
function cheapest(
  values: readonly number[],
  suppressed: boolean[],
  relations: readonly Relation[],
  byCell: Map<number, Relation[]>,
  partsOnly = false,
): { cell: number; relation: Relation } | undefined {
  let best: { cell: number; relation: Relation; cost: number[] } | undefined;
  for (const r of relations) {
    for (const c of partsOnly ? r.parts : members(r)) {
      if (suppressed[c]) continue;
      const v = values[c] ?? 0;
      const lone = (byCell.get(c) ?? []).filter(
        (o) => o !== r && !members(o).some((m) => m !== c && suppressed[m]),
      ).length;
      const cost = [lone, c === r.total ? 1 : 0, v > 0 ? v : Number.MAX_SAFE_INTEGER, c];
      if (!best || less(cost, best.cost)) best = { cell: c, relation: r, cost };
    }
  }
  return best && { cell: best.cell, relation: best.relation };
}

function less(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/**
 * Hidden cells whose value follows from the published cells and the relations. Takes the
 * relations restricted to hidden cells (published cells move to the right-hand side, which does
 * not matter for whether a value is determined), splits them into independent groups, and
 * reduces each: a hidden cell is determined iff its column is a pivot whose row has no other
 * non-zero entry.
 */
export function derivableCells(suppressed: readonly boolean[], relations: readonly Relation[]): number[] {
  // Each relation as {hidden cell → coefficient}; relations without hidden cells say nothing.
  const rows: Map<number, number>[] = [];
  for (const r of relations) {
    const row = new Map<number, number>();
    if (suppressed[r.total]) row.set(r.total, (row.get(r.total) ?? 0) + 1);
    for (const p of r.parts) if (suppressed[p]) row.set(p, (row.get(p) ?? 0) - 1);
    for (const [c, v] of row) if (v === 0) row.delete(c);
    if (row.size > 0) rows.push(row);
  }
  // Union-find over hidden cells that share a relation.
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    while (parent.get(root)! !== root) root = parent.get(root)!;
    while (parent.get(x)! !== root) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  for (const row of rows) for (const c of row.keys()) if (!parent.has(c)) parent.set(c, c);
  for (const row of rows) {
    const [first, ...rest] = [...row.keys()];
    for (const c of rest) parent.set(find(c), find(first!));
  }
  const groups = new Map<number, Map<number, number>[]>();
  for (const row of rows) {
    const root = find(row.keys().next().value!);
    const list = groups.get(root);
    if (list) list.push(row);
    else groups.set(root, [row]);
  }
  const revealed: number[] = [];
  for (const group of groups.values()) revealed.push(...reduce(group));
  return revealed.sort((a, b) => a - b);
}

/** Gauss–Jordan elimination on one group of relations; returns the cells it pins down. */
function reduce(sparse: Map<number, number>[]): number[] {
  const cells = [...new Set(sparse.flatMap((r) => [...r.keys()]))];
  const width = cells.length;
  const column = new Map(cells.map((c, i) => [c, i]));
  const rows = sparse.map((r) => {
    const row = new Float64Array(width);
    for (const [c, v] of r) row[column.get(c)!] = v;
    return row;
  });
  const EPS = 1e-9;
  const pivots: [number, number][] = [];
  let lead = 0;
  for (let col = 0; col < width && lead < rows.length; col++) {
    let best = -1;
    let bestAbs = EPS;
    for (let r = lead; r < rows.length; r++) {
      const a = Math.abs(rows[r]![col]!);
      if (a > bestAbs) {
        best = r;
        bestAbs = a;
      }
    }
    if (best < 0) continue;
    const pivot = rows[best]!;
    rows[best] = rows[lead]!;
    rows[lead] = pivot;
    const p = pivot[col]!;
    for (let k = 0; k < width; k++) pivot[k] = pivot[k]! / p;
    for (let r = 0; r < rows.length; r++) {
      if (r === lead) continue;
      const row = rows[r]!;
      const f = row[col]!;
      if (Math.abs(f) <= EPS) continue;
      for (let k = 0; k < width; k++) row[k] = row[k]! - f * pivot[k]!;
    }
    pivots.push([col, lead]);
    lead++;
  }
  const revealed: number[] = [];
  for (const [col, r] of pivots) {
    const row = rows[r]!;
    let alone = true;
    for (let k = 0; k < width; k++) {
      if (k !== col && Math.abs(row[k]!) > EPS) {
        alone = false;
        break;
      }
    }
    if (alone) revealed.push(cells[col]!);
  }
  return revealed;
}
