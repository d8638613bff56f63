// Reads a FHIR R4 Questionnaire into an Instrument, refusing every item feature outside the
// supported subset with a message that names the item and the feature. Top-level metadata other
// than id, url, version, language, title and item is accepted and ignored. Pure: no I/O.
import { LANGUAGES, type Lang } from '../i18n/views.ts';
import type { AnswerOption, Condition, Instrument, Item, ItemType, Operator, Page, Texts, Value } from './model.ts';

const EXT = 'http://hl7.org/fhir/StructureDefinition/';
const TRANSLATION = `${EXT}translation`;
const ITEM_CONTROL = `${EXT}questionnaire-itemControl`;
const MIN_VALUE = `${EXT}minValue`;
const MAX_VALUE = `${EXT}maxValue`;

const LINK_ID = /^[a-z][a-z0-9_]{0,31}$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const TYPES: readonly string[] = ['group', 'display', 'choice', 'integer', 'decimal', 'boolean', 'string', 'date'];
const OPERATORS: readonly string[] = ['exists', '=', '!=', '>', '<', '>=', '<='];
const ITEM_KEYS = new Set([
  'linkId',
  'text',
  '_text',
  'type',
  'required',
  'item',
  'answerOption',
  'enableWhen',
  'enableBehavior',
  'maxLength',
  'extension',
]);
const DEFAULT_MAX_LENGTH = 500;

/** Names of the response export's fixed columns: an item may not take one. */
export const RESERVED_NAMES: readonly string[] = [
  'response_id',
  'register_id',
  'arrest_type',
  'hospital',
  'arrest_date',
  'eq5d_index_no2024',
  'mode',
  'language',
  'completed_at',
  'respondent',
  'pid',
  'rid',
];

export type ReadResult = { ok: true; instrument: Instrument } | { ok: false; errors: string[] };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `reserved` are linkIds the instrument may not use (the EQ-5D variables for any instrument but
 * eq5d5l itself). Every problem is listed, not just the first.
 */
export function readQuestionnaire(input: unknown, reserved: readonly string[] = RESERVED_NAMES): ReadResult {
  const errors: string[] = [];
  if (!isObject(input) || input.resourceType !== 'Questionnaire')
    return { ok: false, errors: ['not a FHIR Questionnaire (resourceType must be "Questionnaire")'] };
  const id = typeof input.id === 'string' && ID.test(input.id) ? input.id : undefined;
  if (!id) errors.push('Questionnaire.id is missing or not a FHIR id (letters, digits, "-" and ".")');
  if (typeof input.url !== 'string' || input.url === '') errors.push('Questionnaire.url is missing');
  if (typeof input.version !== 'string' || input.version === '') errors.push('Questionnaire.version is missing');
  const language = input.language ?? 'nb';
  if (!LANGUAGES.includes(language as Lang))
    errors.push(`Questionnaire.language ${JSON.stringify(language)} is not nb, nn or en`);
  if (!Array.isArray(input.item) || input.item.length === 0) errors.push('Questionnaire.item is missing or empty');
  const ctx: Ctx = { base: language as Lang, errors, seen: new Set(), reserved };
  const pages = Array.isArray(input.item) ? readPages(input.item, ctx) : [];
  checkConditions(pages, errors);
  if (errors.length > 0) return { ok: false, errors };
  const title = typeof input.title === 'string' ? input.title : id!;
  return {
    ok: true,
    instrument: {
      id: id!,
      url: input.url as string,
      version: input.version as string,
      title: texts(title, input._title, ctx),
      pages,
    },
  };
}

interface Ctx {
  base: Lang;
  errors: string[];
  seen: Set<string>;
  reserved: readonly string[];
}

/** Top-level items: a page group is one page; another group's items are pages of their own. */
function readPages(items: unknown[], ctx: Ctx): Page[] {
  const pages: Page[] = [];
  for (const raw of items) {
    const name = itemName(raw);
    if (!isObject(raw)) {
      ctx.errors.push(`${name}: not an object`);
      continue;
    }
    if (raw.type !== 'group') {
      const item = readItem(raw, ctx);
      if (item) pages.push({ linkId: item.linkId, items: [item], enableWhen: [], enableBehavior: 'all' });
      continue;
    }
    const group = readGroup(raw, ctx);
    if (!group) continue;
    if (group.page) pages.push(group.page);
    else pages.push(...readPages(raw.item as unknown[], ctx));
  }
  return pages;
}

