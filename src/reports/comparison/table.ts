// The comparison as one long table (tables as data): one row per published figure, with the
// people behind it. The HTML page is drawn from the same rows, so the two agree cell for cell.
import { DIMENSIONS } from '../../instruments/eq5d-texts.ts';
import { formatIndex } from '../eq5d/engine.ts';
import type { Difference, Summary } from '../stats.ts';
import type { CategoryShare, Comparison, GroupResult } from './compute.ts';
import type { Span } from './disclosure.ts';

const LONG_COLUMNS = ['group', 'measure', 'category', 'value', 'n', 'suppressed'] as const;

export interface LongRow {
  group: string;
  measure: string;
  category: string;
  /** Plain decimal with a point; shares in percent; '' when suppressed or not available. */
  value: string;
  /** People whose answers enter the value; '' when suppressed or unknown. */
  n: string;
  suppressed: '0' | '1';
}

/** Rounding shared by the page and the CSV: shares and VAS to one decimal, the index to three. */
const formatShare = (share: number) => (share * 100).toFixed(1);
const formatVas = (v: number) => v.toFixed(1);

export function vasLabel(s: Span): string {
  const low = s.from * 10;
  const high = s.to === 9 ? 100 : s.to * 10 + 9;
  return `${low}-${high}`;
}

export function levelLabel(dimension: string, s: Span): string {
  return s.from === s.to ? `${dimension}:${s.from + 1}` : `${dimension}:${s.from + 1}-${s.to + 1}`;
}

const FINE_VAS: Span[] = Array.from({ length: 10 }, (_, i) => ({ from: i, to: i }));
const FINE_LEVELS: Span[] = Array.from({ length: 5 }, (_, i) => ({ from: i, to: i }));

export function longTable(c: Comparison): LongRow[] {
  const rows: LongRow[] = [];
  for (const g of c.groups) rows.push(...groupRows(g));
  rows.push(...normRows('norm', { ...c.population, dimensions: null }, false));
  for (const g of c.groups) {
    rows.push(...normRows(`norm_std_${g.label}`, { ...g.norm, vasGroupsCi95: null }, g.normSuppressed));
  }
  return rows;
}

function row(
  group: string,
  measure: string,
  category: string,
  value: string | null,
  n: number | null,
  suppressed: boolean,
): LongRow {
  if (suppressed) return { group, measure, category, value: '', n: '', suppressed: '1' };
  return { group, measure, category, value: value ?? '', n: n === null ? '' : String(n), suppressed: '0' };
}

function groupRows(g: GroupResult): LongRow[] {
  const hide = g.suppressed;
  const out = [
    row(g.label, 'group_size', '', String(g.n), g.n, hide),
    row(g.label, 'proxy_answers', '', String(g.proxyAnswers), g.n, g.proxyAnswers === null),
  ];
  for (const s of g.vasSpans)
    out.push(
      ...shareRows(
        g.label,
        'vas_group_share',
        vasLabel(s),
        g.vasCategories?.find((x) => x.from === s.from),
        g.vasN,
        hide,
      ),
    );
  out.push(...summaryRows(g.label, 'vas', g.vas, formatVas, g.vasN, hide));
  out.push(...summaryRows(g.label, 'index', g.index, formatIndex, g.index?.n ?? (hide ? null : 0), hide));
  // The difference from the standardised norm rests on the group's answers and the norm's strata: hidden with either.
  out.push(...differenceRows(g.label, 'vas', g.difference.vas, formatVas, g.vasN, hide || g.normSuppressed));
  out.push(
    ...differenceRows(g.label, 'index', g.difference.index, formatIndex, g.index?.n ?? null, hide || g.normSuppressed),
  );
  for (const d of DIMENSIONS) {
    for (const s of g.dimensionSpans[d]!)
      out.push(
        ...shareRows(
          g.label,
          'level_share',
          levelLabel(d, s),
          g.dimensionCategories[d]?.find((x) => x.from === s.from),
          g.dimensionN[d] ?? null,
          hide,
        ),
      );
  }
  return out;
}

/** A share and its Wilson interval (`…_ci_low`, `…_ci_high`), all on the same n. */
function shareRows(
  group: string,
  measure: string,
  category: string,
  c: CategoryShare | undefined,
  n: number | null,
  hide: boolean,
): LongRow[] {
  const at = (v: number | undefined) => (v === undefined ? null : formatShare(v));
  return [
    row(group, measure, category, at(c?.share), n, hide),
    row(group, `${measure}_ci_low`, category, at(c?.ci95?.[0]), n, hide),
    row(group, `${measure}_ci_high`, category, at(c?.ci95?.[1]), n, hide),
  ];
}

