// The comparison report as HTML: a fragment for the staff page, or a standalone file.
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Instruments } from '../../instruments/eq5d-texts.ts';
import type { Views } from '../../i18n/views.ts';
import { DEFAULT_VALUE_SET, type ValueSetId } from '../eq5d/engine.ts';
import { loadNormSet, DEFAULT_NORM_SET } from '../norms/store.ts';
import { compare, loadResponses, type Comparison, type Filters } from './compute.ts';
import { comparisonView } from './render.ts';
import { Refusal } from '../../refusal.ts';

class UnknownNormSet extends Refusal {}

/** Hospital codes a report can be filtered by: those with an arrest in the register. */
export async function reportHospitals(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('arrest_events').select('hospital').distinct().orderBy('hospital').execute();
  return rows.map((r) => r.hospital);
}

/** Whether any arrest in the register falls in the selection (an empty one is said to be empty). */
export async function selectionHasArrests(db: Db, f: Filters): Promise<boolean> {
  let q = db.selectFrom('arrest_events').select('id').limit(1);
  if (f.year !== undefined) q = q.where(sql<number>`extract(year from arrest_date)::int`, '=', f.year);
  if (f.hospital !== undefined) q = q.where('hospital', '=', f.hospital);
  if (f.arrestType !== undefined) q = q.where('arrest_type', '=', f.arrestType);
  // Who answered is known only of answers: an arrest in the selection is enough for "not empty".
  return (await q.executeTakeFirst()) !== undefined;
}

/** The whole register's responses are loaded: what one selection may show depends on all others. */
export async function buildComparison(
  db: Db,
  filters: Filters,
  opts: { normSet?: string; valueSet?: ValueSetId; threshold?: number } = {},
): Promise<Comparison> {
  const norms = await loadNormSet(db, opts.normSet ?? DEFAULT_NORM_SET);
  if (!norms) throw new UnknownNormSet(`No norm set "${opts.normSet}". Load one with prom norms import <file>.`);
  return compare(await loadResponses(db, {}), norms, filters, opts.valueSet ?? DEFAULT_VALUE_SET, opts.threshold);
}

/** Where the page's CSV downloads are (staff page only): the address of the whole table, to which `table=…` is added. */
export function renderComparison(
  views: Views,
  instruments: Instruments,
  c: Comparison,
  standalone: boolean,
  csvHref?: string,
): string {
  const t = (k: string) => views.t('nb', `report.${k}`);
  const filterText = [
    c.filters.year ?? t('allYears'),
    c.filters.hospital ?? t('allHospitals'),
    c.filters.arrestType ?? t('allTypes'),
    c.filters.respondent ? t(`respondent.${c.filters.respondent}`) : t('allRespondents'),
  ].join(', ');
  const csv = (table?: string) =>
    csvHref === undefined
      ? undefined
      : table
        ? `${csvHref}${csvHref.includes('?') ? '&' : '?'}table=${table}`
        : csvHref;
  const links = {
    csvAll: csv(),
    csvSizes: csv('sizes'),
    csvVas: csv('vas'),
    csvMeans: csv('means'),
    csvDimensions: csv('dimensions'),
  };
  const data = {
    lang: 'nb' as const,
    standalone,
    filterText,
    ...links,
    view: comparisonView(c, views, instruments),
    generated: views.t('nb', 'report.generated', {
      at: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    }),
  };
  return views.render('reports/comparison', data, standalone ? 'reports/standalone' : null);
}
