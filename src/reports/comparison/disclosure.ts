// Disclosure control for the comparison report: which selections may be published, with which
// categories merged, so that nothing published — alone or added to and subtracted from other
// published selections — counts 1 to k − 1 people. Pure; the method is in docs/analysis.md.
//
// A selection is a "box" of one arrest type: a year or all years × a hospital or all hospitals ×
// one answer to "who is filling in" or all (lattice.ts). The whole register by arrest type always
// publishes every figure. Every other box publishes only when it is *clean* — each count it
// reveals (people; people in each category of each measure, after merging, and so the answerers
// of each) is 0 or at least k — and when the elementary cells that are not published fall into
// clean atoms (lattice.ts), so that no sum or difference of published boxes counts fewer.
import { DIMENSIONS } from '../../instruments/eq5d-texts.ts';
import { chooseSpans } from './categories.ts';
import { boxKey, coordinate, initial, lattice } from './lattice.ts';
import { coreCheck, emptyTally, grid, strataCheck, type ArrestType, type Box, type Span, type Unit } from './tally.ts';

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
  return box.year === undefined && box.hospital === undefined && box.respondent === undefined;
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

function planType(units: readonly Unit[], k: number): TypePlan {
  const l = lattice(units);
  const byRespondent = [...l.boxes.values()].filter((b) => b.box.respondent !== undefined).map((b) => b.tally);
  const { vas, dims } = chooseSpans(grid(units), k, byRespondent);
  const core = coreCheck(k, vas, dims);
  const published = coordinate(l, core, initial(l, core));
  const standardised = coordinate(l, strataCheck(k), initial(l, strataCheck(k), published));
  const tallyOf = (box: Box) => l.boxes.get(boxKey(box))?.tally ?? emptyTally();
  return {
    vas,
    dimensions: Object.fromEntries(DIMENSIONS.map((d, i) => [d, dims[i]!])),
    reason(box) {
      if (isWholeRegister(box)) return l.total.n === 0 ? 'empty' : null;
      const t = tallyOf(box);
      if (t.n === 0) return 'empty';
      if (t.n < k) return 'small';
      if (!core(t)) return 'categories';
      return published.has(boxKey(box)) ? null : 'combination';
    },
    standardised(box) {
      if (isWholeRegister(box)) return l.total.n > 0;
      return tallyOf(box).n > 0 && standardised.has(boxKey(box));
    },
  };
}
