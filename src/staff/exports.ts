// CSV downloads from the staff pages (cells a spreadsheet would run as a formula are defused).
// The analysts' pseudonymous response file is the analysis export's wide CSV
// (src/reports/exports), streamed.
import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { defuseCell } from '../reports/exports/csv-cells.ts';

/** CSV with a header; text that starts with = + - @ (or a tab/CR) is prefixed with ' so spreadsheets show it as text. */
export function toCsv(records: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const safe = records.map((r) => Object.fromEntries(columns.map((c) => [c, defuseCell(r[c])])));
  return stringify(safe, { header: true, columns: [...columns] });
}

export function rowsToCsv(rows: readonly (readonly string[])[]): string {
  return stringify(rows.map((r) => r.map(defuseCell)));
}

/**
 * `attachment; filename="…"` with a name that cannot leave the download folder or the header: only
 * the last path segment, letters, digits, ".", "_" and "-" (anything else becomes "_"), no
 * leading dots. A quote or line break in the name can therefore neither add a parameter
 * (filename*=…) nor break the header (which Node refuses with a 500).
 */
export function attachmentHeader(filename: string): string {
  const base = filename.split(/[/\\]/).pop() ?? '';
  const safe = base
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 100);
  return `attachment; filename="${safe || 'download.csv'}"`;
}

/** Headers for a CSV download; the byte order mark makes spreadsheets read æøå as UTF-8. */
export function startCsv(res: Response, filename: string): void {
  res
    .status(200)
    .set('Content-Type', 'text/csv; charset=utf-8')
    .set('Content-Disposition', attachmentHeader(filename))
    .set('Cache-Control', 'no-store');
  res.write('\ufeff');
}

export function sendCsv(res: Response, filename: string, csv: string): void {
  res
    .status(200)
    .set('Content-Type', 'text/csv; charset=utf-8')
    .set('Content-Disposition', attachmentHeader(filename))
    .set('Cache-Control', 'no-store')
    // The byte order mark makes spreadsheet programs read æøå as UTF-8.
    .send(`\ufeff${csv}`);
}
