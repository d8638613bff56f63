// HTML form bodies and query strings at the edge: each route that takes a body or a
// query declares a zod schema beside it and reads its input from what the schema infers.
// Browsers send strings, and an array for a repeated name; a field that is missing or not one
// string reads as the route has always read it (empty, or absent), so the route decides what is
// wrong and answers in the person's language. Unknown keys (the CSRF token among them) are
// stripped, never refused: the CSRF middleware has already checked the token.
import { z } from 'zod';

/** One text field: the string sent, else '' (missing, or sent more than once). */
export const text = z.string().catch('');

/** One text field, undefined when missing or sent more than once. */
export const optionalText = z.string().optional().catch(undefined);

/** One text field with surrounding spaces removed, else ''. */
export const trimmedText = z.string().trim().catch('');

/**
 * Reads a body or query with a schema whose fields never fail (text, optionalText, `.catch`).
 * Only an input that is not an object at all (no body parsed) fails: it reads as an empty form.
 */
export function readForm<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}

/** The field each issue is about (the first part of its path), `fallback` for an issue about the whole form. */
export function issueField(issue: z.core.$ZodIssue, fallback: string): string {
  const first = issue.path[0];
  return first === undefined ? fallback : String(first);
}
