// FHIR R4 enableWhen: whether an item (or page group) is asked, given the answers so far. An
// unanswered question makes every operator but "exists" false (R4: no answer, no comparison).
import type { Condition, Value } from './model.ts';

export type AnswerMap = Readonly<Record<string, unknown>>;

export function isEnabled(
  target: { enableWhen: Condition[]; enableBehavior: 'all' | 'any' },
  answers: AnswerMap,
): boolean {
  if (target.enableWhen.length === 0) return true;
  const results = target.enableWhen.map((c) => holds(c, answers[c.question]));
  return target.enableBehavior === 'any' ? results.some(Boolean) : results.every(Boolean);
}

function holds(c: Condition, answer: unknown): boolean {
  const present = answer !== undefined && answer !== null && answer !== '';
  if (c.operator === 'exists') return present === c.answer;
  if (!present) return false;
  const a = answer as Value;
  switch (c.operator) {
    case '=':
      return a === c.answer;
    case '!=':
      return a !== c.answer;
    case '>':
      return compare(a, c.answer) > 0;
    case '<':
      return compare(a, c.answer) < 0;
    case '>=':
      return compare(a, c.answer) >= 0;
    case '<=':
      return compare(a, c.answer) <= 0;
  }
}

/** Numbers by value, dates and strings by their text (YYYY-MM-DD sorts as text); other pairs never order. */
function compare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return Number.NaN;
}
