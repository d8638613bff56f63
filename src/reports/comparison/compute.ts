// The analysts' comparison: survivors after OHCA and after IHCA against the population norms.
// Loads the counted responses for the filters, then computes with pure functions. Groups with
// fewer than 5 people are suppressed; norm figures nobody published stay missing, with a reason.
import { sql } from 'kysely';
import { countsForAnalysis } from '../../invitations/fragments.ts';
import type { Db } from '../../db/database.ts';
import { DIMENSIONS } from '../../survey/instrument.ts';
import { eq5dIndex, isValueSetId, DEFAULT_VALUE_SET, type ValueSetId } from '../eq5d/engine.ts';
import { ageBand, findStratum, type AgeBand, type NormSet } from '../norms/format.ts';
import { shares, standardise, summarise, vasGroup, type Summary } from '../stats.ts';

export const MIN_CELL = 5;
export const ARREST_TYPES = ['OHCA', 'IHCA'] as const;
type ArrestType = (typeof ARREST_TYPES)[number];

export interface Filters {
  year?: number | undefined;
  hospital?: string | undefined;
  arrestType?: ArrestType | undefined;
}

export interface SurvivorResponse {
  arrestType: ArrestType;
  sex: 'female' | 'male';
  age: number;
  levels: (number | null)[];
  vas: number | null;
}

export interface GroupResult {
  label: ArrestType;
  n: number;
  suppressed: boolean;
  vasGroups: number[] | null;
  vas: Summary | null;
  index: Summary | null;
  dimensions: Record<string, number[] | null>;
  /** The same group's norm, directly standardised to its age and sex mix. */
  norm: { vasGroups: number[] | null; vasMean: number | null; indexMean: number | null; dimensions: Record<string, number[] | null> };
}

export interface Comparison {
  filters: Filters;
  valueSet: ValueSetId;
  normSet: { id: string; version: string; title: string; sources: Record<string, string> };
  normIndexValueSet: string | null;
  groups: GroupResult[];
  /** Unstandardised norm for the whole population, where published. */
  population: { vasGroups: number[] | null; vasMean: number | null; indexMean: number | null };
  /** Published controls matched to a patient group, shown as they were published. */
  matched: { description: string; vasMean: number | null; vasSd: number | null; indexMean: number | null; indexSd: number | null; valueSetNote: string | undefined }[];
  /** What could not be compared, and what data it needs (locale keys under report.missing). */
  missing: { key: 'vasGroups' | 'vasMean' | 'dimensions' | 'indexOtherSet' | 'indexUnknownSet'; vars?: Record<string, string> }[];
}

export async function loadResponses(db: Db, filters: Filters): Promise<SurvivorResponse[]> {
  let q = db
    .selectFrom('responses as r')
    .innerJoin('invitations as i', 'i.id', 'r.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select([
      'e.arrest_type',
      's.sex',
      sql<number>`extract(year from age(e.arrest_date, s.birth_date))::int`.as('age'),
      'r.mobility',
      'r.self_care',
      'r.usual_activities',
      'r.pain_discomfort',
      'r.anxiety_depression',
      'r.vas',
    ])
    .where((eb) => countsForAnalysis(eb));
  if (filters.year !== undefined) q = q.where(sql<number>`extract(year from e.arrest_date)::int`, '=', filters.year);
  if (filters.hospital) q = q.where('e.hospital', '=', filters.hospital);
  if (filters.arrestType) q = q.where('e.arrest_type', '=', filters.arrestType);
  const rows = await q.execute();
  return rows.map((r) => ({
    arrestType: r.arrest_type,
    sex: r.sex,
    age: r.age,
    levels: [r.mobility, r.self_care, r.usual_activities, r.pain_discomfort, r.anxiety_depression],
    vas: r.vas,
  }));
}

export function compare(responses: readonly SurvivorResponse[], norms: NormSet, filters: Filters, valueSet: ValueSetId = DEFAULT_VALUE_SET): Comparison {
  const normValueSet = norms.strata.find((s) => s.index.valueSet)?.index.valueSet ?? null;
  const indexComparable = normValueSet !== null && isValueSetId(normValueSet) && normValueSet === valueSet;
  const types = filters.arrestType ? [filters.arrestType] : ARREST_TYPES;
  const groups = types.map((t) => groupResult(t, responses.filter((r) => r.arrestType === t), norms, valueSet, indexComparable));
  const all = findStratum(norms, 'all', 'all');
  return {
    filters,
    valueSet,
    normSet: { id: norms.id, version: norms.version, title: norms.title, sources: norms.sources },
    normIndexValueSet: normValueSet,
    groups,
    population: { vasGroups: all?.vas.groups?.shares ?? null, vasMean: all?.vas.mean?.value ?? null, indexMean: indexComparable ? (all?.index.mean?.value ?? null) : null },
    matched: norms.strata
      .filter((s) => s.match)
      .map((s) => ({ description: s.match!, vasMean: s.vas.mean?.value ?? null, vasSd: s.vas.sd?.value ?? null, indexMean: s.index.mean?.value ?? null, indexSd: s.index.sd?.value ?? null, valueSetNote: s.index.valueSetNote })),
    missing: missingFigures(norms, indexComparable, normValueSet, valueSet),
  };
}

