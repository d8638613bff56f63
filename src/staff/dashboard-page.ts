// Turns the dashboard numbers into what the template shows: labels in bokmål, Norwegian number
// formats, hidden cells marked, the trend chart and its data table.
import { isSmall, SMALL_MONTH, trendChartSvg } from '../reports/chart.ts';
import {
  cellOf,
  BREAKDOWNS,
  type DashboardView,
  type Breakdown,
  type Line,
  type Measure,
  type RateCell,
} from '../reports/dashboard.ts';
import type { StaffContext } from './context.ts';

const integer = new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 0 });
const monthName = new Intl.DateTimeFormat('nb-NO', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** 0.25 → '25,0 %' */
function percent(share: number): string {
  return `${(share * 100).toFixed(1).replace('.', ',')} %`;
}

export interface ShownCell {
  text: string;
  hidden: boolean;
}

function shownCount(value: number, hidden: boolean): ShownCell {
  return hidden ? { text: '', hidden: true } : { text: integer.format(value), hidden: false };
}

function shownRate(r: RateCell): ShownCell {
  if (r.hidden) return { text: '', hidden: true };
  return { text: r.value === null ? '–' : percent(r.value), hidden: false };
}

function categoryLabel(ctx: StaffContext, d: Breakdown, key: string, name: string | null): string {
  switch (d) {
    case 'month': {
      const [y, m] = key.split('-').map(Number) as [number, number];
      return key && y && m ? monthName.format(new Date(Date.UTC(y, m - 1, 1))) : key;
    }
    case 'hospital':
      return name ? `${name} (${key})` : key;
    case 'health_trust':
      return key || ctx.t('staff.dim.unknownTrust');
    case 'region':
      return key || ctx.t('staff.dim.unknownRegion');
    case 'arrest_type':
      return ctx.tOr(`staff.arrestTypes.${key}`, key);
    case 'channel':
      return key ? ctx.tOr(`staff.channels.${key}`, key) : ctx.t('staff.channels.none');
    case 'language':
      return ctx.tOr(`staff.languages.${key}`, key);
  }
}

function measureLabel(ctx: StaffContext, m: Measure): string {
  if (m.startsWith('cancelled:')) {
    const reason = m.slice('cancelled:'.length);
    return ctx.t('staff.measures.cancelledBy', { reason: ctx.tOr(`staff.reasons.${reason}`, reason) });
  }
  return ctx.t(`staff.measures.${m}`);
}

function shownLine(ctx: StaffContext, view: DashboardView, d: Breakdown | null, l: Line) {
  return {
    label: d ? categoryLabel(ctx, d, l.key, l.name) : ctx.t('staff.total'),
    cells: [
      ...view.measures.map((m) => {
        const c = cellOf(l, m);
        return { ...shownCount(c.value, c.hidden), field: m };
      }),
      { ...shownRate(l.rateInvited), field: 'rateInvited' },
      { ...shownRate(l.rateEligible), field: 'rateEligible' },
    ],
  };
}

export function dashboardPageData(ctx: StaffContext, view: DashboardView, by: Breakdown) {
  const columns = [
    ...view.measures.map((m) => measureLabel(ctx, m)),
    ctx.t('staff.measures.rateInvited'),
    ctx.t('staff.measures.rateEligible'),
  ];
  const months = view.tables.month;
  const invitedIn = (l: Line) => (cellOf(l, 'invited').hidden ? null : cellOf(l, 'invited').value);
  const points = months.map((l) => ({
    label: l.key,
    value: l.rateInvited.hidden ? null : l.rateInvited.value,
    invited: invitedIn(l),
  }));
  const first = months[0];
  const last = months[months.length - 1];
  const chart =
    months.length > 0
      ? trendChartSvg(points, {
          id: 'trend',
          title: ctx.t('staff.chart.title'),
          description: ctx.t('staff.chart.description', {
            from: first ? categoryLabel(ctx, 'month', first.key, null) : '',
            to: last ? categoryLabel(ctx, 'month', last.key, null) : '',
          }),
          percent: (s) => `${Math.round(s * 100)} %`,
          missing: ctx.t('staff.hidden'),
          small: ctx.t('dashboard.smallMonth', { n: SMALL_MONTH }),
        })
      : '';
  const trendRows = months.map((l) => ({
    label: categoryLabel(ctx, 'month', l.key, null),
    invited: shownCount(cellOf(l, 'invited').value, cellOf(l, 'invited').hidden),
    answered: shownCount(cellOf(l, 'answered').value, cellOf(l, 'answered').hidden),
    rate: shownRate(l.rateInvited),
    few: isSmall({ label: l.key, value: null, invited: invitedIn(l) }),
  }));
  const t = view.total;
  const key = (m: Measure) => shownCount(cellOf(t, m).value, cellOf(t, m).hidden);
  return {
    suppressed: view.suppressed,
    suppressionNote: ctx.t('disclosure.dashboardNote', { k: view.threshold }),
    totals: {
      eligible: key('eligible'),
      invited: key('invited'),
      answered: key('answered'),
      rate: shownRate(t.rateInvited),
      rateEligible: shownRate(t.rateEligible),
    },
    chart,
    trendRows,
    by,
    byLabel: ctx.t(`staff.dim.${by}`),
    byHeading: capitalise(ctx.t(`staff.dim.${by}`)),
    monthHeading: capitalise(ctx.t('staff.dim.month')),
    dimensions: BREAKDOWNS.map((d) => ({ value: d, text: ctx.t(`staff.dim.${d}`), selected: d === by })),
    columns,
    rows: view.tables[by].map((l) => shownLine(ctx, view, by, l)),
    totalRow: shownLine(ctx, view, null, t),
    empty: view.tables[by].length === 0,
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toLocaleUpperCase('nb') + s.slice(1);
}
