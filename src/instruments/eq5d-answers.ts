// Validation of one page's answer (server side only) and of a complete response.
import type { Answers, PageId } from './eq5d-texts.ts';

/**
 * What was wrong, so the page can say how to put it right: 'invalid' (a radio value that is not
 * offered, or a whole number above 100), and for the EQ VAS 'decimal' ("73,5") or 'notNumber'.
 */
export type AnswerError = 'required' | 'invalid' | 'decimal' | 'notNumber';
export type PageResult = { ok: true; value: number } | { ok: false; error: AnswerError };

/** Radios must be one of 1–5; the VAS a whole number 0–100 after trimming spaces. */
export function parsePageAnswer(page: PageId, raw: unknown): PageResult {
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, error: 'required' };
  const text = raw.trim();
  if (page === 'vas') return parseVas(text);
  return /^[1-5]$/.test(text) ? { ok: true, value: Number(text) } : { ok: false, error: 'invalid' };
}

/** "50 %" means 50; "73,5" and "73.5" are told to drop the decimals; words are told to use digits. */
function parseVas(text: string): PageResult {
  const digits = /^(\d{1,3})\s*%?$/.exec(text)?.[1];
  if (digits === undefined)
    return {
      ok: false,
      error: /^\d+[.,]\d+\s*%?$/.test(text) ? 'decimal' : /^\d+\s*%?$/.test(text) ? 'invalid' : 'notNumber',
    };
  const n = Number(digits);
  return n <= 100 ? { ok: true, value: n } : { ok: false, error: 'invalid' };
}

export interface CompleteAnswers {
  mobility: number;
  self_care: number;
  usual_activities: number;
  pain_discomfort: number;
  anxiety_depression: number;
  vas: number;
}

export function isComplete(a: Answers): a is Answers & CompleteAnswers {
  return (['mobility', 'self_care', 'usual_activities', 'pain_discomfort', 'anxiety_depression', 'vas'] as const).every(
    (k) => typeof a[k] === 'number',
  );
}
