// A grouped bar chart as an SVG string (d3-scale does the geometry). Series are told apart by
// fill pattern as well as colour, and the chart always sits beside a data table (WCAG 1.4.1).
import { scaleBand, scaleLinear } from 'd3-scale';

export interface Series {
  name: string;
  /** One value per category; null = not available (drawn as nothing, named in the table). */
  values: (number | null)[];
}

const STYLES = [
  { fill: '#1d4f91', pattern: null },
  { fill: '#4a4a4a', pattern: 'dots' },
  { fill: '#b3541e', pattern: 'diagonal' },
  { fill: '#5b3a8c', pattern: 'cross' },
] as const;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function groupedBarChart(opts: {
  title: string;
  categories: readonly string[];
  series: readonly Series[];
  yLabel: string;
  id: string;
}): string {
  const width = 760;
  // Two legend entries per row below the axis.
  const legendRows = Math.ceil(opts.series.length / 2);
  const height = 320 + legendRows * 24;
  const m = { top: 20, right: 16, bottom: 46 + legendRows * 24, left: 56 };
  const max = Math.max(0.05, ...opts.series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const x = scaleBand<string>()
    .domain(opts.categories)
    .range([m.left, width - m.right])
    .paddingInner(0.2)
    .paddingOuter(0.1);
  const inner = scaleBand<number>()
    .domain(opts.series.map((_, i) => i))
    .range([0, x.bandwidth()])
    .padding(0.08);
  const y = scaleLinear()
    .domain([0, Math.ceil(max * 10) / 10])
    .nice()
    .range([height - m.bottom, m.top]);
  const patterns = opts.series
    .map((_, i) => patternDef(opts.id, i, STYLES[i % STYLES.length]!.fill, STYLES[i % STYLES.length]!.pattern))
    .join('');
  const bars = opts.series
    .flatMap((s, si) =>
      s.values.map((v, ci) => {
        if (v === null) return '';
        const bx = x(opts.categories[ci]!)! + inner(si)!;
        return `<rect x="${bx.toFixed(1)}" y="${y(v).toFixed(1)}" width="${inner.bandwidth().toFixed(1)}" height="${(y(0) - y(v)).toFixed(1)}" fill="url(#${opts.id}-p${si})" stroke="${STYLES[si % STYLES.length]!.fill}"><title>${escape(s.name)}, ${escape(opts.categories[ci]!)}: ${(v * 100).toFixed(1)} %</title></rect>`;
      }),
    )
    .join('');
  const yTicks = y
    .ticks(5)
    .map(
      (t) =>
        `<g><line x1="${m.left}" x2="${width - m.right}" y1="${y(t)}" y2="${y(t)}" stroke="#d0d0d0"/><text x="${m.left - 8}" y="${y(t) + 4}" text-anchor="end">${Math.round(t * 100)} %</text></g>`,
    )
    .join('');
  const xTicks = opts.categories
    .map(
      (c) =>
        `<text x="${(x(c)! + x.bandwidth() / 2).toFixed(1)}" y="${height - m.bottom + 18}" text-anchor="middle">${escape(c)}</text>`,
    )
    .join('');
  const legend = opts.series
    .map(
      (s, i) =>
        `<g transform="translate(${m.left + (i % 2) * 340},${height - legendRows * 24 + Math.floor(i / 2) * 24 - 6})"><rect width="16" height="16" fill="url(#${opts.id}-p${i})" stroke="${STYLES[i % STYLES.length]!.fill}"/><text x="22" y="13">${escape(s.name)}</text></g>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${opts.id}-title" font-family="system-ui, sans-serif" font-size="13" class="bar-chart">` +
    `<title id="${opts.id}-title">${escape(opts.title)}</title><defs>${patterns}</defs>${yTicks}` +
    `<line x1="${m.left}" x2="${width - m.right}" y1="${y(0)}" y2="${y(0)}" stroke="#0b0c0c"/>${bars}${xTicks}` +
    `<text transform="translate(14,${(height - m.bottom + m.top) / 2}) rotate(-90)" text-anchor="middle">${escape(opts.yLabel)}</text>${legend}</svg>`
  );
}

function patternDef(id: string, i: number, fill: string, pattern: 'diagonal' | 'dots' | 'cross' | null): string {
  const body =
    pattern === 'diagonal'
      ? `<rect width="8" height="8" fill="#fff"/><path d="M0,8 L8,0" stroke="${fill}" stroke-width="3"/>`
      : pattern === 'dots'
        ? `<rect width="8" height="8" fill="#fff"/><circle cx="4" cy="4" r="2.2" fill="${fill}"/>`
        : pattern === 'cross'
          ? `<rect width="8" height="8" fill="#fff"/><path d="M0,4 H8 M4,0 V8" stroke="${fill}" stroke-width="2"/>`
          : `<rect width="8" height="8" fill="${fill}"/>`;
  return `<pattern id="${id}-p${i}" width="8" height="8" patternUnits="userSpaceOnUse">${body}</pattern>`;
}
