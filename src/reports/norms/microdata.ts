// Norm aggregates computed from microdata (one row per survey respondent: age, sex, five levels,
// VAS, weight), per sex × age group and overall, into the prom-norms format.
import { DIMENSIONS } from '../../instruments/eq5d-texts.ts';
import { eq5dIndex, type ValueSetId } from '../eq5d/engine.ts';
import { shares, vasGroup, weightedMean, weightedMedian, weightedSd } from '../stats.ts';
import { AGE_BANDS, ageBand, type AgeBand, type NormSet, type NormStratum } from './format.ts';

export interface NormRespondent {
  age: number;
  sex: 'female' | 'male';
  levels: (number | null)[]; // five, in instrument order; null = missing
  vas: number | null;
  weight: number;
}

export function aggregateMicrodata(
  rows: readonly NormRespondent[],
  meta: { id: string; version: string; title: string; population: string; sourceName: string; valueSet: ValueSetId },
): NormSet {
  const source = `computed:${meta.sourceName}`;
  const cells: { sex: 'female' | 'male' | 'all'; age: AgeBand | 'all' }[] = [];
  for (const sex of ['all', 'female', 'male'] as const)
    for (const age of ['all', ...AGE_BANDS] as const) cells.push({ sex, age });
  const strata = cells
    .map((cell) =>
      stratumOf(
        rows.filter(
          (r) => (cell.sex === 'all' || r.sex === cell.sex) && (cell.age === 'all' || ageBand(r.age) === cell.age),
        ),
        cell,
        source,
        meta.valueSet,
      ),
    )
    .filter((s): s is NormStratum => s !== null);
  return {
    format: 'prom-norms',
    formatVersion: 1,
    id: meta.id,
    version: meta.version,
    title: meta.title,
    population: meta.population,
    sources: {},
    strata,
  };
}

function stratumOf(
  rows: readonly NormRespondent[],
  cell: { sex: NormStratum['sex']; age: NormStratum['age'] },
  source: string,
  valueSet: ValueSetId,
): NormStratum | null {
  if (rows.length === 0) return null;
  const stat = (value: number | null) => (value === null ? null : { value, source });
  const dimension = (i: number) => {
    const answered = rows.filter((r) => r.levels[i] !== null);
    const s = shares(
      answered.map((r) => r.levels[i]! - 1),
      5,
      answered.map((r) => r.weight),
    );
    return s ? { shares: s, source } : null;
  };
  const withVas = rows.filter((r) => r.vas !== null);
  const vas = withVas.map((r) => r.vas!);
  const vasWeights = withVas.map((r) => r.weight);
  const scored = rows
    .map((r) => ({ r, index: r.levels.some((l) => l === null) ? null : eq5dIndex(r.levels.join(''), valueSet) }))
    .filter((x) => x.index !== null);
  const groups = shares(vas.map(vasGroup), 10, vasWeights);
  return {
    sex: cell.sex,
    age: cell.age,
    n: { value: rows.length, source },
    dimensions: Object.fromEntries(DIMENSIONS.map((d, i) => [d, dimension(i)])) as NormStratum['dimensions'],
    vas: {
      mean: stat(weightedMean(vas, vasWeights)),
      sd: stat(weightedSd(vas, vasWeights)),
      median: stat(weightedMedian(vas, vasWeights)),
      groups: groups ? { shares: groups, source } : null,
    },
    index: {
      mean: stat(
        weightedMean(
          scored.map((x) => x.index!),
          scored.map((x) => x.r.weight),
        ),
      ),
      sd: stat(
        weightedSd(
          scored.map((x) => x.index!),
          scored.map((x) => x.r.weight),
        ),
      ),
      valueSet,
    },
  };
}
