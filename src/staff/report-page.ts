// The comparison with the population norms for analysts and admins, and the same figures as CSV
// (one long table, or one of the page's tables). National aggregates under disclosure control
// (src/reports/comparison/disclosure.ts). Filters arrive as GET parameters, checked against lists.
import { Router, type Request, type Response } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { buildComparison, renderComparison, reportHospitals } from '../reports/comparison/report.ts';
import { longCsv, longTable, rowsOfTable, TABLES } from '../reports/comparison/table.ts';
import type { Filters } from '../reports/comparison/compute.ts';
import type { Instruments } from '../survey/instrument.ts';
import { allow } from './access.ts';
import type { StaffContext } from './context.ts';
import { sendCsv } from './exports.ts';

const filterSchema = z.object({
  year: z.union([z.literal(''), z.coerce.number().int().min(2000).max(2100)]).optional(),
  hospital: z.string().max(64).optional(),
  type: z.enum(['', 'OHCA', 'IHCA']).optional(),
  table: z.enum(['', ...TABLES]).optional(),
});

type Parsed = { ok: true; filters: Filters; table: (typeof TABLES)[number] | undefined } | { ok: false; message: string };

export function reportRoutes(ctx: StaffContext, instruments: Instruments): Router {
  const r = Router();
  const threshold = () => ctx.deps.smallCellThreshold;

  r.get('/staff/report', allow(ctx, 'analyst', 'admin'), async (req, res) => {
    const choices = await filterChoices(ctx);
    const parsed = parseFilters(ctx, req, choices.hospitals);
    if (!parsed.ok) return badFilters(ctx, req, res, choices, parsed.message);
    const { year, hospital, arrestType: type } = parsed.filters;
    const comparison = await buildComparison(ctx.deps.db, parsed.filters, { threshold: threshold() });
    await ctx.audit(req, res, { action: 'view', entity: 'comparison-report', details: { year, hospital, type } });
    ctx.page(req, res, 200, 'staff/report', {
      heading: ctx.t('report.title'),
      years: options(choices.years.map(String), String(year ?? '')),
      hospitals: options(choices.hospitals, hospital ?? ''),
      types: options(['OHCA', 'IHCA'], type ?? ''),
      report: renderComparison(ctx.deps.views, instruments, comparison, false, csvHref(parsed.filters)),
      wide: true,
    });
  });

  r.get('/staff/report.csv', allow(ctx, 'analyst', 'admin'), async (req, res) => {
    const choices = await filterChoices(ctx);
    const parsed = parseFilters(ctx, req, choices.hospitals);
    if (!parsed.ok) return badFilters(ctx, req, res, choices, parsed.message);
    const comparison = await buildComparison(ctx.deps.db, parsed.filters, { threshold: threshold() });
    const { year, hospital, arrestType: type } = parsed.filters;
    await ctx.audit(req, res, { action: 'export', entity: 'comparison-report', details: { year, hospital, type, table: parsed.table ?? 'all' } });
    sendCsv(res, `sammenligning${parsed.table ? `-${parsed.table}` : ''}.csv`, longCsv(rowsOfTable(longTable(comparison), parsed.table)));
  });
  return r;
}

function parseFilters(ctx: StaffContext, req: Request, hospitals: string[]): Parsed {
  const parsed = filterSchema.safeParse(req.query);
  if (!parsed.success) return { ok: false, message: ctx.t('report.filterInvalid') };
  const hospital = parsed.data.hospital || undefined;
  if (hospital !== undefined && !hospitals.includes(hospital)) return { ok: false, message: ctx.t('report.unknownHospital', { hospital }) };
  const year = typeof parsed.data.year === 'number' ? parsed.data.year : undefined;
  return { ok: true, filters: { year, hospital, arrestType: parsed.data.type || undefined }, table: parsed.data.table || undefined };
}

function badFilters(ctx: StaffContext, req: Request, res: Response, choices: { years: number[]; hospitals: string[] }, message: string) {
  ctx.page(req, res, 400, 'staff/report', {
    heading: ctx.t('report.title'),
    errors: [{ text: message, href: '#year' }],
    years: options(choices.years.map(String), ''),
    hospitals: options(choices.hospitals, ''),
    types: options(['OHCA', 'IHCA'], ''),
  });
}

function csvHref(f: Filters): string {
  const q = new URLSearchParams();
  if (f.year !== undefined) q.set('year', String(f.year));
  if (f.hospital !== undefined) q.set('hospital', f.hospital);
  if (f.arrestType !== undefined) q.set('type', f.arrestType);
  const s = q.toString();
  return `/staff/report.csv${s ? `?${s}` : ''}`;
}

function options(values: string[], selected: string) {
  return values.map((v) => ({ value: v, selected: v === selected }));
}

async function filterChoices(ctx: StaffContext) {
  const years = await sql<{ y: number }>`select distinct extract(year from arrest_date)::int as y from arrest_events order by 1`.execute(ctx.deps.db);
  return { years: years.rows.map((r) => r.y), hospitals: await reportHospitals(ctx.deps.db) };
}
