// Where a respondent goes next: the page a step number names, the next page asked, and the way
// back to the check page after a change (by way of a question the change made appear).
import type { Request } from 'express';
import { z } from 'zod';
import { optionalText, readForm } from '../form-fields.ts';
import { isAnswered, isAsked, neighbour, stepNumber, type Flow, type Step } from '../instruments/flow.ts';

/** `return=check`, in the address or in the form: changing an answer from the check page. */
const returnForm = z.object({ return: optionalText });

export function returnsToCheck(req: Request): boolean {
  return readForm(returnForm, req.query).return === 'check' || readForm(returnForm, req.body).return === 'check';
}

export function stepOf(req: Request, flow: Flow): Step | undefined {
  const n = Number(req.params.n);
  return Number.isInteger(n) && n >= 1 ? flow.steps[n - 1] : undefined;
}

export function pagePath(flow: Flow, key: string): string {
  return `/s/q/${stepNumber(flow, key)}`;
}

/**
 * After a page: back to the check page when changing an answer (by way of a question the change
 * made appear), else the next page asked. `before`: the answers as they were before this page.
 */
export function nextPath(
  req: Request,
  flow: Flow,
  step: Step,
  answers: Record<string, unknown>,
  before: Record<string, unknown> = answers,
): string {
  if (returnsToCheck(req)) return followUpPath(flow, step, answers, before) ?? '/s/check';
  const next = neighbour(flow, stepNumber(flow, step.key) - 1, 1, answers);
  return next ? pagePath(flow, next.key) : '/s/check';
}

/**
 * A changed answer can make a later question appear (enableWhen): the person is sent to it, still
 * on the way back to the check page, instead of finding it there as "not answered".
 */
function followUpPath(
  flow: Flow,
  step: Step,
  answers: Record<string, unknown>,
  before: Record<string, unknown>,
): string | undefined {
  const after = flow.steps.slice(stepNumber(flow, step.key));
  // Only questions this change made appear; pages simply not reached yet stay on the check page's list.
  const open = after.find((s) => isAsked(s, answers) && !isAsked(s, before) && !isAnswered(s, answers));
  return open && `${pagePath(flow, open.key)}?return=check`;
}
