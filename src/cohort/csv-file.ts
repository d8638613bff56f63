// How every file a register sends is read as CSV: a byte-order mark allowed, comma or semicolon
// (spreadsheets in Norwegian locales save with semicolons), blank lines skipped, cells trimmed,
// header names checked by the caller, and each record with its line number for "line N: …".
import type { Readable } from 'node:stream';
import { parse, type Parser } from 'csv-parse';

export interface CsvRecord {
  record: Record<string, string>;
  info: { lines: number };
}

export function registerCsv(
  input: Readable,
  checkHeader: (header: string[]) => string[],
  maxRecordChars?: number,
): Parser & AsyncIterable<CsvRecord> {
  return input.pipe(
    parse({
      bom: true,
      delimiter: [',', ';'],
      columns: checkHeader,
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: true,
      ...(maxRecordChars === undefined ? {} : { max_record_size: maxRecordChars }),
    }),
  ) as Parser & AsyncIterable<CsvRecord>;
}
