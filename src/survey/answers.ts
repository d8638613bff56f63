// Validation of one page's answer (server side only, A-8) and of a complete response.
import type { Answers, PageId } from './instrument.ts';

export type PageResult = { ok: true; value: number } | { ok: false; error: 'required' | 'invalid' };

/** Radios must be one of 1–5; the VAS a whole number 0–100 after trimming spaces (S-19). */
export function parsePageAnswer(page: PageId, raw: unknown): PageResult {
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, error: 'required' };
  const text = raw.trim();
  if (page === 'vas') {
    if (!/^\d{1,3}$/.test(text)) return { ok: false, error: 'invalid' };
    const n = Number(text);
    return n <= 100 ? { ok: true, value: n } : { ok: false, error: 'invalid' };
  }
  return /^[1-5]$/.test(text) ? { ok: true, value: Number(text) } : { ok: false, error: 'invalid' };
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
