// Who is filling in the questionnaire: the person, the person with help, or someone
// else on the person's behalf. Asked on a page of its own before the first question, saved in the
// draft like a page answer (key `respondent`), stored with the response. Pure.
import { z } from 'zod';
import type { Respondent } from '../db/schema.ts';

export const RESPONDENTS = ['self', 'assisted', 'proxy'] as const satisfies readonly Respondent[];

/** The draft key; also a reserved name no added instrument's linkId may take. */
export const RESPONDENT_KEY = 'respondent';

/** The page's form: one of the three answers (required), and `return=check` when changed from the check page. */
export const respondentBodySchema = z.object({
  respondent: z.enum(RESPONDENTS),
  return: z.literal('check').optional(),
});

/** The saved answer in a draft, or null when the page has not been answered. */
export function draftRespondent(answers: Readonly<Record<string, unknown>>): Respondent | null {
  const value = answers[RESPONDENT_KEY];
  return RESPONDENTS.find((r) => r === value) ?? null;
}
