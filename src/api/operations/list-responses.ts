// GET /responses: counted responses with pseudonyms, as JSON rows or as a FHIR R4 Bundle.
import type { Request } from 'express';
import { DEFAULT_VALUE_SET } from '../../reports/eq5d/engine.ts';
import type { ApiDeps, Handler } from '../answer.ts';
import { json } from '../answer.ts';
import { encodeCursor } from '../cursor.ts';
import { note } from '../middleware/audit.ts';
import { ApiProblem } from '../problem.ts';
import { exportContext, fhirBundle, jsonRows, responsePage } from '../results.ts';
import { DEFAULT_PAGE, responsesQuerySchema } from '../schemas.ts';
import { API_PREFIX } from '../spec.ts';
import { z } from 'zod';
import { cursorOrProblem, parseQuery } from './input.ts';

type Query = z.output<typeof responsesQuerySchema>;

export function listResponses({ db, clock, instruments, options }: ApiDeps): Handler {
  return async (req, res, key) => {
    const q = parseQuery(responsesQuerySchema, req.query);
    const pseudonymKey = options?.pseudonymKey;
    if (!pseudonymKey)
      throw new ApiProblem('not-configured', 'Results need a pseudonym key (EXPORT_PSEUDONYM_KEY) on this server.');
    const after = q.cursor === undefined ? undefined : cursorOrProblem('responses', q.cursor);
    const valueSet = q.value_set ?? DEFAULT_VALUE_SET;
    const page = await responsePage(db, key, { since: q.since, after, limit: q.limit ?? DEFAULT_PAGE });
    const ctx = exportContext(pseudonymKey, key, valueSet);
    const nextCursor = page.next ? encodeCursor('responses', page.next) : null;
    const format = q.format ?? 'json';
    note(res, {
      entity: 'response',
      details: {
        count: page.rows.length,
        format,
        identifiers: key.scopes.includes('identifiers'),
        survivorIds: page.survivorIds,
      },
    });
    if (format === 'fhir') {
      const links = bundleLinks(req, q, page.hasMore ? nextCursor : null);
      return {
        status: 200,
        contentType: 'application/fhir+json',
        body: fhirBundle(page.rows, key, ctx, instruments.nb, links, clock.now()),
      };
    }
    return json(200, {
      value_set: valueSet,
      data: jsonRows(page.rows, key, ctx),
      next_cursor: nextCursor,
      has_more: page.hasMore,
    });
  };
}

/**
 * The query as made: Express's simple parser gives a string, or an array for a repeated name
 * (joined with commas, as URLSearchParams did with the array).
 */
const queryAsMade = z.record(z.string(), z.union([z.string(), z.array(z.string()).transform((v) => v.join(','))]));

/** The Bundle's self link repeats the call as made; its next link keeps only what shapes the pages. */
function bundleLinks(req: Request, q: Query, nextCursor: string | null) {
  const base = new URLSearchParams({
    format: 'fhir',
    ...(q.limit ? { limit: String(q.limit) } : {}),
    ...(q.value_set ? { value_set: q.value_set } : {}),
  });
  const asMade = queryAsMade.safeParse(req.query);
  const self = `${API_PREFIX}/responses?${new URLSearchParams(asMade.success ? asMade.data : {}).toString()}`;
  const next = nextCursor ? `${API_PREFIX}/responses?${base.toString()}&cursor=${nextCursor}` : undefined;
  return { self, next };
}
