// The analysts' comparison: survivors after OHCA and after IHCA against the population norms.
// Loads the counted responses, then computes with pure functions. What a selection may publish
// is decided over the whole register (disclosure.ts), so reports for different selections cannot
// be combined to count fewer than k people; norm figures nobody published stay missing.
import { sql } from 'kysely';
import { countsForAnalysis, RESPONSE_LEVEL_COLUMNS } from '../../invitations/fragments.ts';
import type { Db } from '../../db/database.ts';
import { DIMENSIONS } from '../../instruments/eq5d-texts.ts';
import { eq5dIndex, isValueSetId, DEFAULT_VALUE_SET, type ValueSetId } from '../eq5d/engine.ts';
import { ageBand, findStratum, type AgeBand, type NormSet, type NormStratum } from '../norms/format.ts';
import {
  bootstrapMeanInterval,
  differenceFromStandardised,
  shares,
  standardise,
  summarise,
  vasGroup,
  wilson,
  type Difference,
  type Summary,
} from '../stats.ts';
import { DEFAULT_THRESHOLD } from '../suppression.ts';
import { indexRange } from '../norms/checks.ts';
import { normShareIntervals, standardisedMeanInterval } from '../norms/intervals.ts';
import { planDisclosure, type Reason, type Span, type TypePlan } from './disclosure.ts';
import type { Respondent, Unit } from './tally.ts';

const ARREST_TYPES = ['OHCA', 'IHCA'] as const;
type ArrestType = (typeof ARREST_TYPES)[number];

export interface Filters {
  year?: number | undefined;
  hospital?: string | undefined;
  arrestType?: ArrestType | undefined;
  /** Who filled in the questionnaire: the person, with help, or someone else on the person's behalf. */
  respondent?: Respondent | undefined;
}

/** One counted response as the comparison and its disclosure plan read it. */
export type SurvivorResponse = Unit;

/** A published share of a category; `from`–`to` are the fine categories it covers (merged when they differ). */
export interface CategoryShare extends Span {
  share: number;
  /** Wilson 95 % interval of the share. */
  ci95: [number, number] | null;
}

export interface GroupResult {
  label: ArrestType;
  /** The group's size (internal: shown only when not suppressed). */
  n: number;
  suppressed: boolean;
  /** Why nothing is published for the group (null when it is). */
  reason: Reason | null;
  /** Answers in the group given by someone else on the person's behalf; null when withheld (a box of its own). */
  proxyAnswers: number | null;
  /** Fine VAS group shares, when published unmerged (the chart draws these). */
  vasGroups: number[] | null;
  /** The VAS groups the group publishes: merged below the whole register, fine when suppressed. */
  vasSpans: Span[];
  /** VAS groups as published: fine or merged; n = VAS answerers. */
  vasCategories: CategoryShare[] | null;
  vasN: number | null;
  vas: Summary | null;
  index: Summary | null;
  /** Fine level shares per dimension, when published unmerged. */
  dimensions: Record<string, number[] | null>;
  dimensionSpans: Record<string, Span[]>;
  dimensionCategories: Record<string, CategoryShare[] | null>;
  /** Answerers per dimension. */
  dimensionN: Record<string, number | null>;
  /** The same group's norm, directly standardised to its age and sex mix (null when the mix may not be shown). */
  norm: {
    vasGroups: number[] | null;
    vasMean: number | null;
    indexMean: number | null;
    dimensions: Record<string, number[] | null>;
    respondents: number | null;
    /** 95 % intervals of the standardised norm means (norms/intervals.ts); null without SD and n for every occupied stratum. */
    vasCi95: [number, number] | null;
    indexCi95: [number, number] | null;
  };
  /** The standardised norm is hidden because it would show a sex × age mix with fewer than k people. */
  normSuppressed: boolean;
  /** Survivors minus the standardised norm (Welch 95 % interval); null when hidden or the norm lacks SD or n. */
  difference: { vas: Difference | null; index: Difference | null };
}

