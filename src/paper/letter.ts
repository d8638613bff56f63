// A personalised paper letter (A4): a cover letter with the address placed for a window
// envelope, the EQ-5D-5L pages with a box per level, the EQ VAS as a vertical 200 mm scale,
// and return instructions. Every page carries the return id as text and as a QR code; the cover
// has the short code and a QR code to the web questionnaire. Text is real text in an embedded
// DejaVu font (covers æøå), so it stays extractable and searchable.
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { LocalProfile } from '../register/profile.ts';
import type { InstrumentText } from '../instruments/eq5d-texts.ts';
import type { Item } from '../instruments/model.ts';
import { drawItemPage, itemPages } from './letter-items.ts';
import type { Lang, TextVars, Views } from '../i18n/views.ts';
import { drawRespondent } from './letter-respondent.ts';

const require = createRequire(import.meta.url);
const FONT = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

export const MM = 72 / 25.4;
/** EuroQol's paper requirement: the EQ VAS is 20 cm long. */
const VAS_LENGTH_MM = 200;
export const PAGES_PER_LETTER = 4;

export interface LetterData {
  letterId: string;
  /** 'requested': the person asked for the questionnaire on paper, and the letter says so. */
  kind: 'invitation' | 'reminder' | 'requested';
  lang: Lang;
  name: string | null;
  /** Name first, then street, then postal code and city. */
  address: string[];
  shortCode: string;
  /** Where to type the code, e.g. https://prom.example.no/kode */
  codeUrl: string;
  /** What the cover's QR code opens (the code page with the code filled in). */
  webQrUrl: string;
  date: string;
  /** Items of the programme's instruments other than EQ-5D, drawn after the EQ VAS. */
  otherItems?: Item[];
}

export interface LetterTexts {
  views: Views;
  instrument: (lang: Lang) => InstrumentText;
  /** The register's profile in the letter's language: letterhead, privacy paragraph, contact. */
  register: (lang: Lang) => LocalProfile;
}

/** Body text size: at least 12 pt for older readers; only the return id and footer are smaller than 10 pt. */
const BODY = 12;

export function newLetterDocument(): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    info: { Title: 'Spørreskjema', Producer: 'prom-survey' },
  });
  doc.registerFont('body', FONT);
  doc.registerFont('bold', FONT_BOLD);
  return doc;
}

/** Draws one letter (PAGES_PER_LETTER pages) onto `doc`; batches draw many onto one document. */
export function drawLetter(doc: PDFKit.PDFDocument, data: LetterData, texts: LetterTexts): void {
  const t = (key: string, vars?: TextVars) => texts.views.t(data.lang, `letter.${key}`, vars);
  const instrument = texts.instrument(data.lang);
  const returnQr = QRCode.create(data.letterId, { errorCorrectionLevel: 'M' });
  const extra = itemPages(data.otherItems ?? []);
  const total = PAGES_PER_LETTER + extra.length;
  const page = (n: number) => {
    doc.addPage({ size: 'A4', margin: 0 });
    drawQr(doc, returnQr, 170 * MM, 12 * MM, 26 * MM);
    doc
      .font('body')
      .fontSize(8)
      .fillColor('#000')
      .text(t('returnId', { id: data.letterId }), 150 * MM, 39 * MM, { width: 46 * MM, align: 'right' });
    doc.text(t('page', { n, total }), 20 * MM, 285 * MM, { width: 170 * MM, align: 'center' });
  };
  page(1);
  const ct = (key: string, vars?: TextVars) => texts.views.t(data.lang, `contact.${key}`, vars);
  drawCover(doc, data, texts.register(data.lang), t, ct);
  page(2);
  drawDimensions(doc, instrument, t, 0, 3, (y) =>
    drawRespondent(doc, (key) => texts.views.t(data.lang, `respondent.${key}`), y),
  );
  page(3);
  drawDimensions(doc, instrument, t, 3, 5);
  page(4);
  drawVas(doc, instrument, t);
  let number = 7;
  extra.forEach((items, i) => {
    page(PAGES_PER_LETTER + 1 + i);
    drawItemPage(doc, items, data.lang, texts.views, number);
    number += items.length;
  });
}

/** Pages of one letter: EQ-5D's four and those of the other items. */
export function letterPages(otherItems: Item[] = []): number {
  return PAGES_PER_LETTER + itemPages(otherItems).length;
}

