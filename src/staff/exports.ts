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


/** Headers for a CSV download; the byte order mark makes spreadsheets read æøå as UTF-8. */
export function startCsv(res: Response, filename: string): void {
  res
    .status(200)
    .set('Content-Type', 'text/csv; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="${filename}"`)
    .set('Cache-Control', 'no-store');
  res.write('\ufeff');
}

export function sendCsv(res: Response, filename: string, csv: string): void {
  res
    .status(200)
    .set('Content-Type', 'text/csv; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="${filename}"`)
    .set('Cache-Control', 'no-store')
    // The byte order mark makes spreadsheet programs read æøå as UTF-8.
    .send(`\ufeff${csv}`);
}