function differenceRows(
  group: string,
  prefix: string,
  d: Difference | null,
  fmt: (v: number) => string,
  n: number | null,
  hide: boolean,
): LongRow[] {
  return [
    row(group, `${prefix}_diff`, '', d ? fmt(d.value) : null, d ? n : null, hide),
    row(group, `${prefix}_diff_ci_low`, '', d ? fmt(d.ci95[0]) : null, d ? n : null, hide),
    row(group, `${prefix}_diff_ci_high`, '', d ? fmt(d.ci95[1]) : null, d ? n : null, hide),
  ];
}

function summaryRows(
  group: string,
  prefix: string,
  s: Summary | null,
  fmt: (v: number) => string,
  n: number | null,
  hide: boolean,
): LongRow[] {
  const at = (v: number | null | undefined) => (v === null || v === undefined ? null : fmt(v));
  return [
    row(group, `${prefix}_mean`, '', at(s?.mean), n, hide),
    row(group, `${prefix}_sd`, '', at(s?.sd), n, hide),
    row(group, `${prefix}_ci_low`, '', at(s?.ci95?.[0]), n, hide),
    row(group, `${prefix}_ci_high`, '', at(s?.ci95?.[1]), n, hide),
  ];
}

interface NormFigures {
  vasGroups: number[] | null;
  vasGroupsCi95: ([number, number] | null)[] | null;
  vasMean: number | null;
  vasCi95: [number, number] | null;
  indexMean: number | null;
  indexCi95: [number, number] | null;
  dimensions: Record<string, number[] | null> | null;
  respondents: number | null;
}

/**
 * The norm's rows. Its means carry their 95 % interval (`vas_ci_low`, `vas_ci_high`, `index_ci_…`,
 * as the survivors' do), empty when the norm lacks SD or n; the crude norm's VAS group shares carry
 * their Wilson interval (`vas_group_share_ci_low`, `…_ci_high`) when its n is known.
 */
function normRows(group: string, f: NormFigures, suppressed: boolean): LongRow[] {
  const n = f.respondents;
  const out: LongRow[] = [];
  FINE_VAS.forEach((s, i) => {
    const share = (v: number | undefined) => (v === undefined ? null : formatShare(v));
    out.push(row(group, 'vas_group_share', vasLabel(s), share(f.vasGroups?.[i]), n, suppressed));
    if (group === 'norm') {
      const ci = f.vasGroups ? f.vasGroupsCi95?.[i] : undefined;
      out.push(row(group, 'vas_group_share_ci_low', vasLabel(s), share(ci?.[0]), n, suppressed));
      out.push(row(group, 'vas_group_share_ci_high', vasLabel(s), share(ci?.[1]), n, suppressed));
    }
  });
  const mean = (prefix: string, v: number | null, ci: [number, number] | null, fmt: (x: number) => string) => {
    const at = (x: number | undefined | null) => (x === null || x === undefined ? null : fmt(x));
    out.push(row(group, `${prefix}_mean`, '', at(v), n, suppressed));
    out.push(row(group, `${prefix}_ci_low`, '', v === null ? null : at(ci?.[0]), n, suppressed));
    out.push(row(group, `${prefix}_ci_high`, '', v === null ? null : at(ci?.[1]), n, suppressed));
  };
  mean('vas', f.vasMean, f.vasCi95, formatVas);
  mean('index', f.indexMean, f.indexCi95, formatIndex);
  if (f.dimensions) {
    for (const d of DIMENSIONS) {
      for (const s of FINE_LEVELS)
        out.push(
          row(
            group,
            'level_share',
            levelLabel(d, s),
            f.dimensions[d] ? formatShare(f.dimensions[d][s.from]!) : null,
            n,
            suppressed,
          ),
        );
    }
  }
  return out;
}

/** The rows of one of the page's tables (its download), or all of them. */
export const TABLES = ['sizes', 'vas', 'means', 'dimensions'] as const;
export type TableName = (typeof TABLES)[number];

export function rowsOfTable(rows: readonly LongRow[], table: TableName | undefined): LongRow[] {
  if (!table) return [...rows];
  const measureIn: Record<TableName, (m: string) => boolean> = {
    sizes: (m) => m === 'group_size' || m === 'proxy_answers',
    vas: (m) => m === 'vas_group_share',
    means: (m) => /^(vas|index)_(mean|sd|ci_low|ci_high|diff|diff_ci_low|diff_ci_high)$/.test(m),
    dimensions: (m) => m === 'level_share',
  };
  return rows.filter((r) => measureIn[table](r.measure));
}

/** RFC 4180 CSV with the header group,measure,category,value,n,suppressed (no cell starts with = + @; '-' only as a number's sign). */
export function longCsv(rows: readonly LongRow[]): string {
  const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [LONG_COLUMNS.join(','), ...rows.map((r) => LONG_COLUMNS.map((c) => quote(r[c])).join(','))].join('\n') + '\n';
}