export interface Comparison {
  filters: Filters;
  /** k: no published figure rests on 1 to k − 1 people. */
  threshold: number;
  valueSet: ValueSetId;
  normSet: { id: string; version: string; title: string; sources: Record<string, string> };
  normIndexValueSet: string | null;
  groups: GroupResult[];
  /** Unstandardised norm for the whole population, where published. */
  population: {
    vasGroups: number[] | null;
    vasMean: number | null;
    indexMean: number | null;
    respondents: number | null;
    /** 95 % t intervals of the crude norm means, from the stated SD and n (null without them). */
    vasCi95: [number, number] | null;
    indexCi95: [number, number] | null;
    /** Wilson 95 % intervals of the crude norm's EQ VAS group shares, with its respondents as n. */
    vasGroupsCi95: ([number, number] | null)[] | null;
  };
  /** Published controls matched to a patient group, shown as they were published. */
  matched: {
    description: string;
    vasMean: number | null;
    vasSd: number | null;
    indexMean: number | null;
    indexSd: number | null;
    valueSetNote: string | undefined;
    /** Respondents, where the source states them (without n no interval can be given). */
    n: number | null;
  }[];
  /** What could not be compared, and what data it needs (locale keys under report.missing). */
  missing: {
    key: 'vasGroups' | 'vasMean' | 'dimensions' | 'indexOtherSet' | 'indexUnknownSet';
    vars?: Record<string, string>;
  }[];
}

export async function loadResponses(db: Db, filters: Filters): Promise<SurvivorResponse[]> {
  let q = db
    .selectFrom('responses as r')
    .innerJoin('invitations as i', 'i.id', 'r.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select([
      'e.arrest_type',
      'e.hospital',
      sql<number>`extract(year from e.arrest_date)::int`.as('year'),
      's.sex',
      sql<number>`extract(year from age(e.arrest_date, s.birth_date))::int`.as('age'),
      ...RESPONSE_LEVEL_COLUMNS,
      'r.vas',
      'r.respondent',
    ])
    .where((eb) => countsForAnalysis(eb));
  if (filters.year !== undefined) q = q.where(sql<number>`extract(year from e.arrest_date)::int`, '=', filters.year);
  if (filters.hospital) q = q.where('e.hospital', '=', filters.hospital);
  if (filters.arrestType) q = q.where('e.arrest_type', '=', filters.arrestType);
  if (filters.respondent) q = q.where('r.respondent', '=', filters.respondent);
  const rows = await q.execute();
  return rows.map((r) => ({
    arrestType: r.arrest_type,
    year: r.year,
    hospital: r.hospital,
    respondent: r.respondent,
    sex: r.sex,
    age: r.age,
    levels: [r.mobility, r.self_care, r.usual_activities, r.pain_discomfort, r.anxiety_depression],
    vas: r.vas,
  }));
}

/**
 * `responses` are the whole register's (the disclosure plan is made over all of them); the
 * filters pick the selection shown. `threshold` is k (SMALL_CELL_THRESHOLD).
 */