function readGroup(raw: Json, ctx: Ctx): { page?: Page } | undefined {
  const name = itemName(raw);
  const before = ctx.errors.length;
  checkKeys(raw, ctx);
  const linkId = checkLinkId(raw, ctx);
  if (!Array.isArray(raw.item) || raw.item.length === 0) ctx.errors.push(`${name}: a group needs items`);
  const control = itemControl(raw, ctx);
  if (control !== undefined && control !== 'page')
    ctx.errors.push(`${name}: itemControl "${control}" is not supported on a group (only "page")`);
  if (raw.answerOption !== undefined || raw.maxLength !== undefined)
    ctx.errors.push(`${name}: answerOption and maxLength do not belong on a group`);
  if (ctx.errors.length > before || !Array.isArray(raw.item)) return undefined;
  if (control !== 'page') {
    if (raw.enableWhen !== undefined)
      ctx.errors.push(`${name}: enableWhen is supported on a page group or an item, not on another group`);
    return {};
  }
  const items: Item[] = [];
  for (const child of raw.item as unknown[]) {
    if (isObject(child) && child.type === 'group') {
      ctx.errors.push(`${itemName(child)}: a group inside a page group is not supported`);
      continue;
    }
    const item = isObject(child) ? readItem(child, ctx) : undefined;
    if (item) items.push(item);
  }
  return {
    page: {
      linkId: linkId!,
      text: typeof raw.text === 'string' ? texts(raw.text, raw._text, ctx) : undefined,
      items,
      enableWhen: readConditions(raw, ctx),
      enableBehavior: raw.enableBehavior === 'any' ? 'any' : 'all',
    },
  };
}

function readItem(raw: Json, ctx: Ctx): Item | undefined {
  const name = itemName(raw);
  const before = ctx.errors.length;
  checkKeys(raw, ctx);
  const linkId = checkLinkId(raw, ctx);
  const type = raw.type;
  if (typeof type !== 'string' || !TYPES.includes(type)) {
    ctx.errors.push(`${name}: item type "${String(type)}" is not supported`);
    return undefined;
  }
  if (typeof raw.text !== 'string' || raw.text.trim() === '') ctx.errors.push(`${name}: text is missing`);
  if (raw.required !== undefined && typeof raw.required !== 'boolean')
    ctx.errors.push(`${name}: required must be true or false`);
  if (raw.item !== undefined) ctx.errors.push(`${name}: items nested under a ${type} item are not supported`);
  const control = itemControl(raw, ctx);
  const numeric = type === 'integer' || type === 'decimal';
  if (control !== undefined && !(control === 'slider' && numeric))
    ctx.errors.push(`${name}: itemControl "${control}" is not supported on a ${type} item`);
  if (raw.answerOption !== undefined && type !== 'choice')
    ctx.errors.push(`${name}: answerOption is only supported on a choice item`);
  if (raw.maxLength !== undefined && type !== 'string')
    ctx.errors.push(`${name}: maxLength is only supported on a string item`);
  if (type === 'display' && raw.required === true) ctx.errors.push(`${name}: a display item cannot be required`);
  const options = type === 'choice' ? readOptions(raw, ctx) : [];
  const { min, max } = readLimits(raw, type, ctx);
  if (control === 'slider' && (min === undefined || max === undefined))
    ctx.errors.push(`${name}: a slider needs minValue and maxValue`);
  const maxLength = readMaxLength(raw, ctx);
  const enableWhen = readConditions(raw, ctx);
  if (ctx.errors.length > before) return undefined;
  return {
    linkId: linkId!,
    type: type as ItemType,
    text: texts(raw.text as string, raw._text, ctx),
    required: raw.required === true,
    options,
    min,
    max,
    slider: control === 'slider',
    maxLength,
    enableWhen,
    enableBehavior: raw.enableBehavior === 'any' ? 'any' : 'all',
  };
}

function itemName(raw: unknown): string {
  return isObject(raw) && typeof raw.linkId === 'string' ? `item "${raw.linkId}"` : 'an item without a linkId';
}

