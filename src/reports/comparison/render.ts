// Turns a Comparison into the report's view: the EQ VAS chart (SVG) with its data table, means
// with confidence intervals, level distributions, what is missing and the sources.
import type { Views } from '../../web/views.ts';
import { DIMENSIONS, type Instruments } from '../../survey/instrument.ts';
import { formatIndex } from '../eq5d/engine.ts';
import { VAS_GROUPS, type Summary } from '../stats.ts';
import { groupedBarChart } from './bar-chart.ts';
import type { Comparison } from './compute.ts';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : `${(v * 100).toFixed(1).replace('.', ',')}`);
const num = (v: number, digits: number) => v.toFixed(digits).replace('.', ',').replace('-', '−');
const idx = (v: number) => formatIndex(v).replace('.', ',').replace('-', '−');

export function comparisonView(c: Comparison, views: Views, instruments: Instruments) {
  const t = (key: string, vars?: Record<string, unknown>) => views.t('nb', `report.${key}`, vars);
  const normVas = c.population.vasGroups;
  const series = [...c.groups.map((g) => ({ name: g.suppressed ? `${g.label} (${t('suppressed')})` : `${g.label} (n = ${g.n})`, values: g.vasGroups ?? VAS_GROUPS.map(() => null) })), { name: t('normPopulation'), values: normVas ?? VAS_GROUPS.map(() => null) }];
  const chart = groupedBarChart({ id: 'vas-chart', title: t('vasChartTitle'), categories: VAS_GROUPS, series, yLabel: t('vasChartY') });
  const columns = [...c.groups.map((g) => g.label), t('normPopulation'), ...c.groups.map((g) => t('normStandardised', { group: g.label }))];
  const vasRows = VAS_GROUPS.map((label, i) => ({
    label,
    cells: [...c.groups.map((g) => cell(g.suppressed, g.vasGroups?.[i])), cell(false, normVas?.[i], t('notAvailable')), ...c.groups.map((g) => cell(false, g.norm.vasGroups?.[i], t('notAvailable')))],
  }));
  const means = c.groups.map((g) => ({
    label: g.label,
    n: g.n,
    suppressed: g.suppressed,
    vas: summaryText(g.vas, (v) => num(v, 1)),
    index: summaryText(g.index, idx),
    normVas: g.norm.vasMean === null ? t('notAvailable') : num(g.norm.vasMean, 1),
    normIndex: g.norm.indexMean === null ? t('notAvailable') : idx(g.norm.indexMean),
  }));
  const dims = DIMENSIONS.map((d, di) => ({
    heading: instruments.nb.dimensions[di]!.heading,
    rows: [1, 2, 3, 4, 5].map((level) => ({
      label: t('level', { n: level }),
      cells: [...c.groups.map((g) => cell(g.suppressed, g.dimensions[d]?.[level - 1])), ...c.groups.map((g) => cell(false, g.norm.dimensions[d]?.[level - 1], t('notAvailable')))],
    })),
  }));
  return {
    chart,
    columns,
    vasRows,
    means,
    dimensionColumns: [...c.groups.map((g) => g.label), ...c.groups.map((g) => t('normStandardised', { group: g.label }))],
    dims,
    matched: c.matched.map((m) => ({
      ...m,
      vas: m.vasMean === null ? null : `${num(m.vasMean, 0)}${m.vasSd === null ? '' : ` ± ${num(m.vasSd, 0)}`}`,
      index: m.indexMean === null ? null : `${num(m.indexMean, 2)}${m.indexSd === null ? '' : ` ± ${num(m.indexSd, 2)}`}`,
    })),
    missing: c.missing.map((m) => t(`missing.${m.key}`, m.vars)),
    sources: Object.entries(c.normSet.sources).map(([key, text]) => ({ key, text })),
    normData: t('normData', { title: c.normSet.title, version: c.normSet.version, valueSet: c.valueSet }),
    meanIndexLabel: t('meanIndex', { valueSet: c.valueSet }),
  };
}

function cell(suppressed: boolean, value: number | null | undefined, missing = '–') {
  if (suppressed) return { text: 'færre enn 5', muted: true };
  const p = pct(value);
  return p === null ? { text: missing, muted: true } : { text: p, muted: false };
}

function summaryText(s: Summary | null, fmt: (v: number) => string): string {
  if (!s) return '–';
  if (!s.ci95) return `${fmt(s.mean)} (n = ${s.n})`;
  return `${fmt(s.mean)} (${fmt(s.ci95[0])} til ${fmt(s.ci95[1])})`;
}
