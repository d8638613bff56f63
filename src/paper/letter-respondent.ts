// "Who is filling in this questionnaire?" on the letter: the web page's question with
// its three answers as tick boxes, at the top of the first questionnaire page. Keyed on the entry
// form as one character (src/paper/respondent-field.ts): the boxes are numbered 1–3 from the top.
import { RESPONDENTS } from '../instruments/respondent.ts';

const MM = 72 / 25.4;

/** Draws the question from `y` (points) and returns where the next block may start. */
export function drawRespondent(doc: PDFKit.PDFDocument, text: (key: string) => string, y: number): number {
  doc
    .font('bold')
    .fontSize(12)
    .text(text('title'), 20 * MM, y, { width: 150 * MM });
  y = doc.y + 2 * MM;
  for (const value of RESPONDENTS) {
    doc
      .font('body')
      .fontSize(11)
      .text(text(value), 25 * MM, y, { width: 140 * MM });
    doc
      .lineWidth(1)
      .rect(172 * MM, y - 0.5 * MM, 5 * MM, 5 * MM)
      .stroke();
    y = Math.max(doc.y, y + 5 * MM) + 1.5 * MM;
  }
  return y + 4 * MM;
}
