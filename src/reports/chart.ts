// Server-rendered SVG line chart for the dashboard's monthly trend (d3-scale, d3-shape; no
// browser script). Presentation attributes only — no style attributes — so the page's CSP
// (style-src 'self') holds. The chart is an image with a title and description; the numbers
// are in the data table next to it.
//
// The x axis is time: every calendar month from the first to the last gets its place, so a month
// without data is a gap in the line (2026-05 is never drawn next to 2026-09). A month with fewer
// than SMALL_MONTH invited is drawn as a hollow marker, since its share moves a lot by chance.
import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';

export const SMALL_MONTH = 20;

export interface TrendPoint {
  /** the month, 'YYYY-MM' */
  label: string;
  /** share in [0, 1]; null for a gap (no one invited, or hidden) */
  value: number | null;
  /** how many were invited that month; null when hidden */
  invited?: number | null;
}

export interface TrendChartText {
  id: string;
  title: string;
  description: string;
  /** Formats a share for the axis and point titles, e.g. 0.5 → '50 %'. */
  percent: (share: number) => string;
  /** Shown for a point without a value. */
  missing: string;
  /** Added to a small month's point title, e.g. 'færre enn 20 invitert'. */
  small?: string;
}

const W = 640;
const H = 320;
const M = { top: 16, right: 16, bottom: 56, left: 56 };

/** Months since year 0, so consecutive months differ by one. */
export function monthIndex(label: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  if (!m) throw new Error(`not a month: ${label}`);
  return Number(m[1]) * 12 + Number(m[2]) - 1;
}

function monthLabel(index: number): string {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every month from the first to the last point, with null where a month has no point. */
export function onTimeAxis(points: readonly TrendPoint[]): TrendPoint[] {
  if (points.length === 0) return [];
  const byMonth = new Map(points.map((p) => [monthIndex(p.label), p]));
  const indexes = [...byMonth.keys()];
  const [from, to] = [Math.min(...indexes), Math.max(...indexes)];
  return Array.from(
    { length: to - from + 1 },
    (_, k) => byMonth.get(from + k) ?? { label: monthLabel(from + k), value: null, invited: 0 },
  );
}

export const isSmall = (p: TrendPoint) => p.invited !== undefined && p.invited !== null && p.invited < SMALL_MONTH;

export function trendChartSvg(points: readonly TrendPoint[], text: TrendChartText): string {
  const months = onTimeAxis(points);
  const first = months.length ? monthIndex(months[0]!.label) : 0;
  const span = Math.max(1, months.length - 1);
  const pad = (W - M.left - M.right) / (span + 1) / 2;
  const x = scaleLinear()
    .domain([first, first + span])
    .range([M.left + pad, W - M.right - pad]);
  const xOf = (p: TrendPoint) => x(monthIndex(p.label));
  const y = scaleLinear()
    .domain([0, 1])
    .range([H - M.bottom, M.top]);
  const path = line<TrendPoint>()
    .defined((p) => p.value !== null)
    .x(xOf)
    .y((p) => y(p.value ?? 0))(months);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="${text.id}-title ${text.id}-desc" focusable="false" class="chart">`,
    `<title id="${text.id}-title">${esc(text.title)}</title>`,
    `<desc id="${text.id}-desc">${esc(text.description)}</desc>`,
    `<g aria-hidden="true">`,
    yAxis(y, text),
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#0b0c0c" stroke-width="1"/>`,
    xAxis(months, xOf),
    path ? `<path d="${path}" fill="none" stroke="#1d4f91" stroke-width="3" stroke-linejoin="round"/>` : '',
    months.map((p) => marker(p, xOf(p), y, text)).join(''),
    `</g>`,
    `</svg>`,
  ].join('');
}

function yAxis(y: (v: number) => number, text: TrendChartText): string {
  return [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const py = y(t).toFixed(1);
      return (
        `<line x1="${M.left}" x2="${W - M.right}" y1="${py}" y2="${py}" stroke="#b1b4b6" stroke-width="1"/>` +
        `<text x="${M.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle" font-size="13" fill="#0b0c0c">${esc(text.percent(t))}</text>`
      );
    })
    .join('');
}

/** A tick on every month, a label on at most about twelve (always the first and the last). */
function xAxis(months: readonly TrendPoint[], xOf: (p: TrendPoint) => number): string {
  const every = Math.max(1, Math.ceil(months.length / 12));
  const base = H - M.bottom;
  return months
    .map((p, i) => {
      const px = xOf(p).toFixed(1);
      const tick = `<line x1="${px}" x2="${px}" y1="${base}" y2="${base + 5}" stroke="#0b0c0c" stroke-width="1"/>`;
      const labelled = (i % every === 0 && months.length - 1 - i >= every / 2) || i === months.length - 1;
      if (!labelled) return tick;
      return (
        tick +
        `<text x="${px}" y="${base + 18}" text-anchor="end" transform="rotate(-40 ${px} ${base + 18})" font-size="13" fill="#0b0c0c">${esc(p.label)}</text>`
      );
    })
    .join('');
}

/** A filled dot; a hollow, larger ring for a month with few invited; nothing for a gap. */
function marker(p: TrendPoint, px: number, y: (v: number) => number, text: TrendChartText): string {
  if (p.value === null) return '';
  const small = isSmall(p);
  const title = `${p.label}: ${text.percent(p.value)}${small && text.small ? ` (${text.small})` : ''}`;
  const cx = px.toFixed(1);
  const cy = y(p.value).toFixed(1);
  return small
    ? `<circle cx="${cx}" cy="${cy}" r="5" fill="#ffffff" stroke="#1d4f91" stroke-width="2.5" data-small="true"><title>${esc(title)}</title></circle>`
    : `<circle cx="${cx}" cy="${cy}" r="4" fill="#1d4f91"><title>${esc(title)}</title></circle>`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
