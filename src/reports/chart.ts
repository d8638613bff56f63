// Server-rendered SVG line chart for the dashboard's monthly trend (d3-scale, d3-shape; no
// browser script). Presentation attributes only — no style attributes — so the page's CSP
// (style-src 'self') holds. The chart is an image with a title and description; the numbers
// are in the data table next to it.
import { scaleLinear, scalePoint } from 'd3-scale';
import { line } from 'd3-shape';

export interface TrendPoint {
  /** x label, e.g. '2026-03' */
  label: string;
  /** share in [0, 1]; null for a gap (no one invited, or hidden) */
  value: number | null;
}

export interface TrendChartText {
  id: string;
  title: string;
  description: string;
  /** Formats a share for the axis and point titles, e.g. 0.5 → '50 %'. */
  percent: (share: number) => string;
  /** Shown for a point without a value. */
  missing: string;
}

const W = 640;
const H = 320;
const M = { top: 16, right: 16, bottom: 56, left: 56 };

export function trendChartSvg(points: readonly TrendPoint[], text: TrendChartText): string {
  const x = scalePoint<string>()
    .domain(points.map((p) => p.label))
    .range([M.left, W - M.right])
    .padding(0.5);
  const y = scaleLinear().domain([0, 1]).range([H - M.bottom, M.top]);
  const path = line<TrendPoint>()
    .defined((p) => p.value !== null)
    .x((p) => x(p.label) ?? 0)
    .y((p) => y(p.value ?? 0))(points as TrendPoint[]);
  const every = Math.max(1, Math.ceil(points.length / 12));
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((t) => {
      const py = y(t).toFixed(1);
      return `<line x1="${M.left}" x2="${W - M.right}" y1="${py}" y2="${py}" stroke="#b1b4b6" stroke-width="1"/>` +
        `<text x="${M.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle" font-size="13" fill="#0b0c0c">${esc(text.percent(t))}</text>`;
    })
    .join('');
  const xTicks = points
    .map((p, i) => {
      if (i % every !== 0 && i !== points.length - 1) return '';
      const px = (x(p.label) ?? 0).toFixed(1);
      return `<text x="${px}" y="${H - M.bottom + 18}" text-anchor="end" transform="rotate(-40 ${px} ${H - M.bottom + 18})" font-size="13" fill="#0b0c0c">${esc(p.label)}</text>`;
    })
    .join('');
  const dots = points
    .map((p) => {
      const px = (x(p.label) ?? 0).toFixed(1);
      if (p.value === null) return '';
      return `<circle cx="${px}" cy="${y(p.value).toFixed(1)}" r="4" fill="#1d4f91"><title>${esc(`${p.label}: ${text.percent(p.value)}`)}</title></circle>`;
    })
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="${text.id}-title ${text.id}-desc" focusable="false" class="chart">`,
    `<title id="${text.id}-title">${esc(text.title)}</title>`,
    `<desc id="${text.id}-desc">${esc(text.description)}</desc>`,
    `<g aria-hidden="true">`,
    yTicks,
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#0b0c0c" stroke-width="1"/>`,
    xTicks,
    path ? `<path d="${path}" fill="none" stroke="#1d4f91" stroke-width="3" stroke-linejoin="round"/>` : '',
    dots,
    `</g>`,
    `</svg>`,
  ].join('');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
