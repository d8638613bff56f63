// A questionnaire as this service runs it: the subset of a FHIR R4 Questionnaire that the web
// pages, the letter, paper entry and the exports know how to handle (docs/instruments.md).
import type { Lang } from '../i18n/views.ts';

/** A text in each interface language; a missing translation falls back to the base text. */
export type Texts = Record<Lang, string>;

export type ItemType = 'display' | 'choice' | 'integer' | 'decimal' | 'boolean' | 'string' | 'date';
export type Operator = 'exists' | '=' | '!=' | '>' | '<' | '>=' | '<=';

/** A stored answer: a choice's code, a number, true/false, a string or a date YYYY-MM-DD. */
export type Value = string | number | boolean;

export interface Condition {
  question: string;
  operator: Operator;
  /** The value compared with (a choice's code for answerCoding). */
  answer: Value;
}

export interface AnswerOption {
  code: string;
  system?: string;
  display: Texts;
}

export interface Item {
  linkId: string;
  type: ItemType;
  text: Texts;
  required: boolean;
  options: AnswerOption[];
  min?: number;
  max?: number;
  slider: boolean;
  maxLength: number;
  enableWhen: Condition[];
  enableBehavior: 'all' | 'any';
}

/** One page: a single item, or a group with itemControl "page" and its items. */
export interface Page {
  linkId: string;
  /** The group's heading, for a page group. */
  text?: Texts;
  items: Item[];
  enableWhen: Condition[];
  enableBehavior: 'all' | 'any';
}

export interface Instrument {
  id: string;
  url: string;
  version: string;
  title: Texts;
  pages: Page[];
}

/** The items that take an answer, in order (display items and groups left out). */
export function answerItems(instrument: Instrument): Item[] {
  return instrument.pages.flatMap((p) => p.items).filter((i) => i.type !== 'display');
}
