// Register intake from CSV: validate each row, upsert survivors and their arrest event by
// register_id. Bad rows are reported as `line N: column: reason`; good rows are still imported.
import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { survivorRowSchema, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, type SurvivorRow } from './survivor-row.ts';

export interface ImportReport {
  inserted: number;
  updated: number;
  rejected: number;
  /** One line per problem: `line N: column: reason`. */
  problems: string[];
  /** Things worth knowing that refused nothing, e.g. the file's encoding. */
  notices: string[];
}

export class ImportRefused extends Error {}

const BATCH = 500;
/** A longer record is not a survivor row; refusing it keeps memory bounded. */
const MAX_RECORD_CHARS = 64 * 1024;
type Encoding = 'utf-8' | 'windows-1252';

/**
 * Imports a file all or nothing at the file level: its encoding is found first (UTF-8, or the
 * Windows-1252 that Excel writes for "CSV (semikolondelt)"), then the whole file is parsed once
 * without writing, so a file that is not readable CSV is refused before any row is stored.
 */
export async function importSurvivorsFile(db: Db, file: string, opts: { dryRun?: boolean } = {}): Promise<ImportReport> {
  const encoding = await detectEncoding(file);
  await checkReadable(decodedFile(file, encoding));
  const report = await importSurvivors(db, decodedFile(file, encoding), opts);
  if (encoding !== 'utf-8') report.notices.push('The file is not UTF-8, so it was read as Windows-1252 (what Excel writes for "CSV (semikolondelt)").');
  return report;
}

export async function importSurvivors(db: Db, input: Readable, opts: { dryRun?: boolean } = {}): Promise<ImportReport> {
  const report: ImportReport = { inserted: 0, updated: 0, rejected: 0, problems: [], notices: [] };
  let batch: { line: number; row: SurvivorRow }[] = [];
  for await (const { record, line } of records(input)) {
    const parsed = survivorRowSchema.safeParse(record);
    if (!parsed.success) {
      report.rejected++;
      for (const issue of parsed.error.issues) report.problems.push(`line ${line}: ${String(issue.path[0])}: ${issue.message}`);
      continue;
    }
    batch.push({ line, row: parsed.data });
    if (batch.length >= BATCH) {
      await writeBatch(db, batch, report, opts.dryRun ?? false);
      batch = [];
    }
  }
  if (batch.length > 0) await writeBatch(db, batch, report, opts.dryRun ?? false);
  return report;
}

/** Parsed records with their line numbers; CSV errors become ImportRefused with a clear reason. */
async function* records(input: Readable): AsyncGenerator<{ record: Record<string, string>; line: number }> {
  const parser = input.pipe(
    parse({
      bom: true,
      delimiter: [',', ';'],
      columns: checkHeader,
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: true,
      max_record_size: MAX_RECORD_CHARS,
    }),
  );
  input.on('error', (err) => parser.destroy(err));
  try {
    for await (const r of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) yield { record: r.record, line: r.info.lines };
  } catch (err) {
    throw refusal(err);
  }
}

function refusal(err: unknown): ImportRefused {
  if (err instanceof ImportRefused) return err;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ImportRefused) return cause;
  const e = err as { code?: string; lines?: number; message?: string };
  const where = typeof e.lines === 'number' ? `line ${e.lines}: ` : '';
  if (e.code === 'CSV_MAX_RECORD_SIZE') return new ImportRefused(`${where}a record is longer than ${MAX_RECORD_CHARS} characters; the file is not a list of survivors. Nothing was imported.`);
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') return new ImportRefused(`${where}a quoted field is never closed. Nothing was imported.`);
  return new ImportRefused(`The file could not be read as CSV (${where}${(e.message ?? String(err)).slice(0, 200)}). Nothing was imported.`);
}

/** Reads the file once without writing, so CSV that cannot be read is refused before any row is stored. */
async function checkReadable(input: Readable): Promise<void> {
  for await (const _ of records(input)) {
    /* only the parse matters here */
  }
}

