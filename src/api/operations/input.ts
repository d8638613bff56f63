// Reading a request's path, query and body through a zod schema: the result's type is the
// schema's output, and a failure is the problem+json the client sees.
import type { z } from 'zod';
import { decodeCursor, type CursorKind } from '../cursor.ts';
import { ApiProblem, bodyErrors, parameterErrors } from '../problem.ts';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireBody(body: unknown): Record<string, unknown> {
  if (body === undefined)
    throw new ApiProblem('validation', 'This call needs a JSON body.', [{ pointer: '', detail: 'is missing' }]);
  if (!isObject(body))
    throw new ApiProblem('validation', 'The body must be a JSON object.', [
      { pointer: '', detail: 'must be an object' },
    ]);
  return body;
}

/** JSON null where the CSV has an empty cell: null e-mail is "", a null optional field is left out. */
export function normaliseNulls(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (v === null && k === 'email') out[k] = '';
    else if (v === null && ['given_name', 'family_name', 'address_line', 'postal_code', 'city', 'phone'].includes(k))
      continue;
    else out[k] = v;
  }
  return out;
}

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body, { reportInput: true });
  if (!parsed.success) {
    const errors = bodyErrors(parsed.error);
    throw new ApiProblem(
      'validation',
      `The body has ${errors.length === 1 ? 'a problem' : `${errors.length} problems`}; see errors.`,
      errors,
    );
  }
  return parsed.data;
}

export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const parsed = schema.safeParse({ ...(query as object) }, { reportInput: true });
  if (!parsed.success)
    throw new ApiProblem(
      'invalid-parameter',
      'A query parameter is not valid; see errors.',
      parameterErrors(parsed.error),
    );
  return parsed.data;
}

export function parseParams<T extends z.ZodType>(schema: T, params: unknown): z.output<T> {
  const parsed = schema.safeParse({ ...(params as object) }, { reportInput: true });
  if (!parsed.success)
    throw new ApiProblem(
      'invalid-parameter',
      'The register_id in the path is not valid; see errors.',
      parameterErrors(parsed.error),
    );
  return parsed.data;
}

export function cursorOrProblem(kind: CursorKind, text: string) {
  const c = decodeCursor(kind, text);
  if (!c)
    throw new ApiProblem('invalid-parameter', 'The cursor is not one this endpoint gave out.', [
      { parameter: 'cursor', detail: 'is not a cursor of this endpoint' },
    ]);
  return c;
}
