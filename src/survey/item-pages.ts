// Pages of instruments other than EQ-5D: the zod schema of a page (built from its items'
// definitions), the view data for templates/survey/items.hbs and the rows of the check page.
import { z } from 'zod';
import type { AnswerMap } from '../instruments/enable-when.ts';
import { itemError, itemSchema, type ItemError } from '../instruments/item-schema.ts';
import type { Item, Page, Value } from '../instruments/model.ts';
import type { Lang, Views } from '../i18n/views.ts';
import { askedItems } from '../instruments/flow.ts';

/** The asked items' fields; an optional item left blank is saved as null (the page was answered). */
export function itemPageSchema(page: Page, answers: AnswerMap): z.ZodType<Record<string, Value | null>> {
  const fields = askedItems(page, answers).filter((i) => i.type !== 'display');
  const shape = Object.fromEntries(fields.map((item) => [item.linkId, itemSchema(item).transform((v) => v ?? null)]));
  return z.object(shape);
}

const fieldId = (item: Item) => `item-${item.linkId}`;
const radios = (item: Item) => item.type === 'choice' || item.type === 'boolean';

/** Where an error summary link leads: the first radio, or the field. */
function itemHref(item: Item): string {
  return radios(item) ? `#${fieldId(item)}-1` : `#${fieldId(item)}`;
}

function errorText(views: Views, lang: Lang, item: Item, error: ItemError): string {
  return views.t(lang, `items.${error}`, {
    min: decimal(lang, item.min),
    max: decimal(lang, item.max),
    maxLength: item.maxLength,
  });
}

/** A decimal shown with a comma in bokmål and nynorsk. */
function decimal(lang: Lang, n: number | undefined): string {
  if (n === undefined) return '';
  return lang === 'en' ? String(n) : String(n).replace('.', ',');
}

/**
 * A slider item's scale: rendered hidden next to its number field, shown and kept in step with it
 * by public/item-slider.js. Without JavaScript the number field alone is the answer.
 */
function sliderOf(views: Views, lang: Lang, item: Item) {
  if (!item.slider || item.min === undefined || item.max === undefined) return undefined;
  const ends = { min: decimal(lang, item.min), max: decimal(lang, item.max) };
  return {
    ...ends,
    rawMin: item.min,
    rawMax: item.max,
    // Whole steps for integers; tenths for decimals, the finest a person can aim at on a touch screen.
    step: item.type === 'integer' ? 1 : 0.1,
    comma: lang !== 'en',
    label: views.t(lang, 'items.sliderLabel', ends),
    unset: views.t(lang, 'items.sliderUnset'),
    chosen: views.t(lang, 'items.sliderValue', { value: '{value}' }),
  };
}

function hintOf(views: Views, lang: Lang, item: Item): string | undefined {
  const vars = { min: decimal(lang, item.min), max: decimal(lang, item.max), maxLength: item.maxLength };
  if (item.type === 'integer')
    return views.t(lang, item.min !== undefined ? 'items.hintWholeRange' : 'items.hintWhole', vars);
  if (item.type === 'decimal')
    return views.t(lang, item.min !== undefined ? 'items.hintDecimalRange' : 'items.hintDecimal', vars);
  if (item.type === 'date') return views.t(lang, 'items.hintDate');
  if (item.type === 'string') return views.t(lang, 'items.hintText', vars);
  return undefined;
}

export function itemPageView(
  views: Views,
  lang: Lang,
  page: Page,
  answers: AnswerMap,
  typed: Record<string, unknown> | undefined,
  error: z.ZodError | undefined,
) {
  const items = askedItems(page, answers);
  const single = items.filter((i) => i.type !== 'display').length === 1 && page.text === undefined;
  const errorsByItem = new Map<string, ItemError>();
  for (const issue of error?.issues ?? []) {
    const key = String(issue.path[0]);
    if (!errorsByItem.has(key)) errorsByItem.set(key, itemError(new z.ZodError([issue])));
  }
  const views_ = items.map((item) => {
    const err = errorsByItem.get(item.linkId);
    const raw = typed ? typed[item.linkId] : shownValue(answers[item.linkId], lang);
    const value = typeof raw === 'string' ? raw : '';
    const id = fieldId(item);
    return {
      id,
      name: item.linkId,
      text: item.text[lang],
      display: item.type === 'display',
      radios: radios(item),
      textarea: item.type === 'string' && item.maxLength > 100,
      inputmode: item.type === 'integer' ? 'numeric' : item.type === 'decimal' ? 'decimal' : undefined,
      number: item.type === 'integer' || item.type === 'decimal' || item.type === 'date',
      hint: hintOf(views, lang, item),
      slider: sliderOf(views, lang, item),
      heading: single && item.type !== 'display',
      value,
      error: err && errorText(views, lang, item, err),
      options: options(views, lang, item).map((o, i) => ({ ...o, id: `${id}-${i + 1}`, checked: o.value === value })),
    };
  });
  const errors = items.flatMap((item, i) =>
    views_[i]!.error ? [{ text: views_[i]!.error, href: itemHref(item) }] : [],
  );
  return {
    heading: single ? items.find((i) => i.type !== 'display')!.text[lang] : (page.text?.[lang] ?? items[0]!.text[lang]),
    groupHeading: !single,
    items: views_,
    errors: errors.length > 0 ? errors : undefined,
  };
}

function options(views: Views, lang: Lang, item: Item): { value: string; label: string }[] {
  if (item.type === 'boolean')
    return [
      { value: 'true', label: views.t(lang, 'items.yes') },
      { value: 'false', label: views.t(lang, 'items.no') },
    ];
  return item.options.map((o) => ({ value: o.code, label: o.display[lang] }));
}

/** A saved value as the field shows it again (booleans as true/false, decimals with a comma in nb/nn). */
function shownValue(value: unknown, lang: Lang): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return decimal(lang, value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The check page's rows for one page: every asked item with its answer in the reader's language. */
export function itemRows(views: Views, lang: Lang, page: Page, answers: AnswerMap, showErrors: boolean, href: string) {
  return askedItems(page, answers)
    .filter((item) => item.type !== 'display')
    .map((item) => {
      const value = answers[item.linkId];
      const missing = value === undefined;
      const heading = item.text[lang];
      return {
        id: `row-${item.linkId}`,
        heading,
        changeName: heading,
        value: missing || value === null ? views.t(lang, 'common.notAnswered') : answerText(views, lang, item, value),
        href,
        error: showErrors && missing ? views.t(lang, 'items.missingOne') : undefined,
      };
    });
}

function answerText(views: Views, lang: Lang, item: Item, value: unknown): string {
  if (item.type === 'choice') return item.options.find((o) => o.code === value)?.display[lang] ?? String(value);
  if (item.type === 'boolean') return views.t(lang, value === true ? 'items.yes' : 'items.no');
  return shownValue(value, lang);
}