export async function letterPdf(data: LetterData, texts: LetterTexts): Promise<Buffer> {
  const doc = newLetterDocument();
  const done = collect(doc);
  drawLetter(doc, data, texts);
  doc.end();
  return done;
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

type Texts = (key: string, vars?: TextVars) => string;

/** Web and e-mail addresses must not break across lines: a word joiner after each break point. */
export function unbroken(address: string): string {
  return address.replace(/([/.@:-])(?=.)/g, '$1\u2060');
}

function drawCover(doc: PDFKit.PDFDocument, data: LetterData, register: LocalProfile, t: Texts, ct: Texts): void {
  drawLetterhead(doc, register);
  // Window envelope (C5/E65, window on the left, 20–110 mm from the left, 45–85 mm from the top):
  // only the recipient's address, so nothing seen through the window says who wrote or why.
  doc
    .font('body')
    .fontSize(BODY)
    .text(data.address.join('\n'), 22 * MM, 52 * MM, { width: 85 * MM, lineGap: 1 });
  // An unusually long address pushes the text down rather than running into it.
  let y = Math.max(97 * MM, doc.y + 4 * MM);
  doc.fontSize(10).text(t('date', { date: data.date }), 130 * MM, 89 * MM, { width: 60 * MM, align: 'right' });

  const para = (text: string, opts: { bold?: boolean; gap?: number; width?: number } = {}) => {
    doc.font(opts.bold ? 'bold' : 'body').fontSize(BODY);
    doc.text(text, 20 * MM, y, { width: (opts.width ?? 170) * MM, lineGap: 1 });
    y = doc.y + (opts.gap ?? 2.5 * MM);
  };
  const reg: TextVars = {
    ...register,
    email: register.email && unbroken(register.email),
    privacyUrl: register.privacyUrl && unbroken(register.privacyUrl),
  };
  para(data.name ? t('greeting', { name: data.name }) : t('greetingNoName'));
  para(
    [
      ct('fromLine', { name: register.name, organisation: register.organisation }),
      data.kind === 'requested' ? ct('letterRequested') : t(data.kind),
      register.purpose,
    ]
      .filter(Boolean)
      .join(' '),
  );
  para(t('paperHow'));
  drawCodeBlock(doc, data, t, y);
  y += 33 * MM;
  para(t('noContact', { phone: register.phone, url: unbroken(data.codeUrl) }));
  para(ct('privacyTitle'), { bold: true, gap: 1 * MM });
  para(
    [
      ct('privacyController', reg),
      ct('privacyUse'),
      ct('privacyWithdraw', reg),
      register.privacyUrl && ct('privacyMore', reg),
    ]
      .filter(Boolean)
      .join(' '),
  );
  para(
    [
      register.email ? ct('questionsPhoneEmail', reg) : ct('questionsPhone', reg),
      register.website && ct('website', { website: unbroken(register.websiteShown ?? '') }),
    ]
      .filter(Boolean)
      .join(' '),
  );
  para(register.signature ?? register.name, { gap: 0 });
}

/** Top left, above the window: who writes, and where to send a letter back. */
function drawLetterhead(doc: PDFKit.PDFDocument, register: LocalProfile): void {
  doc
    .font('bold')
    .fontSize(BODY)
    .text(register.name, 20 * MM, 12 * MM, { width: 120 * MM });
  doc
    .font('body')
    .fontSize(10)
    .text([register.organisation, register.address].filter(Boolean).join('\n'), 20 * MM, doc.y + 0.5 * MM, {
      width: 120 * MM,
    });
}

/** How to answer online beside the QR code; the code on a line of its own, never broken. */
function drawCodeBlock(doc: PDFKit.PDFDocument, data: LetterData, t: Texts, y: number): void {
  doc
    .font('body')
    .fontSize(BODY)
    .text(t('webHow', { url: unbroken(data.codeUrl) }), 20 * MM, y, { width: 120 * MM, lineGap: 1 });
  const codeY = doc.y + 2 * MM;
  doc
    .font('bold')
    .fontSize(10)
    .text(t('codeLabel'), 20 * MM, codeY, { width: 100 * MM });
  doc
    .font('bold')
    .fontSize(20)
    .text(data.shortCode, 20 * MM, codeY + 5 * MM, { lineBreak: false, characterSpacing: 1 });
  drawQr(doc, QRCode.create(data.webQrUrl, { errorCorrectionLevel: 'M' }), 158 * MM, y, 32 * MM);
}

function drawDimensions(
  doc: PDFKit.PDFDocument,
  instrument: InstrumentText,
  t: (k: string) => string,
  from: number,
  to: number,
  /** Draws a block below the instructions (who is filling in) and returns where the questions start. */
  first?: (y: number) => number,
): void {
  let y = 50 * MM;
  if (from === 0) {
    doc
      .font('bold')
      .fontSize(14)
      .text(t('questionnaireTitle'), 20 * MM, y, { width: 130 * MM });
    y = doc.y + 2 * MM;
    doc
      .font('body')
      .fontSize(BODY)
      .text(t('questionnaireHow'), 20 * MM, y, { width: 170 * MM });
    y = doc.y + 6 * MM;
    if (first) y = first(y);
  }
  for (const dim of instrument.dimensions.slice(from, to)) {
    doc
      .font('bold')
      .fontSize(12)
      .text(dim.heading, 20 * MM, y, { width: 170 * MM });
    y = doc.y + 1 * MM;
    doc
      .font('body')
      .fontSize(BODY)
      .text(dim.question, 20 * MM, y, { width: 170 * MM });
    y = doc.y + 3 * MM;
    for (const level of dim.levels) {
      doc
        .font('body')
        .fontSize(BODY)
        .text(level, 25 * MM, y, { width: 140 * MM });
      doc
        .lineWidth(1)
        .rect(172 * MM, y - 0.5 * MM, 6 * MM, 6 * MM)
        .stroke();
      y = Math.max(doc.y, y + 6 * MM) + 2.5 * MM;
    }
    y += 6 * MM;
  }
}

function drawVas(doc: PDFKit.PDFDocument, instrument: InstrumentText, t: (k: string) => string): void {
  doc
    .font('bold')
    .fontSize(14)
    .text(instrument.vas.heading, 20 * MM, 45 * MM, { width: 110 * MM });
  doc
    .font('body')
    .fontSize(BODY)
    .text(t('vasHow'), 20 * MM, doc.y + 2 * MM, { width: 95 * MM, lineGap: 2 });
  // The box for the number, left of the scale.
  const boxY = doc.y + 10 * MM;
  doc
    .font('bold')
    .fontSize(BODY)
    .text(t('vasBox'), 20 * MM, boxY + 3 * MM, { width: 50 * MM });
  doc
    .lineWidth(1.5)
    .rect(68 * MM, boxY, 24 * MM, 12 * MM)
    .stroke();

  // The scale: 100 at the top, 0 at the bottom, exactly VAS_LENGTH_MM long.
  const x = 150 * MM;
  const top = 70 * MM;
  const bottom = top + VAS_LENGTH_MM * MM;
  doc
    .font('body')
    .fontSize(10)
    .text(instrument.vas.best, x - 30 * MM, top - 16 * MM, { width: 60 * MM, align: 'center' });
  doc.text(instrument.vas.worst, x - 30 * MM, bottom + 5 * MM, { width: 60 * MM, align: 'center' });
  doc.lineWidth(1.2).moveTo(x, top).lineTo(x, bottom).stroke();
  for (let v = 0; v <= 100; v++) {
    const y = bottom - (v / 100) * (bottom - top);
    const half = v % 10 === 0 ? 5 * MM : v % 5 === 0 ? 3.5 * MM : 1.8 * MM;
    doc
      .lineWidth(v % 5 === 0 ? 1 : 0.5)
      .moveTo(x - half, y)
      .lineTo(x + half, y)
      .stroke();
    if (v % 10 === 0)
      doc
        .font('body')
        .fontSize(10)
        .text(String(v), x + 7 * MM, y - 3.5, { width: 12 * MM, lineBreak: false });
  }
  doc
    .font('bold')
    .fontSize(BODY)
    .text(t('returnTitle'), 20 * MM, 200 * MM, { width: 95 * MM });
  doc
    .font('body')
    .fontSize(BODY)
    .text(t('returnHow'), 20 * MM, doc.y + 2 * MM, { width: 95 * MM, lineGap: 2 });
}

/** Draws a QR code from its module matrix as vector squares (crisp at any print resolution). */
function drawQr(doc: PDFKit.PDFDocument, qr: QRCode.QRCode, x: number, y: number, size: number): void {
  const n = qr.modules.size;
  const quiet = 2;
  const cell = size / (n + quiet * 2);
  doc.save().rect(x, y, size, size).fill('#fff').fillColor('#000');
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (qr.modules.data[r * n + c]) doc.rect(x + (c + quiet) * cell, y + (r + quiet) * cell, cell, cell);
    }
  }
  doc.fill('#000').restore();
}
