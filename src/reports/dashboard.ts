// The staff dashboard's numbers: facts about invitations (loadFacts, the only query; identical
// facts come grouped with their count, so the database does the counting), counted by
// month of arrest, hospital, health trust, region, arrest type, channel and language
// (aggregate, pure), with small cells hidden for analysts (suppress, pure). Definitions are in
// docs/response-rates.md; keep the two in step.
import type { Db } from '../db/database.ts';
import type { HospitalScope } from '../invitations/fragments.ts';
import { readFactCounts, readFactMarginals, type FactCount, type MarginalDim } from './dashboard-facts.ts';
import { DEFAULT_THRESHOLD, suppressCells, type Relation } from './suppression.ts';
import { dashboardConstraints, reportKnowledge, type ReportKnowledge } from './joint-disclosure.ts';
import { loadResponses } from './comparison/compute.ts';

export const BREAKDOWNS = [
  'month',
  'hospital',
  'health_trust',
  'region',
  'arrest_type',
  'channel',
  'language',
] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

export function isBreakdown(v: unknown): v is Breakdown {
  return typeof v === 'string' && (BREAKDOWNS as readonly string[]).includes(v);
}

/**
 * Cancellations that take a person out of the survey's population when they happen before any
 * message went out: they died, withdrew or opted out. Every other reason (including ones added
 * later) leaves the person eligible, so a new reason can only lower answered / eligible.
 */
const NOT_ELIGIBLE_REASONS = ['died', 'withdrawn', 'opted_out'] as const;

/** What one invitation contributes. Category keys are '' when unknown (no hospital row, no message). */
export interface Fact {
  month: string;
  hospital: string;
  hospitalName: string | null;
  healthTrust: string;
  region: string;
  arrestType: string;
  channel: string;
  language: string;
  state: string;
  cancelReason: string | null;
  /** At least one message (any step, any channel) is in state 'sent'. */
  sent: boolean;
  /** A reminder (a step named reminder…: 'reminder1', 'reminder2') is in state 'sent'. */
  remindedSent: boolean;
  /** Mode of the counted response, if any. */
  answerMode: string | null;
  /** How many invitations share exactly this fact (1 when absent). */
  count?: number;
  /** Counted only in this table (a margin, see loadDashboardFacts); absent: in every table and the total. */
  dim?: MarginalDim;
}

/** Settled counts (src/reports/dashboard-facts.ts), exact to the last committed transition. */
export async function loadFacts(db: Db, scope: HospitalScope = 'all'): Promise<Fact[]> {
  if (scope !== 'all' && scope.length === 0) return [];
  return (await readFactCounts(db, scope === 'all' ? undefined : scope)).map(toFact);
}

/**
 * The same counts summed per table (each fact tagged with its `dim`): what the page needs, in a
 * few thousand rows. aggregate() gives the same result for both (dashboard-facts.test.ts).
 */
export async function loadDashboardFacts(db: Db, scope: HospitalScope = 'all'): Promise<Fact[]> {
  if (scope !== 'all' && scope.length === 0) return [];
  return (await readFactMarginals(db, scope === 'all' ? undefined : scope)).map((r) => ({ ...toFact(r), dim: r.dim }));
}

function toFact(r: FactCount): Fact {
  return {
    month: r.month,
    hospital: r.hospital,
    hospitalName: r.hospital_name,
    healthTrust: r.health_trust ?? '',
    region: r.region ?? '',
    arrestType: r.arrest_type,
    channel: r.channel ?? '',
    language: r.language,
    state: r.state,
    cancelReason: r.cancel_reason,
    sent: r.sent === true,
    remindedSent: r.reminded === true,
    answerMode: r.mode ?? null,
    count: r.n,
  };
}

/** Counts for one group of invitations. */
export interface Counts {
  eligible: number;
  invited: number;
  reminded: number;
  answeredWeb: number;
  answeredPaper: number;
  answered: number;
  expired: number;
  cancelled: number;
  /** Cancelled invitations by cancel_reason ('unspecified' when it has none). */
  cancelledBy: Record<string, number>;
}