export function compare(
  responses: readonly SurvivorResponse[],
  norms: NormSet,
  filters: Filters,
  valueSet: ValueSetId = DEFAULT_VALUE_SET,
  threshold = DEFAULT_THRESHOLD,
): Comparison {
  const normValueSet = norms.strata.find((s) => s.index.valueSet)?.index.valueSet ?? null;
  const indexComparable = normValueSet !== null && isValueSetId(normValueSet) && normValueSet === valueSet;
  const types = filters.arrestType ? [filters.arrestType] : ARREST_TYPES;
  const plan = planDisclosure(responses, threshold);
  const box = { year: filters.year, hospital: filters.hospital, respondent: filters.respondent };
  const selected = responses.filter(
    (r) =>
      (box.year === undefined || r.year === box.year) &&
      (box.hospital === undefined || r.hospital === box.hospital) &&
      (box.respondent === undefined || r.respondent === box.respondent),
  );
  const groups = types.map((t) =>
    groupResult(
      t,
      selected.filter((r) => r.arrestType === t),
      norms,
      valueSet,
      indexComparable,
      plan.types[t],
      box,
    ),
  );
  const all = findStratum(norms, 'all', 'all');
  return {
    filters,
    threshold,
    valueSet,
    normSet: { id: norms.id, version: norms.version, title: norms.title, sources: norms.sources },
    normIndexValueSet: normValueSet,
    groups,
    population: {
      vasGroups: all?.vas.groups?.shares ?? null,
      vasMean: all?.vas.mean?.value ?? null,
      indexMean: indexComparable ? (all?.index.mean?.value ?? null) : null,
      respondents: all?.n?.value ?? null,
      vasCi95: all?.vas.mean ? crudeInterval(all.vas.mean.value, all.vas.sd?.value, all.n?.value, VAS_BOUNDS) : null,
      indexCi95:
        indexComparable && all?.index.mean
          ? crudeInterval(all.index.mean.value, all.index.sd?.value, all.n?.value, indexBounds(valueSet))
          : null,
      vasGroupsCi95: normShareIntervals(all?.vas.groups?.shares ?? null, all?.n?.value ?? null),
    },
    matched: norms.strata
      .filter((s) => s.match)
      .map((s) => ({
        description: s.match!,
        vasMean: s.vas.mean?.value ?? null,
        vasSd: s.vas.sd?.value ?? null,
        indexMean: s.index.mean?.value ?? null,
        indexSd: s.index.sd?.value ?? null,
        valueSetNote: s.index.valueSetNote,
        n: s.n?.value ?? null,
      })),
    missing: missingFigures(norms, indexComparable, normValueSet, valueSet),
  };
}

function groupResult(
  label: ArrestType,
  rows: readonly SurvivorResponse[],
  norms: NormSet,
  valueSet: ValueSetId,
  indexComparable: boolean,
  plan: TypePlan,
  box: Filters,
): GroupResult {
  const n = rows.length;
  const reason = plan.reason(box);
  const proxyReason = box.respondent === undefined ? plan.reason({ ...box, respondent: 'proxy' }) : null;
  const proxyAnswers =
    reason === null && (proxyReason === null || proxyReason === 'empty')
      ? rows.filter((r) => r.respondent === 'proxy').length
      : null;
  const showNorm = reason === null && plan.standardised(box);
  const strata = stratumCounts(rows);
  const norm = {
    vasGroups: showNorm ? standardisedShares(norms, strata, 10, (s) => s.vas.groups?.shares) : null,
    vasMean: showNorm
      ? standardise(
          normMap(norms, strata, (s) => s.vas.mean?.value),
          strata,
        )
      : null,
    indexMean:
      showNorm && indexComparable
        ? standardise(
            normMap(norms, strata, (s) => s.index.mean?.value),
            strata,
          )
        : null,
    dimensions: Object.fromEntries(
      DIMENSIONS.map((d) => [
        d,
        showNorm ? standardisedShares(norms, strata, 5, (s) => s.dimensions[d]?.shares) : null,
      ]),
    ),
    respondents: showNorm ? normRespondents(norms, strata) : null,
    vasCi95: showNorm
      ? standardisedInterval(
          norms,
          strata,
          (x) => x.vas.mean?.value,
          (x) => x.vas.sd?.value,
          VAS_BOUNDS,
        )
      : null,
    indexCi95:
      showNorm && indexComparable
        ? standardisedInterval(
            norms,
            strata,
            (x) => x.index.mean?.value,
            (x) => x.index.sd?.value,
            indexBounds(valueSet),
          )
        : null,
  };
  const none = Object.fromEntries(DIMENSIONS.map((d) => [d, null]));
  if (reason !== null) {
    const fineDims = Object.fromEntries(DIMENSIONS.map((d) => [d, fineSpans(5)]));
    return {
      label,
      n,
      suppressed: true,
      reason,
      proxyAnswers,
      vasGroups: null,
      vasSpans: fineSpans(10),
      vasCategories: null,
      vasN: null,
      vas: null,
      index: null,
      dimensions: none,
      dimensionSpans: fineDims,
      dimensionCategories: none,
      dimensionN: none,
      norm,
      normSuppressed: true,
      difference: { vas: null, index: null },
    };
  }
  const whole = box.year === undefined && box.hospital === undefined && box.respondent === undefined;
  const vas = rows.filter((r) => r.vas !== null).map((r) => r.vas!);
  const index = rows
    .map((r) => (r.levels.some((l) => l === null) ? null : eq5dIndex(r.levels.join(''), valueSet)))
    .filter((x): x is number => x !== null);
  const vasShares = shares(vas.map(vasGroup), 10);
  const vasSpans = whole ? fineSpans(10) : plan.vas;
  const levelShares = DIMENSIONS.map((_, i) => {
    const answered = rows.filter((r) => r.levels[i] !== null).map((r) => r.levels[i]! - 1);
    return { n: answered.length, shares: shares(answered, 5) };
  });
  const dimSpans = (d: string) => (whole ? fineSpans(5) : plan.dimensions[d]!);
  return {
    label,
    n,
    suppressed: false,
    reason: null,
    proxyAnswers,
    vasGroups: vasSpans.length === 10 ? vasShares : null,
    vasSpans,
    vasCategories: mergeShares(vasShares, vasSpans, vas.length),
    vasN: vas.length,
    vas: summarise(vas),
    index: indexSummary(index),
    dimensions: Object.fromEntries(
      DIMENSIONS.map((d, i) => [d, dimSpans(d).length === 5 ? levelShares[i]!.shares : null]),
    ),
    dimensionSpans: Object.fromEntries(DIMENSIONS.map((d) => [d, dimSpans(d)])),
    dimensionCategories: Object.fromEntries(
      DIMENSIONS.map((d, i) => [d, mergeShares(levelShares[i]!.shares, dimSpans(d), levelShares[i]!.n)]),
    ),
    dimensionN: Object.fromEntries(DIMENSIONS.map((d, i) => [d, levelShares[i]!.n])),
    norm,
    normSuppressed: !showNorm,
    difference: {
      vas: showNorm
        ? normDifference(
            norms,
            strata,
            summarise(vas),
            (x) => x.vas.mean?.value,
            (x) => x.vas.sd?.value,
          )
        : null,
      index:
        showNorm && indexComparable
          ? normDifference(
              norms,
              strata,
              summarise(index),
              (x) => x.index.mean?.value,
              (x) => x.index.sd?.value,
            )
          : null,
    },
  };
}