function checkKeys(raw: Json, ctx: Ctx): void {
  for (const key of Object.keys(raw))
    if (!ITEM_KEYS.has(key)) ctx.errors.push(`${itemName(raw)}: "${key}" is not supported`);
  if (raw.enableBehavior !== undefined && raw.enableBehavior !== 'all' && raw.enableBehavior !== 'any')
    ctx.errors.push(`${itemName(raw)}: enableBehavior must be "all" or "any"`);
}

function checkLinkId(raw: Json, ctx: Ctx): string | undefined {
  const linkId = raw.linkId;
  if (typeof linkId !== 'string' || !LINK_ID.test(linkId)) {
    ctx.errors.push(
      `${itemName(raw)}: linkId must be a variable name (a–z first, then a–z, 0–9 or _, at most 32 characters)`,
    );
    return undefined;
  }
  if (ctx.reserved.includes(linkId)) ctx.errors.push(`item "${linkId}": linkId is a reserved export column name`);
  if (ctx.seen.has(linkId)) ctx.errors.push(`item "${linkId}": linkId is used twice`);
  ctx.seen.add(linkId);
  return linkId;
}

/** Only the extensions of the subset; anything else is refused by its URL. */
function itemControl(raw: Json, ctx: Ctx): string | undefined {
  if (raw.extension === undefined) return undefined;
  if (!Array.isArray(raw.extension)) {
    ctx.errors.push(`${itemName(raw)}: extension must be a list`);
    return undefined;
  }
  let control: string | undefined;
  for (const ext of raw.extension as unknown[]) {
    const url = isObject(ext) ? ext.url : undefined;
    if (url === ITEM_CONTROL) {
      const coding = isObject(ext) && isObject(ext.valueCodeableConcept) ? ext.valueCodeableConcept.coding : undefined;
      const code = Array.isArray(coding) && isObject(coding[0]) ? coding[0].code : undefined;
      control = typeof code === 'string' ? code : '(none)';
    } else if (url !== MIN_VALUE && url !== MAX_VALUE)
      ctx.errors.push(`${itemName(raw)}: extension "${String(url)}" is not supported`);
  }
  return control;
}

function readLimits(raw: Json, type: string, ctx: Ctx): { min?: number; max?: number } {
  const found: { min?: number; max?: number } = {};
  for (const ext of Array.isArray(raw.extension) ? (raw.extension as unknown[]) : []) {
    if (!isObject(ext) || (ext.url !== MIN_VALUE && ext.url !== MAX_VALUE)) continue;
    const key = ext.url === MIN_VALUE ? 'min' : 'max';
    const value = type === 'integer' ? ext.valueInteger : type === 'decimal' ? ext.valueDecimal : undefined;
    if (typeof value !== 'number' || !Number.isFinite(value))
      ctx.errors.push(
        `${itemName(raw)}: ${key}Value needs value${type === 'decimal' ? 'Decimal' : 'Integer'} on an integer or decimal item`,
      );
    else found[key] = value;
  }
  if (found.min !== undefined && found.max !== undefined && found.min >= found.max)
    ctx.errors.push(`${itemName(raw)}: minValue must be below maxValue`);
  return found;
}

function readMaxLength(raw: Json, ctx: Ctx): number {
  if (raw.maxLength === undefined) return DEFAULT_MAX_LENGTH;
  if (
    typeof raw.maxLength !== 'number' ||
    !Number.isInteger(raw.maxLength) ||
    raw.maxLength < 1 ||
    raw.maxLength > 5000
  ) {
    ctx.errors.push(`${itemName(raw)}: maxLength must be a whole number 1–5000`);
    return DEFAULT_MAX_LENGTH;
  }
  return raw.maxLength;
}