function groupResult(label: ArrestType, rows: readonly SurvivorResponse[], norms: NormSet, valueSet: ValueSetId, indexComparable: boolean): GroupResult {
  const n = rows.length;
  const strata = stratumCounts(rows);
  const norm = {
    vasGroups: standardisedShares(norms, strata, 10, (s) => s.vas.groups?.shares),
    vasMean: standardise(normMap(norms, strata, (s) => s.vas.mean?.value), strata),
    indexMean: indexComparable ? standardise(normMap(norms, strata, (s) => s.index.mean?.value), strata) : null,
    dimensions: Object.fromEntries(DIMENSIONS.map((d) => [d, standardisedShares(norms, strata, 5, (s) => s.dimensions[d]?.shares)])),
  };
  if (n < MIN_CELL) {
    return { label, n, suppressed: true, vasGroups: null, vas: null, index: null, dimensions: Object.fromEntries(DIMENSIONS.map((d) => [d, null])), norm };
  }
  const vas = rows.filter((r) => r.vas !== null).map((r) => r.vas!);
  const index = rows.map((r) => (r.levels.some((l) => l === null) ? null : eq5dIndex(r.levels.join(''), valueSet))).filter((x): x is number => x !== null);
  return {
    label,
    n,
    suppressed: false,
    vasGroups: shares(vas.map(vasGroup), 10),
    vas: summarise(vas),
    index: summarise(index),
    dimensions: Object.fromEntries(
      DIMENSIONS.map((d, i) => {
        const answered = rows.filter((r) => r.levels[i] !== null).map((r) => r.levels[i]! - 1);
        return [d, shares(answered, 5)];
      }),
    ),
    norm,
  };
}

type StratumKey = `${'female' | 'male'}|${AgeBand}`;

function stratumCounts(rows: readonly SurvivorResponse[]): Map<StratumKey, number> {
  const counts = new Map<StratumKey, number>();
  for (const r of rows) {
    const band = ageBand(r.age);
    if (!band) continue; // under 18: no adult norm exists
    const key = `${r.sex}|${band}` as StratumKey;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function normMap(norms: NormSet, strata: Map<StratumKey, number>, pick: (s: NonNullable<ReturnType<typeof findStratum>>) => number | undefined) {
  const map = new Map<string, number | null>();
  for (const key of strata.keys()) {
    const [sex, age] = key.split('|') as ['female' | 'male', AgeBand];
    const s = findStratum(norms, sex, age);
    map.set(key, s ? (pick(s) ?? null) : null);
  }
  return map;
}

function standardisedShares(norms: NormSet, strata: Map<StratumKey, number>, k: number, pick: (s: NonNullable<ReturnType<typeof findStratum>>) => number[] | undefined): number[] | null {
  if (strata.size === 0) return null;
  const out: number[] = [];
  for (let g = 0; g < k; g++) {
    const value = standardise(normMap(norms, strata, (s) => pick(s)?.[g]), strata);
    if (value === null) return null;
    out.push(value);
  }
  return out;
}

function missingFigures(norms: NormSet, indexComparable: boolean, normValueSet: string | null, valueSet: ValueSetId): Comparison['missing'] {
  const sexAge = norms.strata.filter((s) => s.sex !== 'all' && s.age !== 'all' && !s.match);
  const missing: Comparison['missing'] = [];
  if (!sexAge.some((s) => s.vas.groups)) missing.push({ key: 'vasGroups' });
  if (!sexAge.some((s) => s.vas.mean)) missing.push({ key: 'vasMean' });
  if (!sexAge.some((s) => Object.values(s.dimensions).some(Boolean))) missing.push({ key: 'dimensions' });
  if (!indexComparable) {
    missing.push(normValueSet ? { key: 'indexOtherSet', vars: { norm: normValueSet, survivors: valueSet } } : { key: 'indexUnknownSet', vars: { survivors: valueSet } });
  }
  return missing;
}
