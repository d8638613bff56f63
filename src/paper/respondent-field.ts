// "Who filled in this questionnaire?" on the paper form: three tick boxes on the first
// questionnaire page, keyed as one character like the EQ-5D items — 1 I did, 2 I did with help,
// 3 someone else on my behalf, 0 nothing ticked, 9 more than one ticked or unclear. Kept with the
// entry's other keyed items (key `respondent`: '1'–'3', '' blank, '?' unclear), so double entry
// compares it like any other field.
import { z } from 'zod';
import type { Respondent } from '../db/schema.ts';
import { RESPONDENT_KEY, RESPONDENTS } from '../instruments/respondent.ts';

export { RESPONDENT_KEY };

/** The form field: one code (absent or empty: nothing keyed). */
const respondentFieldSchema = z.object({
  [RESPONDENT_KEY]: z
    .string()
    .trim()
    .regex(/^[01239]$/)
    .optional(),
});

/**
 * What the keyer typed, as kept with the entry: '1'–'3', '' (0: nothing ticked), '?' (9); undefined
 * when the field was left empty or is absent (as for a form printed before the question: not
 * recorded); null when it is not one of the codes (an error on the field).
 */
export function keyedRespondent(body: Record<string, unknown>): string | undefined | null {
  const raw = body[RESPONDENT_KEY];
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return undefined;
  const parsed = respondentFieldSchema.safeParse(body);
  if (!parsed.success) return null;
  const code = parsed.data[RESPONDENT_KEY];
  return code === undefined ? undefined : code === '0' ? '' : code === '9' ? '?' : code;
}

/** A final entry's keyed answer as the response stores it; blank or unclear → not recorded. */
export function paperRespondent(keyed: string | undefined): Respondent | null {
  return keyed === '1' || keyed === '2' || keyed === '3' ? RESPONDENTS[Number(keyed) - 1]! : null;
}
