// Results for the register's system: counted responses completed since a time, paged by a cursor
// over (completed_at, id), as the analyst export's variables (src/reports/exports/variables.ts)
// or as FHIR R4 QuestionnaireResponse (src/reports/exports/fhir.ts). Pseudonymous with the
// export's keyed HMAC, the API key's name as export key; the identifiers scope adds register_id.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ValueSetId } from '../reports/eq5d/engine.ts';
import { otherQuestionnaireResponses, questionnaire, questionnaireResponse } from '../reports/exports/fhir.ts';
import { countedResponses, type ResponseRow } from '../reports/exports/rows.ts';
import { analysisVariables, pseudonymiser, type ExportContext } from '../reports/exports/variables.ts';
import type { InstrumentText } from '../instruments/eq5d-texts.ts';
import type { Cursor } from './cursor.ts';
import type { ApiKey } from './keys.ts';

export interface ResponsePageQuery {
  since?: string | undefined;
  after?: Cursor | undefined;
  limit: number;
}

type Row = ResponseRow & { survivor_id: number };

export async function responsePage(db: Db, key: ApiKey, q: ResponsePageQuery) {
  let query = countedResponses(db).select('s.id as survivor_id');
  if (key.hospitals.length > 0) query = query.where('e.hospital', 'in', key.hospitals);
  if (q.since) query = query.where('r.completed_at', '>=', sql<Date>`${q.since}::timestamptz`);
  if (q.after) {
    const after = q.after;
    query = query.where(sql<boolean>`(r.completed_at, r.id) > (${after.at}::timestamptz, ${after.id}::uuid)`);
  }
  const rows: Row[] = await query
    .orderBy('r.completed_at')
    .orderBy('r.id')
    .limit(q.limit + 1)
    .execute();
  const hasMore = rows.length > q.limit;
  const pageRows = rows.slice(0, q.limit);
  const last = pageRows[pageRows.length - 1];
  return {
    rows: pageRows,
    survivorIds: [...new Set(pageRows.map((r) => r.survivor_id))],
    next: last ? { at: last.completed_at, id: last.id } : q.after,
    hasMore,
  };
}

export function exportContext(pseudonymKey: string, key: ApiKey, valueSet: ValueSetId): ExportContext {
  return { valueSet, pseudonym: pseudonymiser(pseudonymKey, key.name) };
}

const withIdentifiers = (key: ApiKey) => key.scopes.includes('identifiers');

/** One response as the analyst export's row (same variables, same pseudonyms for the same key). */
export function jsonRows(rows: ResponseRow[], key: ApiKey, ctx: ExportContext): Record<string, unknown>[] {
  const vars = analysisVariables(ctx.valueSet);
  return rows.map((r) => {
    const out: Record<string, unknown> = Object.fromEntries(vars.map((v) => [v.name, v.value(r, ctx)]));
    // The added instruments' answers by linkId; absent for EQ-5D-only responses, as before other instruments were added.
    if (r.items !== null) out.items = r.items;
    if (withIdentifiers(key)) {
      out.register_id = r.register_id;
      out.completed_at = r.completed_at;
    }
    return out;
  });
}

/** A FHIR R4 searchset Bundle: the Questionnaire (include), then the responses (match). */
export function fhirBundle(
  rows: ResponseRow[],
  key: ApiKey,
  ctx: ExportContext,
  text: InstrumentText,
  links: { self: string; next?: string | undefined },
  now: Date,
) {
  // Each response: EQ-5D's QuestionnaireResponse, then one per added instrument it was given with.
  const entries = rows.flatMap((r) =>
    [questionnaireResponse(r, ctx, text), ...otherQuestionnaireResponses(r, ctx)].map((resource) => {
      const subject = withIdentifiers(key)
        ? { identifier: { system: 'urn:prom-survey:register-id', value: r.register_id } }
        : resource.subject;
      return {
        fullUrl: `urn:prom-survey:QuestionnaireResponse/${resource.id}`,
        resource: { ...resource, subject },
        search: { mode: 'match' as const },
      };
    }),
  );
  return {
    resourceType: 'Bundle' as const,
    type: 'searchset' as const,
    timestamp: now.toISOString(),
    link: [{ relation: 'self', url: links.self }, ...(links.next ? [{ relation: 'next', url: links.next }] : [])],
    entry: [
      {
        fullUrl: 'urn:prom-survey:Questionnaire/eq5d5l-evas',
        resource: questionnaire(text),
        search: { mode: 'include' as const },
      },
      ...entries,
    ],
  };
}