export const BASE_MEASURES = [
  'eligible',
  'invited',
  'reminded',
  'answeredWeb',
  'answeredPaper',
  'answered',
  'expired',
  'cancelled',
] as const;
export type BaseMeasure = (typeof BASE_MEASURES)[number];
/** A base measure, or `cancelled:<reason>`. */
export type Measure = BaseMeasure | `cancelled:${string}`;

export function classify(f: Fact) {
  const answered = f.answerMode !== null;
  const invited = f.sent || answered;
  const excluded =
    f.state === 'cancelled' && !invited && (NOT_ELIGIBLE_REASONS as readonly string[]).includes(f.cancelReason ?? '');
  return {
    eligible: !excluded,
    invited,
    reminded: f.remindedSent,
    answeredWeb: f.answerMode === 'web',
    answeredPaper: answered && f.answerMode !== 'web',
    answered,
    expired: f.state === 'expired',
    cancelled: f.state === 'cancelled',
    reason: f.state === 'cancelled' ? (f.cancelReason ?? 'unspecified') : undefined,
  };
}

function emptyCounts(): Counts {
  return {
    eligible: 0,
    invited: 0,
    reminded: 0,
    answeredWeb: 0,
    answeredPaper: 0,
    answered: 0,
    expired: 0,
    cancelled: 0,
    cancelledBy: {},
  };
}

function add(c: Counts, f: Fact): void {
  const k = classify(f);
  const n = f.count ?? 1;
  for (const m of BASE_MEASURES) if (k[m]) c[m] += n;
  if (k.reason !== undefined) c.cancelledBy[k.reason] = (c.cancelledBy[k.reason] ?? 0) + n;
}

function measureValue(c: Counts, m: Measure): number {
  if (m.startsWith('cancelled:')) return c.cancelledBy[m.slice('cancelled:'.length)] ?? 0;
  return c[m as BaseMeasure];
}

function keyOf(f: Fact, d: Breakdown): string {
  switch (d) {
    case 'month':
      return f.month;
    case 'hospital':
      return f.hospital;
    case 'health_trust':
      return f.healthTrust;
    case 'region':
      return f.region;
    case 'arrest_type':
      return f.arrestType;
    case 'channel':
      return f.channel;
    case 'language':
      return f.language;
  }
}

export interface Group {
  key: string;
  /** For hospitals: the name from the hospital table, when there is one. */
  name: string | null;
  counts: Counts;
}

export interface Aggregate {
  total: Counts;
  tables: Record<Breakdown, Group[]>;
  /** Every cancel reason seen, sorted. */
  reasons: string[];
  /** hospital code → health trust, and health trust → region, as found in the facts. */
  trustOf: Map<string, string>;
  regionOf: Map<string, string>;
}

export function aggregate(facts: readonly Fact[]): Aggregate {
  const total = emptyCounts();
  const maps = Object.fromEntries(BREAKDOWNS.map((d) => [d, new Map<string, Group>()])) as Record<
    Breakdown,
    Map<string, Group>
  >;
  const trustOf = new Map<string, string>();
  const regionsOfTrust = new Map<string, Set<string>>();
  const countsIn = (f: Fact, dim: MarginalDim) => f.dim === undefined || f.dim === dim;
  for (const f of facts) {
    if (countsIn(f, 'total')) add(total, f);
    for (const d of BREAKDOWNS) {
      if (!countsIn(f, d)) continue;
      const key = keyOf(f, d);
      let g = maps[d].get(key);
      if (!g) maps[d].set(key, (g = { key, name: d === 'hospital' ? f.hospitalName : null, counts: emptyCounts() }));
      add(g.counts, f);
    }
    if (countsIn(f, 'hospital')) trustOf.set(f.hospital, f.healthTrust);
    if (countsIn(f, 'health_trust')) {
      const set = regionsOfTrust.get(f.healthTrust) ?? new Set<string>();
      set.add(f.region);
      regionsOfTrust.set(f.healthTrust, set);
    }
  }
  const regionOf = new Map<string, string>();
  // A trust listed under two regions would make "region = sum of its trusts" false; leave it out.
  for (const [trust, regions] of regionsOfTrust) if (regions.size === 1) regionOf.set(trust, [...regions][0]!);
  const sortKey = (d: Breakdown) => (a: Group, b: Group) => {
    if (a.key === '' || b.key === '') return a.key === '' ? 1 : -1; // unknown last
    if (d === 'hospital') return (a.name ?? a.key).localeCompare(b.name ?? b.key, 'nb');
    return a.key.localeCompare(b.key, 'nb');
  };
  const tables = Object.fromEntries(BREAKDOWNS.map((d) => [d, [...maps[d].values()].sort(sortKey(d))])) as Record<
    Breakdown,
    Group[]
  >;
  const reasons = [...new Set(Object.keys(total.cancelledBy))].sort();
  return { total, tables, reasons, trustOf, regionOf };
}

