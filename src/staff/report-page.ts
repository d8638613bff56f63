// The comparison with the population norms for analysts and admins: national aggregates only,
// groups under 5 suppressed. Filters arrive as GET parameters and are checked against lists.
import { Router } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import { buildComparison, renderComparison } from '../reports/comparison/report.ts';
import type { Instruments } from '../survey/instrument.ts';
import { allow } from './access.ts';
import type { StaffContext } from './context.ts';

const filterSchema = z.object({
  year: z.union([z.literal(''), z.coerce.number().int().min(2000).max(2100)]).optional(),
  hospital: z.string().max(64).optional(),
  type: z.enum(['', 'OHCA', 'IHCA']).optional(),
});

export function reportRoutes(ctx: StaffContext, instruments: Instruments): Router {
  const r = Router();
  r.get('/staff/report', allow(ctx, 'analyst', 'admin'), async (req, res) => {
    const { years, hospitals } = await filterChoices(ctx);
    const parsed = filterSchema.safeParse(req.query);
    const hospital = parsed.success ? parsed.data.hospital || undefined : undefined;
    if (!parsed.success || (hospital !== undefined && !hospitals.includes(hospital))) {
      return ctx.page(req, res, 400, 'staff/report', {
        heading: ctx.t('report.title'),
        errors: [{ text: ctx.t('report.filterInvalid'), href: '#year' }],
        years: options(years.map(String), ''),
        hospitals: options(hospitals, ''),
        types: options(['OHCA', 'IHCA'], ''),
      });
    }
    const year = typeof parsed.data.year === 'number' ? parsed.data.year : undefined;
    const type = parsed.data.type || undefined;
    const comparison = await buildComparison(ctx.deps.db, { year, hospital, arrestType: type });
    await ctx.audit(req, res, { action: 'view', entity: 'comparison-report', details: { year, hospital, type } });
    ctx.page(req, res, 200, 'staff/report', {
      heading: ctx.t('report.title'),
      years: options(years.map(String), String(year ?? '')),
      hospitals: options(hospitals, hospital ?? ''),
      types: options(['OHCA', 'IHCA'], type ?? ''),
      report: renderComparison(ctx.deps.views, instruments, comparison, false),
      wide: true,
    });
  });
  return r;
}

function options(values: string[], selected: string) {
  return values.map((v) => ({ value: v, selected: v === selected }));
}

async function filterChoices(ctx: StaffContext) {
  const years = await sql<{ y: number }>`select distinct extract(year from arrest_date)::int as y from arrest_events order by 1`.execute(ctx.deps.db);
  const hospitals = await ctx.deps.db.selectFrom('arrest_events').select('hospital').distinct().orderBy('hospital').execute();
  return { years: years.rows.map((r) => r.y), hospitals: hospitals.map((h) => h.hospital) };
}
