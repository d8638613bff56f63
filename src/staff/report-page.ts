// The comparison with the population norms for analysts and admins, and the same figures as CSV
// (one long table, or one of the page's tables). National aggregates under disclosure control
// (src/reports/comparison/disclosure.ts). Filters arrive as GET parameters, checked against lists.
import { Router, type Request, type Response } from 'express';
import { sql } from 'kysely';
import { z } from 'zod';
import {
  buildComparison,
  renderComparison,
  reportHospitals,
  selectionHasArrests,
} from '../reports/comparison/report.ts';
import { DEFAULT_VALUE_SET, isValueSetId, listValueSets, type ValueSetId } from '../reports/eq5d/engine.ts';
import { DEFAULT_NORM_SET, listNormSets } from '../reports/norms/store.ts';
import { longCsv, longTable, rowsOfTable, TABLES } from '../reports/comparison/table.ts';
import type { Filters } from '../reports/comparison/compute.ts';
import type { Instruments } from '../instruments/eq5d-texts.ts';
import { RESPONDENTS } from '../instruments/respondent.ts';
import { allow } from './access.ts';
import type { StaffContext } from './context.ts';
import { sendCsv } from './exports.ts';

const filterSchema = z.object({
  year: z.union([z.literal(''), z.coerce.number().int().min(2000).max(2100)]).optional(),
  hospital: z.string().max(64).optional(),
  type: z.enum(['', 'OHCA', 'IHCA']).optional(),
  respondent: z.enum(['', ...RESPONDENTS]).optional(),
  table: z.enum(['', ...TABLES]).optional(),
  norms: z.string().max(64).optional(),
  valueSet: z.string().max(16).optional(),
});

interface Choices {
  years: number[];
  hospitals: string[];
  norms: { id: string; title: string; version: string; faults: string[] }[];
}

type Parsed =
  | { ok: true; filters: Filters; table: (typeof TABLES)[number] | undefined; normSet: string; valueSet: ValueSetId }
  | { ok: false; message: string };

export function reportRoutes(ctx: StaffContext, instruments: Instruments): Router {
  const r = Router();
  const threshold = () => ctx.deps.smallCellThreshold;

  r.get('/staff/report', allow(ctx, 'analyst', 'admin'), async (req, res) => {
    const choices = await filterChoices(ctx);
    const parsed = parseFilters(ctx, req, choices);
    if (!parsed.ok) return badFilters(ctx, req, res, choices, parsed.message);
    const { year, hospital, arrestType: type, respondent } = parsed.filters;
    const comparison = await buildComparison(ctx.deps.db, parsed.filters, {
      threshold: threshold(),
      normSet: parsed.normSet,
      valueSet: parsed.valueSet,
    });
    await ctx.audit(req, res, {
      action: 'view',
      entity: 'comparison-report',
      details: { year, hospital, type, respondent, norms: parsed.normSet, valueSet: parsed.valueSet },
    });
    ctx.page(req, res, 200, 'staff/report', {
      heading: ctx.t('report.title'),
      ...selects(ctx, choices, parsed),
      empty: !(await selectionHasArrests(ctx.deps.db, parsed.filters)),
      report: renderComparison(ctx.deps.views, instruments, comparison, false, csvHref(parsed)),
      wide: true,
    });
  });

  r.get('/staff/report.csv', allow(ctx, 'analyst', 'admin'), async (req, res) => {
    const choices = await filterChoices(ctx);
    const parsed = parseFilters(ctx, req, choices);
    if (!parsed.ok) return badFilters(ctx, req, res, choices, parsed.message);
    const comparison = await buildComparison(ctx.deps.db, parsed.filters, {
      threshold: threshold(),
      normSet: parsed.normSet,
      valueSet: parsed.valueSet,
    });
    const { year, hospital, arrestType: type, respondent } = parsed.filters;
    await ctx.audit(req, res, {
      action: 'export',
      entity: 'comparison-report',
      details: { year, hospital, type, respondent, table: parsed.table ?? 'all' },
    });
    sendCsv(
      res,
      `sammenligning${parsed.table ? `-${parsed.table}` : ''}.csv`,
      longCsv(rowsOfTable(longTable(comparison), parsed.table)),
    );
  });
  return r;
}