function measuresOf(a: Pick<Aggregate, 'reasons'>): Measure[] {
  return [...BASE_MEASURES, ...a.reasons.map((r) => `cancelled:${r}` as const)];
}

/** A published number; `hidden` cells show no value. */
export interface Cell {
  value: number;
  hidden: boolean;
}

/** A share in [0, 1], null when the denominator is zero. */
export interface RateCell {
  value: number | null;
  hidden: boolean;
}

export interface Line {
  key: string;
  name: string | null;
  cells: Record<Measure, Cell>;
  /** answered / invited */
  rateInvited: RateCell;
  /** answered / eligible */
  rateEligible: RateCell;
}

export interface DashboardView {
  measures: Measure[];
  reasons: string[];
  total: Line;
  tables: Record<Breakdown, Line[]>;
  suppressed: boolean;
  /** k, when suppressed. */
  threshold: number;
}

/**
 * Turns the aggregate into published lines. With `suppress`, counts of 1 to k − 1 are hidden and then
 * as many more as it takes so that no hidden count follows from the totals: each dimension's
 * lines add up to the total, hospitals add up to their health trust and trusts to their region,
 * web + paper = answered, and the reasons add up to cancelled. A rate is hidden when its
 * numerator or denominator is.
 */
export function publish(
  a: Aggregate,
  opts: { suppress: boolean; threshold?: number | undefined; report?: ReportKnowledge | undefined },
): DashboardView {
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  const measures = measuresOf(a);
  const lines: { group: Group; dim: Breakdown | null }[] = [
    { group: { key: '', name: null, counts: a.total }, dim: null },
  ];
  const start = new Map<Breakdown, number>();
  for (const d of BREAKDOWNS) {
    start.set(d, lines.length);
    for (const g of a.tables[d]) lines.push({ group: g, dim: d });
  }
  const M = measures.length;
  const cell = (line: number, m: number) => line * M + m;
  const values = lines.flatMap((l) => measures.map((m) => measureValue(l.group.counts, m)));
  let hidden = values.map(() => false);
  if (opts.suppress) {
    const relations: Relation[] = [];
    const lineOf = (d: Breakdown, key: string) => {
      const i = a.tables[d].findIndex((g) => g.key === key);
      return i < 0 ? undefined : start.get(d)! + i;
    };
    for (let m = 0; m < M; m++) {
      for (const d of BREAKDOWNS) {
        const s = start.get(d)!;
        relations.push({ total: cell(0, m), parts: a.tables[d].map((_, i) => cell(s + i, m)) });
      }
      // hospital → health trust → region
      const trustParts = new Map<number, number[]>();
      for (const g of a.tables.hospital) {
        const t = lineOf('health_trust', a.trustOf.get(g.key) ?? '');
        if (t !== undefined) trustParts.set(t, [...(trustParts.get(t) ?? []), cell(lineOf('hospital', g.key)!, m)]);
      }
      for (const [t, parts] of trustParts) relations.push({ total: cell(t, m), parts });
      const regionParts = new Map<number, number[]>();
      let complete = true;
      for (const g of a.tables.health_trust) {
        const region = a.regionOf.get(g.key);
        const r = region === undefined ? undefined : lineOf('region', region);
        if (r === undefined) complete = false;
        else regionParts.set(r, [...(regionParts.get(r) ?? []), cell(lineOf('health_trust', g.key)!, m)]);
      }
      if (complete) for (const [r, parts] of regionParts) relations.push({ total: cell(r, m), parts });
    }
    const idx = (name: Measure) => measures.indexOf(name);
    for (let l = 0; l < lines.length; l++) {
      relations.push({
        total: cell(l, idx('answered')),
        parts: [cell(l, idx('answeredWeb')), cell(l, idx('answeredPaper'))],
      });
      if (a.reasons.length > 0)
        relations.push({
          total: cell(l, idx('cancelled')),
          parts: a.reasons.map((r) => cell(l, idx(`cancelled:${r}`))),
        });
    }
    // Planned with the comparison report (joint-disclosure.ts): its published groups are known here.
    const joint =
      opts.report &&
      dashboardConstraints(opts.report, {
        lines: lines.map((l) => ({ dim: l.dim, key: l.group.key })),
        measures,
        values,
        trustOf: a.trustOf,
        regionOf: a.regionOf,
      });
    hidden = suppressCells(
      [...values, ...(joint?.values ?? [])],
      [...relations, ...(joint?.relations ?? [])],
      threshold,
      joint,
    ).suppressed.slice(0, values.length);
  }
  const toLine = (l: number): Line => {
    const { group } = lines[l]!;
    const cells = Object.fromEntries(
      measures.map((m, j) => [m, { value: values[cell(l, j)]!, hidden: hidden[cell(l, j)]! }]),
    ) as Record<Measure, Cell>;
    const rate = (num: Cell, den: Cell): RateCell => ({
      value: den.value > 0 ? num.value / den.value : null,
      hidden: num.hidden || den.hidden,
    });
    return {
      key: group.key,
      name: group.name,
      cells,
      rateInvited: rate(cells.answered, cells.invited),
      rateEligible: rate(cells.answered, cells.eligible),
    };
  };
  const tables = Object.fromEntries(
    BREAKDOWNS.map((d) => [d, a.tables[d].map((_, i) => toLine(start.get(d)! + i))]),
  ) as Record<Breakdown, Line[]>;
  return { measures, reasons: a.reasons, total: toLine(0), tables, suppressed: opts.suppress, threshold };
}

