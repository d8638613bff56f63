// EQ-5D-5L index scoring: one engine for every model form in the value sets (additive with
// start value, constant for non-11111 states, N4/N5 terms; or a full 3125-state lookup).
// Sums are done in integer 1e-7 units (units.ts) and returned unrounded; round only for
// display with formatIndex. Invalid or missing levels give null - never imputed.

import { parseLookupTable } from './lookup.ts';
import { isFullHealth, stateOrdinal, toLevels } from './state.ts';
import type { AdditiveValueSet, Citation, Levels, ValueSet, ValueSetId, ValueSetInfo } from './types.ts';
import { DIMENSION_CODES } from './types.ts';
import { fromUnits, toUnits } from './units.ts';
import { VALUE_SETS } from './valuesets/index.ts';

export type { Levels, ValueSetId, ValueSetInfo } from './types.ts';
export { levelSumScore, parseState } from './state.ts';
export { formatIndex } from './units.ts';

/** Norway's own value set; callers should still store the id with every index they save. */
export const DEFAULT_VALUE_SET: ValueSetId = 'NO-2024';

/** Index in 1e-7 units for a valid state. */
type Scorer = (levels: Levels) => number;

const BY_ID = new Map<string, ValueSet>(VALUE_SETS.map((vs) => [vs.id, vs]));
// Compiled lazily so importing the module does no parsing work.
const scorers = new Map<ValueSetId, Scorer>();

/**
 * Index value for a state ('12345' or [1,2,3,4,5]) under a value set, unrounded.
 * Returns null if the state is not exactly five levels 1-5. Throws on an unknown value set id
 * (a configuration error, not missing data).
 */
export function eq5dIndex(state: string | Levels, valueSetId: ValueSetId): number | null {
  const score = scorerFor(valueSetId);
  const levels = toLevels(state);
  return levels ? fromUnits(score(levels)) : null;
}

export function listValueSets(): ValueSetInfo[] {
  return VALUE_SETS.map((vs) => ({
    id: vs.id,
    country: vs.country,
    citation: formatCitation(vs.citation),
    doi: vs.citation.doi,
    form: vs.form,
    ...(vs.notes ? { notes: vs.notes } : {}),
  }));
}

export function isValueSetId(x: unknown): x is ValueSetId {
  return typeof x === 'string' && BY_ID.has(x);
}

function formatCitation(c: Citation): string {
  const issue = c.volumePages ? `;${c.volumePages}` : '';
  return `${c.authors}. ${c.title}. ${c.journal} ${c.year}${issue}. doi:${c.doi}`;
}

function scorerFor(id: ValueSetId): Scorer {
  const cached = scorers.get(id);
  if (cached) return cached;
  const vs = BY_ID.get(id);
  if (!vs) throw new RangeError(`Unknown EQ-5D value set: ${String(id)}`);
  const scorer = vs.form === 'lookup' ? compileLookup(vs.table) : compileAdditive(vs);
  scorers.set(id, scorer);
  return scorer;
}

function compileLookup(text: string): Scorer {
  const table = parseLookupTable(text);
  return (levels) => table[stateOrdinal(levels)]!;
}

function compileAdditive(vs: AdditiveValueSet): Scorer {
  const start = toUnits(vs.start);
  const perDimension = DIMENSION_CODES.map((d) => vs.coefficients[d].map(toUnits));
  const constant = toUnits(vs.constant ?? 0);
  const n4 = toUnits(vs.n4 ?? 0);
  const n5 = toUnits(vs.n5 ?? 0);
  return (levels) => {
    let units = start;
    levels.forEach((level, i) => (units += perDimension[i]![level - 1]!));
    const worst = Math.max(...levels);
    // The constant belongs to "any problem at all"; 11111 keeps the start value (fragla/eq5d issue #23).
    if (!isFullHealth(levels)) units += constant;
    if (worst >= 4) units += n4;
    if (worst === 5) units += n5;
    return units;
  };
}
