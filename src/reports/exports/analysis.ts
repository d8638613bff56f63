// The analysts' export: pseudonymous responses (wide CSV, long CSV or a FHIR R4 Bundle) plus the
// codebook and label scripts, written into one folder with fixed file names. Streams rows with
// constant memory; never writes a national id, name, address, e-mail or register id.
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Db } from '../../db/database.ts';
import type { InstrumentText } from '../../instruments/eq5d-texts.ts';
import type { ValueSetId } from '../eq5d/engine.ts';
import { otherQuestionnaireResponses, questionnaire, questionnaireResponse } from './fhir.ts';
import { codebookCsv, rScript, spssScript, stataScript, WIDE_FILE } from './label-scripts.ts';
import { responseRows } from './rows.ts';
import { analysisVariables, LONG_ITEMS, pseudonymiser, type ExportContext } from './variables.ts';
import { defuseCell } from './csv-cells.ts';
import { itemLongRows, itemVariables } from './item-variables.ts';
import { formatValue } from '../../instruments/item-schema.ts';
import type { Instrument } from '../../instruments/model.ts';

export type AnalysisFormat = 'wide' | 'long' | 'fhir';

export interface AnalysisExportOptions {
  format: AnalysisFormat;
  valueSet: ValueSetId;
  exportKey: string;
  pseudonymKey: string;
  instrument: InstrumentText;
  /** Added instruments with responses: their items follow EQ-5D's variables. */
  extraInstruments?: Instrument[];
}

export const DATA_FILES: Record<AnalysisFormat, string> = {
  wide: WIDE_FILE,
  long: 'responses-long.csv',
  fhir: 'responses.fhir.json',
};

export async function writeAnalysisExport(
  db: Db,
  dir: string,
  opts: AnalysisExportOptions,
): Promise<{ files: string[]; rows: number }> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ctx: ExportContext = { valueSet: opts.valueSet, pseudonym: pseudonymiser(opts.pseudonymKey, opts.exportKey) };
  const vars = [...analysisVariables(opts.valueSet), ...itemVariables(opts.extraInstruments ?? [])];
  const extraItems = itemLongRows(opts.extraInstruments ?? []);
  const dataFile = path.join(dir, DATA_FILES[opts.format]);
  const out = createWriteStream(dataFile, { mode: 0o600 });
  const rows =
    opts.format === 'fhir'
      ? await writeFhir(db, out, ctx, opts.instrument)
      : await writeCsv(db, out, ctx, opts.format, vars, extraItems);
  const extras: [string, string][] = [
    ['codebook.csv', codebookCsv(vars)],
    ['labels.R', rScript(vars)],
    ['labels.do', stataScript(vars)],
    ['labels.sps', spssScript(vars)],
  ];
  for (const [name, text] of extras) writeFileSync(path.join(dir, name), text, { mode: 0o600 });
  return { files: [DATA_FILES[opts.format], ...extras.map(([n]) => n)], rows };
}

/** The wide file alone, streamed to `out` (the staff page's download uses it too). */
export async function streamWideCsv(
  db: Db,
  out: Writable,
  opts: { valueSet: ValueSetId; exportKey: string; pseudonymKey: string },
): Promise<number> {
  const ctx: ExportContext = { valueSet: opts.valueSet, pseudonym: pseudonymiser(opts.pseudonymKey, opts.exportKey) };
  return writeCsv(db, out, ctx, 'wide', analysisVariables(opts.valueSet));
}

async function writeCsv(
  db: Db,
  out: Writable,
  ctx: ExportContext,
  format: 'wide' | 'long',
  vars: ReturnType<typeof analysisVariables>,
  extraItems: string[] = [],
): Promise<number> {
  const columns =
    format === 'wide' ? vars.map((v) => v.name) : ['pid', 'rid', 'arrest_type', 'respondent', 'item', 'value'];
  const csv = stringify({ header: true, columns });
  const written = pipeline(csv, out);
  let count = 0;
  for await (const r of responseRows(db)) {
    // The long file's fixed columns repeat on each of a response's rows.
    const fixed = () => ({
      pid: ctx.pseudonym('person', r.register_id),
      rid: ctx.pseudonym('response', r.id),
      arrest_type: defuseCell(r.arrest_type),
      respondent: r.respondent ?? '',
    });
    const records =
      format === 'wide'
        ? [Object.fromEntries(vars.map((v) => [v.name, defuseCell(v.value(r, ctx) ?? '')]))]
        : LONG_ITEMS.map(([item, field]): Record<string, unknown> => ({
            ...fixed(),
            item,
            value: r[field] ?? '',
          })).concat(
            extraItems
              .filter((linkId) => r.items?.[linkId] !== undefined)
              .map((linkId) => ({ ...fixed(), item: linkId, value: defuseCell(formatValue(r.items?.[linkId])) })),
          );
    for (const record of records) if (!csv.write(record)) await new Promise((resolve) => csv.once('drain', resolve));
    count++;
  }
  csv.end();
  await written;
  return count;
}

/** Writes the Bundle entry by entry, so memory stays flat however many responses there are. */
async function writeFhir(db: Db, out: Writable, ctx: ExportContext, text: InstrumentText): Promise<number> {
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write(`{"resourceType":"Bundle","type":"collection","timestamp":"${new Date().toISOString()}","entry":[`);
  await write(JSON.stringify({ fullUrl: 'urn:prom-survey:Questionnaire/eq5d5l-evas', resource: questionnaire(text) }));
  let count = 0;
  for await (const r of responseRows(db)) {
    const resource = questionnaireResponse(r, ctx, text);
    for (const qr of [resource, ...otherQuestionnaireResponses(r, ctx)]) {
      await write(`,${JSON.stringify({ fullUrl: `urn:prom-survey:QuestionnaireResponse/${qr.id}`, resource: qr })}`);
    }
    count++;
  }
  await write(']}\n');
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return count;
}