export function cellOf(l: Line, m: Measure): Cell {
  return l.cells[m] ?? { value: 0, hidden: false };
}

/** CSV of one dimension (or all with `dimension` undefined): hidden cells are empty, rates are shares with four decimals. */
export function dashboardCsvRows(view: DashboardView, dims: readonly Breakdown[]): string[][] {
  const header = [
    'dimension',
    'key',
    'name',
    ...view.measures.map(csvName),
    'rate_answered_invited',
    'rate_answered_eligible',
  ];
  const out = [header];
  const row = (dim: string, l: Line) => [
    dim,
    l.key,
    l.name ?? '',
    ...view.measures.map((m) => {
      const c = cellOf(l, m);
      return c.hidden ? '' : String(c.value);
    }),
    ...[l.rateInvited, l.rateEligible].map((r) => (r.hidden || r.value === null ? '' : r.value.toFixed(4))),
  ];
  for (const d of dims) for (const l of view.tables[d]) out.push(row(d, l));
  out.push(row('total', view.total));
  return out;
}

function csvName(m: Measure): string {
  const names: Record<BaseMeasure, string> = {
    eligible: 'eligible',
    invited: 'invited',
    reminded: 'reminded',
    answeredWeb: 'answered_web',
    answeredPaper: 'answered_paper',
    answered: 'answered',
    expired: 'expired',
    cancelled: 'cancelled',
  };
  return m.startsWith('cancelled:') ? `cancelled_${m.slice('cancelled:'.length)}` : names[m as BaseMeasure];
}

/** `threshold` is k (SMALL_CELL_THRESHOLD) when suppressing; then the plan includes the comparison report's. */
export async function dashboard(
  db: Db,
  opts: { scope?: HospitalScope; suppress: boolean; threshold?: number | undefined },
): Promise<DashboardView> {
  const report = opts.suppress
    ? reportKnowledge(await loadResponses(db, {}), opts.threshold ?? DEFAULT_THRESHOLD)
    : undefined;
  return publish(aggregate(await loadDashboardFacts(db, opts.scope)), { ...opts, report });
}
