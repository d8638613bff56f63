// The pages of one invitation's questionnaire session: the instruments of its programme version
// in order. EQ-5D-5L keeps its own six pages (one dimension per page, then the EQ VAS); another
// instrument gives one page per item or page group. Pure: the caller loads the instruments.
import { isEnabled, type AnswerMap } from './enable-when.ts';
import { EQ5D_ID } from './eq5d.ts';
import type { Instrument, Item, Page } from './model.ts';
import type { Respondent } from '../db/schema.ts';
import { PAGES, type PageId } from './eq5d-texts.ts';

export type Step = { kind: 'eq5d'; key: PageId } | { kind: 'items'; key: string; instrument: Instrument; page: Page };

export interface Flow {
  instruments: Instrument[];
  steps: Step[];
  /** 0015: who is filling in (from the draft); 'proxy' asks each instrument's proxy variant. */
  respondent?: Respondent | null;
}

export function buildFlow(instruments: Instrument[]): Flow {
  const steps = instruments.flatMap((instrument): Step[] =>
    instrument.id === EQ5D_ID
      ? PAGES.map((key) => ({ kind: 'eq5d', key }))
      : instrument.pages.map((page) => ({ kind: 'items', key: page.linkId, instrument, page })),
  );
  return { instruments, steps };
}

/** The items of a page that are asked, given the answers so far. */
export function askedItems(page: Page, answers: AnswerMap): Item[] {
  if (!isEnabled(page, answers)) return [];
  return page.items.filter((item) => isEnabled(item, answers));
}

/** Whether a page is asked at all (a page whose items are all disabled is skipped). */
export function isAsked(step: Step, answers: AnswerMap): boolean {
  return step.kind === 'eq5d' || askedItems(step.page, answers).some((i) => i.type !== 'display');
}

/** A page counts as answered once every asked item has a value (an optional one left blank is stored as null). */
export function isAnswered(step: Step, answers: AnswerMap): boolean {
  if (step.kind === 'eq5d') return answers[step.key] !== undefined;
  return askedItems(step.page, answers).every((i) => i.type === 'display' || i.linkId in answers);
}

export function firstUnanswered(flow: Flow, answers: AnswerMap): Step | undefined {
  return flow.steps.find((s) => isAsked(s, answers) && !isAnswered(s, answers));
}

export function stepNumber(flow: Flow, key: string): number {
  return flow.steps.findIndex((s) => s.key === key) + 1;
}

/** The next (or previous) page that is asked, from the page at index `from`. */
export function neighbour(flow: Flow, from: number, direction: 1 | -1, answers: AnswerMap): Step | undefined {
  for (let i = from + direction; i >= 0 && i < flow.steps.length; i += direction)
    if (isAsked(flow.steps[i]!, answers)) return flow.steps[i];
  return undefined;
}

/** Values of asked items only: an answer to a question no longer asked is dropped, never stored. */
export function askedValues(flow: Flow, answers: AnswerMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const step of flow.steps) {
    if (step.kind !== 'items') continue;
    for (const item of askedItems(step.page, answers))
      if (item.type !== 'display' && answers[item.linkId] !== undefined && answers[item.linkId] !== null)
        out[item.linkId] = answers[item.linkId];
  }
  return out;
}

/** Complete: every asked page answered (EQ-5D's six and every other asked item). */
export function isFlowComplete(flow: Flow, answers: AnswerMap): boolean {
  return firstUnanswered(flow, answers) === undefined;
}
