// The comparison report as HTML: a fragment for the staff page, or a standalone file.
import type { Db } from '../../db/database.ts';
import type { Instruments } from '../../survey/instrument.ts';
import type { Views } from '../../web/views.ts';
import { DEFAULT_VALUE_SET, type ValueSetId } from '../eq5d/engine.ts';
import { loadNormSet, DEFAULT_NORM_SET } from '../norms/store.ts';
import { compare, loadResponses, type Comparison, type Filters } from './compute.ts';
import { comparisonView } from './render.ts';

export class UnknownNormSet extends Error {}

export async function buildComparison(db: Db, filters: Filters, opts: { normSet?: string; valueSet?: ValueSetId } = {}): Promise<Comparison> {
  const norms = await loadNormSet(db, opts.normSet ?? DEFAULT_NORM_SET);
  if (!norms) throw new UnknownNormSet(`No norm set "${opts.normSet}". Load one with prom norms import <file>.`);
  return compare(await loadResponses(db, filters), norms, filters, opts.valueSet ?? DEFAULT_VALUE_SET);
}

export function renderComparison(views: Views, instruments: Instruments, c: Comparison, standalone: boolean): string {
  const t = (k: string) => views.t('nb', `report.${k}`);
  const filterText = [
    c.filters.year ?? t('allYears'),
    c.filters.hospital ?? t('allHospitals'),
    c.filters.arrestType ?? t('allTypes'),
  ].join(', ');
  const data = { lang: 'nb' as const, standalone, filterText, view: comparisonView(c, views, instruments), generated: views.t('nb', 'report.generated', { at: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC' }) };
  return views.render('reports/comparison', data, standalone ? 'reports/standalone' : null);
}
