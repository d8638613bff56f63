// The letter's pages for instruments other than EQ-5D, drawn from the same definitions as the
// web pages: a choice (or yes/no) item as tick boxes, a number as boxes to write in, a 0–100
// slider as a 200 mm scale, text and dates as a line to write on. Three items to a page.
import type { Item } from '../instruments/model.ts';
import type { Lang, Views } from '../i18n/views.ts';

const MM = 72 / 25.4;
const BODY = 12;
const ITEMS_PER_PAGE = 3;

/** A 0–100 slider is the EuroQol-style 200 mm scale on a page of its own. */
function isScale(item: Item): boolean {
  return item.slider && item.min === 0 && item.max === 100;
}

/** Groups the items into pages: up to three per page, a 200 mm scale alone. */
export function itemPages(items: Item[]): Item[][] {
  const pages: Item[][] = [];
  let current: Item[] = [];
  for (const item of items) {
    if (isScale(item)) {
      if (current.length > 0) pages.push(current);
      pages.push([item]);
      current = [];
      continue;
    }
    current.push(item);
    if (current.length === ITEMS_PER_PAGE) {
      pages.push(current);
      current = [];
    }
  }
  if (current.length > 0) pages.push(current);
  return pages;
}

/** Draws one page's items; the caller has added the page (return id, page number). `first` numbers the questions. */
export function drawItemPage(doc: PDFKit.PDFDocument, items: Item[], lang: Lang, views: Views, first: number): void {
  let y = 50 * MM;
  items.forEach((item, i) => {
    const label = `${first + i}. ${item.text[lang]}`;
    doc
      .font('bold')
      .fontSize(12)
      .fillColor('#000')
      .text(label, 20 * MM, y, { width: 170 * MM });
    y = doc.y + 3 * MM;
    if (item.type === 'choice' || item.type === 'boolean') y = drawBoxes(doc, optionsOf(item, lang, views), y);
    else if (isScale(item)) y = drawScale(doc, y);
    else y = drawWriteIn(doc, item, lang, views, y);
    y += 8 * MM;
  });
}

function optionsOf(item: Item, lang: Lang, views: Views): string[] {
  if (item.type === 'boolean') return [views.t(lang, 'items.yes'), views.t(lang, 'items.no')];
  return item.options.map((o) => o.display[lang]);
}

function drawBoxes(doc: PDFKit.PDFDocument, labels: string[], top: number): number {
  let y = top;
  for (const label of labels) {
    doc
      .font('body')
      .fontSize(BODY)
      .text(label, 25 * MM, y, { width: 140 * MM });
    doc
      .lineWidth(1)
      .rect(172 * MM, y - 0.5 * MM, 6 * MM, 6 * MM)
      .stroke();
    y = Math.max(doc.y, y + 6 * MM) + 2.5 * MM;
  }
  return y;
}

/** A number, date or text: the hint from the web page, then boxes (numbers) or a line to write on. */
function drawWriteIn(doc: PDFKit.PDFDocument, item: Item, lang: Lang, views: Views, top: number): number {
  const hint = writeInHint(item, lang, views);
  let y = top;
  if (hint) {
    doc
      .font('body')
      .fontSize(BODY)
      .text(hint, 25 * MM, y, { width: 140 * MM });
    y = doc.y + 2 * MM;
  }
  if (item.type === 'string') {
    doc
      .moveTo(25 * MM, y + 10 * MM)
      .lineTo(185 * MM, y + 10 * MM)
      .stroke();
    return y + 12 * MM;
  }
  const boxes = item.type === 'date' ? 10 : 4;
  for (let b = 0; b < boxes; b++)
    doc
      .lineWidth(1)
      .rect((25 + b * 8) * MM, y, 7 * MM, 9 * MM)
      .stroke();
  return y + 11 * MM;
}

function writeInHint(item: Item, lang: Lang, views: Views): string | undefined {
  const show = (n: number | undefined) =>
    n === undefined ? '' : lang === 'en' ? String(n) : String(n).replace('.', ',');
  const vars = { min: show(item.min), max: show(item.max), maxLength: item.maxLength };
  if (item.type === 'integer')
    return views.t(lang, item.min !== undefined ? 'items.hintWholeRange' : 'items.hintWhole', vars);
  if (item.type === 'decimal')
    return views.t(lang, item.min !== undefined ? 'items.hintDecimalRange' : 'items.hintDecimal', vars);
  if (item.type === 'date') return views.t(lang, 'items.hintDate');
  return undefined;
}

/** 0 at the bottom, 100 at the top, 200 mm long, with a tick every 5 and a label every 10. */
function drawScale(doc: PDFKit.PDFDocument, top: number): number {
  const x = 150 * MM;
  const upper = Math.max(top, 60 * MM);
  const lower = upper + 200 * MM;
  doc.lineWidth(1).moveTo(x, upper).lineTo(x, lower).stroke();
  for (let v = 0; v <= 100; v += 5) {
    const y = lower - (v / 100) * 200 * MM;
    const len = v % 10 === 0 ? 5 * MM : 3 * MM;
    doc
      .moveTo(x - len, y)
      .lineTo(x + len, y)
      .stroke();
    if (v % 10 === 0)
      doc
        .font('body')
        .fontSize(9)
        .text(String(v), x + 7 * MM, y - 1.5 * MM, { width: 12 * MM });
  }
  return lower;
}