async function detectEncoding(file: string): Promise<Encoding> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(file)) decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
    return 'utf-8';
  } catch (err) {
    if (err instanceof TypeError) return 'windows-1252';
    throw err;
  }
}

function decodedFile(file: string, encoding: Encoding): Readable {
  const decoder = new TextDecoder(encoding);
  const source = createReadStream(file);
  const text = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      cb(null, decoder.decode(chunk, { stream: true }));
    },
    flush(cb) {
      cb(null, decoder.decode());
    },
  });
  source.on('error', (err) => text.destroy(err));
  return source.pipe(text);
}

function checkHeader(header: string[]): string[] {
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new ImportRefused(
      `line 1: the header is missing the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. ` +
        `Required: ${REQUIRED_COLUMNS.join(', ')}; optional: ${OPTIONAL_COLUMNS.join(', ')}.`,
    );
  }
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new ImportRefused(`line 1: the column ${n} appears twice in the header.`);
    seen.add(n);
  }
  return names;
}

/** Writes one batch in a transaction; rows that clash with another person's national id are rejected. */
async function writeBatch(db: Db, batch: { line: number; row: SurvivorRow }[], report: ImportReport, dryRun: boolean) {
  await db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('survivors')
      .select(['register_id', 'national_id'])
      .where((eb) =>
        eb.or([
          eb('register_id', 'in', batch.map((b) => b.row.register_id)),
          eb('national_id', 'in', batch.map((b) => b.row.national_id)),
        ]),
      )
      .execute();
    const owner = new Map(existing.map((e) => [e.national_id, e.register_id]));
    const known = new Set(existing.map((e) => e.register_id));
    for (const { line, row } of batch) {
      const holder = owner.get(row.national_id);
      if (holder !== undefined && holder !== row.register_id) {
        report.rejected++;
        report.problems.push(`line ${line}: national_id: already belongs to register_id ${holder}`);
        continue;
      }
      // A register_id that changes its national id must not leave the old number claimed.
      for (const [nid, rid] of owner) if (rid === row.register_id) owner.delete(nid);
      owner.set(row.national_id, row.register_id);
      if (known.has(row.register_id)) report.updated++;
      else report.inserted++;
      known.add(row.register_id);
      if (!dryRun) await upsert(trx, row);
    }
  });
}

/** The register_id that already holds this national id, if it is another one (API intake, one record). */
export async function nationalIdHolder(trx: Db, row: Pick<SurvivorRow, 'register_id' | 'national_id'>): Promise<string | undefined> {
  const other = await trx.selectFrom('survivors').select('register_id').where('national_id', '=', row.national_id).where('register_id', '<>', row.register_id).executeTakeFirst();
  return other?.register_id;
}

/** Inserts or updates one survivor and their arrest event by register_id (also used by the API). */
export async function upsert(trx: Db, row: SurvivorRow): Promise<void> {
  const person = {
    register_id: row.register_id,
    national_id: row.national_id,
    birth_date: row.birth_date,
    sex: row.sex,
    given_name: row.given_name,
    family_name: row.family_name,
    email: row.email,
    phone: row.phone,
    address_line: row.address_line,
    postal_code: row.postal_code,
    city: row.city,
    language: row.language,
  };
  const { register_id: _key, ...changes } = person;
  const survivor = await trx
    .insertInto('survivors')
    .values(person)
    .onConflict((oc) => oc.column('register_id').doUpdateSet({ ...changes, updated_at: sql`now()` }))
    .returning('id')
    .executeTakeFirstOrThrow();
  const event = { arrest_date: row.arrest_date, arrest_type: row.arrest_type, hospital: row.hospital };
  await trx
    .insertInto('arrest_events')
    .values({ survivor_id: survivor.id, ...event })
    .onConflict((oc) => oc.column('survivor_id').doUpdateSet({ ...event, updated_at: sql`now()` }))
    .execute();
}
