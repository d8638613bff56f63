// The dashboard's trend chart (src/reports/chart.ts): a true time axis — a month without data is
// a gap, and distances follow the calendar — and hollow markers for months with few invited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monthIndex, onTimeAxis, trendChartSvg, type TrendPoint } from '../../src/reports/chart.ts';

const text = {
  id: 't',
  title: 'Svarprosent',
  description: 'per måned',
  percent: (s: number) => `${Math.round(s * 100)} %`,
  missing: 'skjult',
  small: 'færre enn 20 invitert',
};
const circles = (svg: string) =>
  [...svg.matchAll(/<circle cx="([\d.]+)"[^>]*?(data-small="true")?><title>([^<]*)</g)].map((m) => ({
    x: Number(m[1]),
    small: Boolean(m[2]),
    title: m[3]!,
  }));

test('months are placed by the calendar: 2026-05 and 2026-09 are four steps apart, not neighbours', () => {
  const points: TrendPoint[] = [
    { label: '2026-04', value: 0.5, invited: 40 },
    { label: '2026-05', value: 0.4, invited: 40 },
    { label: '2026-09', value: 0.6, invited: 40 },
  ];
  const xs = circles(trendChartSvg(points, text)).map((c) => c.x);
  assert.equal(xs.length, 3);
  const step = xs[1]! - xs[0]!;
  assert.ok(step > 0);
  assert.ok(Math.abs(xs[2]! - xs[1]! - 4 * step) < 0.2, `${xs.join(', ')}`);
});

test('an empty month is a gap: the line is drawn in separate pieces around it', () => {
  const svg = trendChartSvg(
    [
      { label: '2025-11', value: 0.5, invited: 30 },
      { label: '2025-12', value: 0.55, invited: 30 },
      { label: '2026-02', value: 0.45, invited: 30 },
      { label: '2026-03', value: 0.5, invited: 30 },
    ],
    text,
  );
  const d = /<path d="([^"]+)"/.exec(svg)![1]!;
  assert.equal(d.match(/M/g)?.length, 2, 'two pieces, across the new year gap');
  assert.deepEqual(
    onTimeAxis([
      { label: '2025-11', value: 1 },
      { label: '2026-02', value: 1 },
    ]).map((p) => p.label),
    ['2025-11', '2025-12', '2026-01', '2026-02'],
  );
  assert.equal(monthIndex('2026-01') - monthIndex('2025-12'), 1);
});

test('a month with fewer than 20 invited has a hollow marker, named in its title; 20 or more, or hidden, a filled one', () => {
  const svg = trendChartSvg(
    [
      { label: '2026-01', value: 0.5, invited: 19 },
      { label: '2026-02', value: 0.5, invited: 20 },
      { label: '2026-03', value: 0.5, invited: null },
    ],
    text,
  );
  assert.deepEqual(
    circles(svg).map((c) => [c.small, c.title]),
    [
      [true, '2026-01: 50 % (færre enn 20 invitert)'],
      [false, '2026-02: 50 %'],
      [false, '2026-03: 50 %'],
    ],
  );
});

test('one month alone, or none, still draws', () => {
  assert.equal(circles(trendChartSvg([{ label: '2026-01', value: 0.3, invited: 50 }], text)).length, 1);
  assert.match(trendChartSvg([], text), /<svg/);
});