/** The index mean with a bootstrap interval instead of the t interval, which can run above 1. */
function indexSummary(values: number[]): Summary | null {
  const s = summarise(values);
  return s && { ...s, ci95: bootstrapMeanInterval(values) };
}

/** The group's mean minus its standardised norm, when every occupied stratum states mean, SD and n. */
function normDifference(
  norms: NormSet,
  strata: Map<StratumKey, number>,
  summary: Summary | null,
  mean: (s: NormStratum) => number | undefined,
  sd: (s: NormStratum) => number | undefined,
): Difference | null {
  if (!summary || strata.size === 0) return null;
  const total = [...strata.values()].reduce((a, b) => a + b, 0);
  let normMean = 0;
  const parts: { weight: number; sd: number; n: number }[] = [];
  for (const [key, count] of strata) {
    const [sex, age] = key.split('|') as ['female' | 'male', AgeBand];
    const stratum = findStratum(norms, sex, age);
    const [m, s, n] = [stratum && mean(stratum), stratum && sd(stratum), stratum?.n?.value];
    if (m === undefined || s === undefined || n === undefined) return null;
    normMean += (count / total) * m;
    parts.push({ weight: count / total, sd: s, n });
  }
  return differenceFromStandardised(summary, normMean, parts);
}

const VAS_BOUNDS: [number, number] = [0, 100];

/** The index's possible range under the value set (over all 3,125 states), never above 1. */
function indexBounds(valueSet: ValueSetId): [number, number] {
  const [low, high] = indexRange(valueSet);
  return [low, Math.min(1, high)];
}

function crudeInterval(
  mean: number,
  sd: number | undefined,
  n: number | undefined,
  bounds: [number, number],
): [number, number] | null {
  return standardisedMeanInterval([{ weight: 1, mean, sd, n }], bounds)?.ci95 ?? null;
}

