// Turns a Comparison into the report's view: the EQ VAS chart (SVG) with its data table, means
// with their n and confidence intervals, level distributions, what is missing and the sources.
// Every number comes from the long table (table.ts), so the page and the CSV agree cell for cell;
// each number sits in an element with data-cell="group|measure|category".
import type { TextVars, Views } from '../../i18n/views.ts';
import { DIMENSIONS, type Instruments } from '../../instruments/eq5d-texts.ts';
import { VAS_GROUPS } from '../stats.ts';
import { groupedBarChart } from './bar-chart.ts';
import type { Comparison } from './compute.ts';
import { levelLabel, longTable, vasLabel, type LongRow } from './table.ts';
import type { Span } from './disclosure.ts';

/** Norwegian display of a plain decimal: comma and a real minus sign. */
const nb = (v: string) => v.replace('.', ',').replace('-', '−');

interface Cell {
  key: string;
  text: string;
  muted: boolean;
  rowspan?: number;
  merged?: string;
  /** A share's Wilson interval, shown after it. */
  ci?: { low: Cell; high: Cell };
  /** A figure shown without its interval (the norm lacks SD or n): the interval's keys and why. */
  noCi?: { key: string; text: string };
}

export function comparisonView(c: Comparison, views: Views, instruments: Instruments) {
  const t = (key: string, vars?: TextVars) => views.t('nb', `report.${key}`, vars);
  const d = (key: string, vars?: TextVars) => views.t('nb', `disclosure.${key}`, { k: c.threshold, ...vars });
  const rows = longTable(c);
  const find = new Map(rows.map((r) => [`${r.group}|${r.measure}|${r.category}`, r]));
  const cellOf = (group: string, measure: string, category: string, missing = '–'): Cell => {
    const key = `${group}|${measure}|${category}`;
    const r = find.get(key);
    if (!r || r.suppressed === '1') return { key, text: d('hidden'), muted: true };
    return r.value === '' ? { key, text: missing, muted: true } : { key, text: nb(r.value), muted: false };
  };
  /** A figure with its 95 % interval after it (`low` and `high` are the interval's measures). */
  const withCi = (group: string, measure: string, low: string, high: string, category: string, missing = '–'): Cell => {
    const cell = cellOf(group, measure, category, missing);
    const keys = [`${group}|${low}|${category}`, `${group}|${high}|${category}`];
    // A hidden or missing figure hides its interval too: one cell stands for all three figures.
    if (cell.muted) return { ...cell, key: [cell.key, ...keys].join(' ') };
    const ci = { low: cellOf(group, low, category), high: cellOf(group, high, category) };
    if (ci.low.muted || ci.high.muted) return { ...cell, noCi: { key: keys.join(' '), text: t('noInterval') } };
    return { ...cell, ci };
  };
  const shareCell = (group: string, measure: string, category: string, missing = '–'): Cell =>
    withCi(group, measure, `${measure}_ci_low`, `${measure}_ci_high`, category, missing);
  const normGroups = c.groups.map((g) => `norm_std_${g.label}`);
  // Each group beside its own standardised norm; the crude norm only where no group has one.
  const none = VAS_GROUPS.map(() => null);
  const standardised = c.groups.filter((g) => g.norm.vasGroups);
  const series = [
    ...c.groups.flatMap((g) => [
      {
        name: g.suppressed ? `${g.label} (${d('hidden')})` : `${g.label} (n = ${g.vasN})`,
        values: g.vasGroups ?? none,
      },
      ...(g.norm.vasGroups ? [{ name: t('normStandardised', { group: g.label }), values: g.norm.vasGroups }] : []),
    ]),
    ...(standardised.length === 0 ? [{ name: t('normPopulation'), values: c.population.vasGroups ?? none }] : []),
  ];
  const chart = groupedBarChart({
    id: 'vas-chart',
    title: t('vasChartTitle'),
    categories: VAS_GROUPS,
    series,
    yLabel: t('vasChartY'),
  });
  const vasRows = VAS_GROUPS.map((label, i) => ({
    label,
    cells: [
      ...c.groups.flatMap((g) =>
        spanCell(
          g.vasSpans,
          i,
          (s) => shareCell(g.label, 'vas_group_share', vasLabel(s)),
          (s) => d('mergedVas', { range: vasLabel(s).replace('-', '–') }),
        ),
      ),
      shareCell('norm', 'vas_group_share', vasLabel({ from: i, to: i }), t('notAvailable')),
      ...normGroups.map((g) => cellOf(g, 'vas_group_share', vasLabel({ from: i, to: i }), t('notAvailable'))),
    ],
  }));
  /** The table's n row: the answerers behind each column (norm respondents for norm columns). */
  const nRow = (columns: { group: string; measure: string; category: string }[]) =>
    columns.map(({ group, measure, category }) => {
      const key = `${group}|${measure}|${category}`;
      return { key, text: nText(find.get(key), d('hidden')) || '–' };
    });
  const vasN = nRow([
    ...c.groups.map((g) => ({ group: g.label, measure: 'vas_group_share', category: vasLabel(g.vasSpans[0]!) })),
    ...['norm', ...normGroups].map((group) => ({ group, measure: 'vas_group_share', category: '0-9' })),
  ]);
  const sizes = c.groups.map((g) => ({
    label: g.label,
    n: cellOf(g.label, 'group_size', ''),
    proxy: cellOf(g.label, 'proxy_answers', ''),
    note: [
      g.suppressed ? d('why') : g.normSuppressed && g.reason === null ? d('normHidden') : '',
      !g.suppressed && g.proxyAnswers === null ? d('proxyHidden') : '',
    ]
      .filter(Boolean)
      .join(' '),
  }));
  const means = c.groups.flatMap((g) =>
    (['vas', 'index'] as const).map((m) => {
      const r = find.get(`${g.label}|${m}_mean|`);
      return {
        group: g.label,
        measure: m === 'vas' ? 'EQ VAS' : t('meanIndex', { valueSet: c.valueSet }),
        n: nText(r, d('hidden')),
        nKey: `${g.label}|${m}_mean|`,
        mean: cellOf(g.label, `${m}_mean`, ''),
        sd: cellOf(g.label, `${m}_sd`, ''),
        low: cellOf(g.label, `${m}_ci_low`, ''),
        high: cellOf(g.label, `${m}_ci_high`, ''),
        norm: withCi(`norm_std_${g.label}`, `${m}_mean`, `${m}_ci_low`, `${m}_ci_high`, '', t('notAvailable')),
      };
    }),
  );
  const differences = c.groups.flatMap((g) =>
    (['vas', 'index'] as const).map((m) => ({
      group: g.label,
      measure: m === 'vas' ? 'EQ VAS' : t('meanIndex', { valueSet: c.valueSet }),
      value: cellOf(g.label, `${m}_diff`, ''),
      low: cellOf(g.label, `${m}_diff_ci_low`, ''),
      high: cellOf(g.label, `${m}_diff_ci_high`, ''),
      note: g.suppressed || g.normSuppressed || g.difference[m] ? '' : d('diffUnavailable'),
    })),
  );
  const dash: Cell = { key: '', text: '–', muted: true };
  const population = (['vas', 'index'] as const).map((m) => {
    const r = find.get(`norm|${m}_mean|`);
    return {
      group: t('normPopulation'),
      measure: m === 'vas' ? 'EQ VAS' : t('meanIndex', { valueSet: c.valueSet }),
      n: r?.n || '–',
      nKey: `norm|${m}_mean|`,
      mean: cellOf('norm', `${m}_mean`, '', t('notAvailable')),
      sd: dash,
      low: cellOf('norm', `${m}_ci_low`, ''),
      high: cellOf('norm', `${m}_ci_high`, ''),
      norm: dash,
    };
  });
  const dims = DIMENSIONS.map((dim, di) => ({
    heading: instruments.nb.dimensions[di]!.heading,
    n: nRow([
      ...c.groups.map((g) => ({
        group: g.label,
        measure: 'level_share',
        category: levelLabel(dim, g.dimensionSpans[dim]![0]!),
      })),
      ...normGroups.map((group) => ({ group, measure: 'level_share', category: levelLabel(dim, { from: 0, to: 0 }) })),
    ]),
    rows: [0, 1, 2, 3, 4].map((level) => ({
      label: t('level', { n: level + 1 }),
      cells: [
        ...c.groups.flatMap((g) =>
          spanCell(
            g.dimensionSpans[dim]!,
            level,
            (s) => shareCell(g.label, 'level_share', levelLabel(dim, s)),
            (s) => d('mergedLevels', { from: s.from + 1, to: s.to + 1 }),
          ),
        ),
        ...normGroups.map((g) =>
          cellOf(g, 'level_share', levelLabel(dim, { from: level, to: level }), t('notAvailable')),
        ),
      ],
    })),
  }));
  return {
    chart,
    columns: [
      ...c.groups.map((g) => g.label),
      t('normPopulation'),
      ...c.groups.map((g) => t('normStandardised', { group: g.label })),
    ],
    vasRows,
    vasN,
    chartNote: c.groups
      .filter((g) => !g.suppressed && !g.vasGroups)
      .map((g) => d('chartMerged', { group: g.label }))
      .join(' '),
    sizes,
    means: [...means, ...population],
    // Norm means shown without an interval: the norm file lacks SD or n for a stratum they rest on.
    normIntervalNote: [...means.map((m) => m.norm), ...population.map((p) => p.mean)].some(
      (cell) => cell.noCi || (!cell.muted && find.get(cell.key.replace('_mean|', '_ci_low|'))?.value === ''),
    )
      ? t('normIntervalMissing')
      : '',
    differences,
    dimensionColumns: [
      ...c.groups.map((g) => g.label),
      ...c.groups.map((g) => t('normStandardised', { group: g.label })),
    ],
    dims,
    anyMerged: c.groups.some((g) => g.vasSpans.length < 10 || DIMENSIONS.some((x) => g.dimensionSpans[x]!.length < 5)),
    matched: c.matched.map((m) => ({
      ...m,
      noInterval: m.n === null && (m.vasSd !== null || m.indexSd !== null) ? t('matchedNoInterval') : '',
      vas:
        m.vasMean === null
          ? null
          : `${nb(m.vasMean.toFixed(0))}${m.vasSd === null ? '' : ` ± ${nb(m.vasSd.toFixed(0))}`}`,
      index:
        m.indexMean === null
          ? null
          : `${nb(m.indexMean.toFixed(2))}${m.indexSd === null ? '' : ` ± ${nb(m.indexSd.toFixed(2))}`}`,
    })),
    missing: c.missing.map((m) => t(`missing.${m.key}`, m.vars)),
    sources: Object.entries(c.normSet.sources).map(([key, text]) => ({ key, text })),
    normKinds: t('normKinds'),
    normData: t('normData', { title: c.normSet.title, version: c.normSet.version, valueSet: c.valueSet }),
    meanIndexLabel: t('meanIndex', { valueSet: c.valueSet }),
    disclosure: {
      threshold: c.threshold,
      summary: d('summary'),
      merged: d('merged'),
      method: [0, 1, 2, 3, 4, 5].map((i) => d(`method.${i}`)),
    },
  };
}

/** The cell of fine row `i` in a column whose categories may be merged: the first row of a span carries it (rowspan), the others nothing. */
function spanCell(spans: Span[], i: number, cell: (s: Span) => Cell, mergedLabel: (s: Span) => string): Cell[] {
  const s = spans.find((x) => x.from <= i && i <= x.to)!;
  if (s.from !== i) return [];
  const c = cell(s);
  return s.to > s.from ? [{ ...c, rowspan: s.to - s.from + 1, merged: mergedLabel(s) }] : [c];
}

function nText(r: LongRow | undefined, hidden: string): string {
  if (!r || r.suppressed === '1') return hidden;
  return r.n;
}