function parseFilters(ctx: StaffContext, req: Request, choices: Choices): Parsed {
  const parsed = filterSchema.safeParse(req.query);
  if (!parsed.success) return { ok: false, message: ctx.t('report.filterInvalid') };
  const hospital = parsed.data.hospital || undefined;
  if (hospital !== undefined && !choices.hospitals.includes(hospital))
    return { ok: false, message: ctx.t('report.unknownHospital', { hospital }) };
  const normSet = parsed.data.norms || DEFAULT_NORM_SET;
  const chosen = choices.norms.find((n) => n.id === normSet);
  if (!chosen) return { ok: false, message: ctx.t('report.unknownNorms', { id: normSet }) };
  // A stored set that fails today's checks (imported before they existed) is not used.
  if (chosen.faults.length > 0)
    return {
      ok: false,
      message: ctx.t('report.faultyNorms', { id: normSet, version: chosen.version, faults: chosen.faults.join('; ') }),
    };
  const valueSet = parsed.data.valueSet || DEFAULT_VALUE_SET;
  if (!isValueSetId(valueSet)) return { ok: false, message: ctx.t('report.unknownValueSet', { id: valueSet }) };
  const year = typeof parsed.data.year === 'number' ? parsed.data.year : undefined;
  return {
    ok: true,
    filters: {
      year,
      hospital,
      arrestType: parsed.data.type || undefined,
      respondent: parsed.data.respondent || undefined,
    },
    table: parsed.data.table || undefined,
    normSet,
    valueSet,
  };
}

function selects(ctx: StaffContext, choices: Choices, chosen?: Extract<Parsed, { ok: true }>) {
  return {
    years: options(choices.years.map(String), String(chosen?.filters.year ?? '')),
    hospitals: options(choices.hospitals, chosen?.filters.hospital ?? ''),
    types: options(['OHCA', 'IHCA'], chosen?.filters.arrestType ?? ''),
    respondents: RESPONDENTS.map((r) => ({
      value: r,
      text: ctx.t(`report.respondentOption.${r}`),
      selected: r === chosen?.filters.respondent,
    })),
    normSets: choices.norms.map((n) => ({
      value: n.id,
      text: n.id,
      selected: n.id === (chosen?.normSet ?? DEFAULT_NORM_SET),
    })),
    valueSets: listValueSets().map((v) => ({
      value: v.id,
      text: v.id,
      selected: v.id === (chosen?.valueSet ?? DEFAULT_VALUE_SET),
    })),
  };
}

function badFilters(ctx: StaffContext, req: Request, res: Response, choices: Choices, message: string) {
  ctx.page(req, res, 400, 'staff/report', {
    heading: ctx.t('report.title'),
    errors: [{ text: message, href: '#year' }],
    ...selects(ctx, choices),
  });
}

function csvHref(p: Extract<Parsed, { ok: true }>): string {
  const f = p.filters;
  const q = new URLSearchParams();
  if (f.year !== undefined) q.set('year', String(f.year));
  if (f.hospital !== undefined) q.set('hospital', f.hospital);
  if (f.arrestType !== undefined) q.set('type', f.arrestType);
  if (f.respondent !== undefined) q.set('respondent', f.respondent);
  if (p.normSet !== DEFAULT_NORM_SET) q.set('norms', p.normSet);
  if (p.valueSet !== DEFAULT_VALUE_SET) q.set('valueSet', p.valueSet);
  const s = q.toString();
  return `/staff/report.csv${s ? `?${s}` : ''}`;
}

function options(values: string[], selected: string) {
  return values.map((v) => ({ value: v, selected: v === selected }));
}

async function filterChoices(ctx: StaffContext): Promise<Choices> {
  const years = await sql<{
    y: number;
  }>`select distinct extract(year from arrest_date)::int as y from arrest_events order by 1`.execute(ctx.deps.db);
  const norms = (await listNormSets(ctx.deps.db)).map((n) => ({
    id: n.id,
    title: n.title,
    version: n.version,
    faults: n.faults,
  }));
  return { years: years.rows.map((r) => r.y), hospitals: await reportHospitals(ctx.deps.db), norms };
}
