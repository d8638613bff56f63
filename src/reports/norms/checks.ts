// Checks on a norm set beyond its shape (format.ts): one message per fault, naming the stratum,
// as patient data are checked. A duplicate stratum would let the first silently win; a value
// out of range would be shown as a norm. Pure.
import { eq5dIndex, isValueSetId, type ValueSetId } from '../eq5d/engine.ts';
import type { NormSet, NormStratum } from './format.ts';

const SHARE_TOLERANCE = 0.001;

function stratumName(s: Pick<NormStratum, 'sex' | 'age' | 'match'>): string {
  return `stratum ${s.sex}/${s.age}${s.match ? ` (${s.match.slice(0, 60)})` : ''}`;
}

/** Every problem of the set, or [] when it may be stored. `valueSet`: what the importer said the set uses. */
export function normSetProblems(set: NormSet, valueSet?: string): string[] {
  return [...duplicates(set), ...set.strata.flatMap(rangeProblems), ...valueSetProblems(set, valueSet)];
}

function duplicates(set: NormSet): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of set.strata) {
    const key = `${s.sex}|${s.age}|${s.match ?? ''}`;
    if (seen.has(key)) out.push(`${stratumName(s)} appears more than once`);
    seen.add(key);
  }
  return out;
}

function rangeProblems(s: NormStratum): string[] {
  const out: string[] = [];
  const name = stratumName(s);
  const outside = (what: string, v: number | undefined, low: number, high: number) => {
    if (v === undefined || (v >= low && v <= high)) return;
    out.push(`${name}: ${what} ${v} is ${low === -Infinity ? `above ${high}` : `outside ${low} to ${high}`}`);
  };
  const negative = (what: string, v: number | undefined) => {
    if (v !== undefined && v < 0) out.push(`${name}: ${what} ${v} is negative`);
  };
  negative('n', s.n?.value);
  outside('EQ VAS mean', s.vas.mean?.value, 0, 100);
  outside('EQ VAS median', s.vas.median?.value, 0, 100);
  negative('EQ VAS SD', s.vas.sd?.value);
  const [low, high] = indexRange(s.index.valueSet);
  outside('index mean', s.index.mean?.value, low, high);
  negative('index SD', s.index.sd?.value);
  const sums = [
    ['EQ VAS groups', s.vas.groups?.shares],
    ...Object.entries(s.dimensions).map(([d, v]) => [`${d} levels`, v?.shares] as const),
  ] as const;
  for (const [what, shares] of sums) {
    if (!shares) continue;
    const total = shares.reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > SHARE_TOLERANCE)
      out.push(`${name}: ${what} add up to ${Number(total.toFixed(4))}, not 1 (± ${SHARE_TOLERANCE})`);
  }
  return out;
}

function valueSetProblems(set: NormSet, stated?: string): string[] {
  const used = [...new Set(set.strata.map((s) => s.index.valueSet).filter((v): v is string => v !== null))];
  const out: string[] = [];
  if (used.length > 1) {
    const first = used[0]!;
    for (const s of set.strata)
      if (s.index.valueSet !== null && s.index.valueSet !== first)
        out.push(`${stratumName(s)} uses value set ${s.index.valueSet}, the others ${first}`);
  }
  if (stated !== undefined && used.length > 0 && used.some((v) => v !== stated))
    out.push(`the file's index uses value set ${used.join(', ')}, not ${stated} as --value-set says`);
  return out;
}

const ranges = new Map<ValueSetId, [number, number]>();

/** Lowest and highest index of a value set over all 3,125 states; [−∞, 1] for one we do not know. */
export function indexRange(valueSet: string | null): [number, number] {
  if (valueSet === null || !isValueSetId(valueSet)) return [-Infinity, 1];
  const cached = ranges.get(valueSet);
  if (cached) return cached;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < 3125; i++) {
    const state = [0, 1, 2, 3, 4].map((d) => 1 + (Math.floor(i / 5 ** (4 - d)) % 5)).join('');
    const v = eq5dIndex(state, valueSet)!;
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  const range: [number, number] = [Number(low.toFixed(3)) - 0.001, Number(high.toFixed(3)) + 0.001];
  ranges.set(valueSet, range);
  return range;
}