function readOptions(raw: Json, ctx: Ctx): AnswerOption[] {
  const name = itemName(raw);
  if (!Array.isArray(raw.answerOption) || raw.answerOption.length === 0) {
    ctx.errors.push(`${name}: a choice item needs inline answerOption with valueCoding`);
    return [];
  }
  const options: AnswerOption[] = [];
  for (const option of raw.answerOption as unknown[]) {
    const coding = isObject(option) ? option.valueCoding : undefined;
    const extra = isObject(option) ? Object.keys(option).filter((k) => k !== 'valueCoding') : [];
    if (extra.length > 0) ctx.errors.push(`${name}: answerOption "${extra[0]}" is not supported (only valueCoding)`);
    if (!isObject(coding) || typeof coding.code !== 'string' || !/^[A-Za-z0-9_.-]{1,32}$/.test(coding.code)) {
      ctx.errors.push(`${name}: every answerOption needs a valueCoding with a code (letters, digits, _ . -)`);
      continue;
    }
    if (typeof coding.display !== 'string' || coding.display === '')
      ctx.errors.push(`${name}: answer option "${coding.code}" needs a display text`);
    if (options.some((o) => o.code === coding.code))
      ctx.errors.push(`${name}: answer option code "${coding.code}" is used twice`);
    options.push({
      code: coding.code,
      system: typeof coding.system === 'string' ? coding.system : undefined,
      display: texts(typeof coding.display === 'string' ? coding.display : '', coding._display, ctx),
    });
  }
  return options;
}

const ANSWER_KEYS = ['answerBoolean', 'answerDecimal', 'answerInteger', 'answerDate', 'answerString', 'answerCoding'];

function readConditions(raw: Json, ctx: Ctx): Condition[] {
  if (raw.enableWhen === undefined) return [];
  const name = itemName(raw);
  if (!Array.isArray(raw.enableWhen) || raw.enableWhen.length === 0) {
    ctx.errors.push(`${name}: enableWhen must be a non-empty list`);
    return [];
  }
  const conditions: Condition[] = [];
  for (const c of raw.enableWhen as unknown[]) {
    if (!isObject(c) || typeof c.question !== 'string' || !OPERATORS.includes(String(c.operator))) {
      ctx.errors.push(`${name}: enableWhen needs a question and an operator (${OPERATORS.join(' ')})`);
      continue;
    }
    const keys = ANSWER_KEYS.filter((k) => c[k] !== undefined);
    const answer = keys.length === 1 ? conditionAnswer(c, keys[0]!) : undefined;
    if (answer === undefined || (c.operator === 'exists' && typeof answer !== 'boolean')) {
      ctx.errors.push(`${name}: enableWhen needs exactly one answer[x] (answerBoolean for "exists")`);
      continue;
    }
    conditions.push({ question: c.question, operator: c.operator as Operator, answer });
  }
  return conditions;
}

function conditionAnswer(c: Json, key: string): Value | undefined {
  const v = c[key];
  if (key === 'answerCoding') return isObject(v) && typeof v.code === 'string' ? v.code : undefined;
  if (key === 'answerBoolean') return typeof v === 'boolean' ? v : undefined;
  if (key === 'answerDecimal' || key === 'answerInteger') return typeof v === 'number' ? v : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Every condition must point at an answerable item that comes before it. */
function checkConditions(pages: Page[], errors: string[]): void {
  const before = new Set<string>();
  for (const page of pages) {
    for (const c of page.enableWhen)
      if (!before.has(c.question))
        errors.push(`item "${page.linkId}": enableWhen refers to "${c.question}", which is not an earlier question`);
    for (const item of page.items) {
      for (const c of item.enableWhen)
        if (!before.has(c.question))
          errors.push(`item "${item.linkId}": enableWhen refers to "${c.question}", which is not an earlier question`);
    }
    for (const item of page.items) if (item.type !== 'display') before.add(item.linkId);
  }
}

/** The base text in Questionnaire.language, translations from the translation extension. */
function texts(base: string, element: unknown, _ctx: Ctx): Texts {
  const out = Object.fromEntries(LANGUAGES.map((l) => [l, base])) as Texts;
  const exts = isObject(element) && Array.isArray(element.extension) ? (element.extension as unknown[]) : [];
  for (const ext of exts) {
    if (!isObject(ext) || ext.url !== TRANSLATION || !Array.isArray(ext.extension)) continue;
    const parts = ext.extension as Json[];
    const lang = parts.find((p) => p.url === 'lang')?.valueCode;
    const content = parts.find((p) => p.url === 'content')?.valueString;
    if (LANGUAGES.includes(lang as Lang) && typeof content === 'string') {
      out[lang as Lang] = content;
    }
  }
  return out;
}