/** The standardised norm mean's interval, when every occupied stratum states mean, SD and n. */
function standardisedInterval(
  norms: NormSet,
  strata: Map<StratumKey, number>,
  mean: (s: NormStratum) => number | undefined,
  sd: (s: NormStratum) => number | undefined,
  bounds: [number, number],
): [number, number] | null {
  const parts = [];
  for (const [key, count] of strata) {
    const [sex, age] = key.split('|') as ['female' | 'male', AgeBand];
    const stratum = findStratum(norms, sex, age);
    const m = stratum && mean(stratum);
    if (!stratum || m === undefined) return null;
    parts.push({ weight: count, mean: m, sd: sd(stratum), n: stratum.n?.value });
  }
  return standardisedMeanInterval(parts, bounds)?.ci95 ?? null;
}

/** Norm respondents in the strata the group occupies, when the norm states all of them. */
function normRespondents(norms: NormSet, strata: Map<StratumKey, number>): number | null {
  let sum = 0;
  for (const key of strata.keys()) {
    const [sex, age] = key.split('|') as ['female' | 'male', AgeBand];
    const n = findStratum(norms, sex, age)?.n?.value;
    if (n === undefined) return null;
    sum += n;
  }
  return strata.size > 0 ? sum : null;
}

const fineSpans = (k: number): Span[] => Array.from({ length: k }, (_, i) => ({ from: i, to: i }));

function mergeShares(fine: number[] | null, spans: Span[], n: number): CategoryShare[] | null {
  if (!fine) return null;
  return spans.map((s) => {
    const share = fine.slice(s.from, s.to + 1).reduce((a, b) => a + b, 0);
    return { ...s, share, ci95: wilson(Math.round(share * n), n) };
  });
}

type StratumKey = `${'female' | 'male'}|${AgeBand}`;

function stratumCounts(rows: readonly SurvivorResponse[]): Map<StratumKey, number> {
  const counts = new Map<StratumKey, number>();
  for (const r of rows) {
    const band = ageBand(r.age);
    if (!band) continue; // under 18: no adult norm exists
    const key: StratumKey = `${r.sex}|${band}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function normMap(
  norms: NormSet,
  strata: Map<StratumKey, number>,
  pick: (s: NonNullable<ReturnType<typeof findStratum>>) => number | undefined,
) {
  const map = new Map<string, number | null>();
  for (const key of strata.keys()) {
    const [sex, age] = key.split('|') as ['female' | 'male', AgeBand];
    const s = findStratum(norms, sex, age);
    map.set(key, s ? (pick(s) ?? null) : null);
  }
  return map;
}

function standardisedShares(
  norms: NormSet,
  strata: Map<StratumKey, number>,
  k: number,
  pick: (s: NonNullable<ReturnType<typeof findStratum>>) => number[] | undefined,
): number[] | null {
  if (strata.size === 0) return null;
  const out: number[] = [];
  for (let g = 0; g < k; g++) {
    const value = standardise(
      normMap(norms, strata, (s) => pick(s)?.[g]),
      strata,
    );
    if (value === null) return null;
    out.push(value);
  }
  return out;
}

function missingFigures(
  norms: NormSet,
  indexComparable: boolean,
  normValueSet: string | null,
  valueSet: ValueSetId,
): Comparison['missing'] {
  const sexAge = norms.strata.filter((s) => s.sex !== 'all' && s.age !== 'all' && !s.match);
  const missing: Comparison['missing'] = [];
  if (!sexAge.some((s) => s.vas.groups)) missing.push({ key: 'vasGroups' });
  if (!sexAge.some((s) => s.vas.mean)) missing.push({ key: 'vasMean' });
  if (!sexAge.some((s) => Object.values(s.dimensions).some(Boolean))) missing.push({ key: 'dimensions' });
  if (!indexComparable) {
    missing.push(
      normValueSet
        ? { key: 'indexOtherSet', vars: { norm: normValueSet, survivors: valueSet } }
        : { key: 'indexUnknownSet', vars: { survivors: valueSet } },
    );
  }
  return missing;
}
