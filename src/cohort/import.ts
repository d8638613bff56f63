// Register intake from CSV: validate each row, upsert survivors and their arrest event by
// register_id. Bad rows are reported as `line N: column: reason`; good rows are still imported.
// Rows are written in batches of 500, each batch in one transaction with one multi-row statement
// for survivors and one for arrest events, so a million-row file is ~4,000 statements, not 2 million.
import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { erasedAmong } from '../invitations/erase.ts';
import { survivorRowSchema, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, type SurvivorRow } from './survivor-row.ts';
import { registerCsv } from './csv-file.ts';
import { Refusal } from '../refusal.ts';

export interface ImportReport {
  inserted: number;
  updated: number;
  /** Every rejected row, also those whose problems are beyond the listed ones. */
  rejected: number;
  /**
   * The first MAX_LISTED_PROBLEMS problems in line order, one per problem: `line N: column: reason`
   * (a row with several bad cells has several). The rest are only counted in `moreProblems`, so a
   * file of a million bad rows does not hold a million strings; `prom import` ends the list with
   * "… and N more problems".
   */
  problems: string[];
  /** Problems found beyond the first MAX_LISTED_PROBLEMS, counted but not listed. */
  moreProblems: number;
  /** Things worth knowing that refused nothing, e.g. the file's encoding. */
  notices: string[];
}

/** How many problem lines a report lists; enough to see what is wrong with a file and where. */
export const MAX_LISTED_PROBLEMS = 1000;

export class ImportRefused extends Refusal {}

const BATCH = 500;
/** PostgreSQL (and PGlite) take at most 65,535 bind parameters per statement. */
const MAX_BIND_PARAMETERS = 65_535;
/** A longer record is not a survivor row; refusing it keeps memory bounded. */
const MAX_RECORD_CHARS = 64 * 1024;
type Encoding = 'utf-8' | 'windows-1252';

/**
 * Imports a file all or nothing at the file level: its encoding is found first (UTF-8, or the
 * Windows-1252 that Excel writes for "CSV (semikolondelt)"), then the whole file is parsed once
 * without writing, so a file that is not readable CSV is refused before any row is stored.
 */
export interface ImportOptions {
  dryRun?: boolean;
  /** ERASURE_KEY: people erased at their request are refused, not stored again. */
  erasureKey?: string | undefined;
}

export async function importSurvivorsFile(db: Db, file: string, opts: ImportOptions = {}): Promise<ImportReport> {
  const encoding = await detectEncoding(file);
  await checkReadable(decodedFile(file, encoding));
  const report = await importSurvivors(db, decodedFile(file, encoding), opts);
  if (encoding !== 'utf-8')
    report.notices.push(
      'The file is not UTF-8, so it was read as Windows-1252 (what Excel writes for "CSV (semikolondelt)").',
    );
  return report;
}

export async function importSurvivors(db: Db, input: Readable, opts: ImportOptions = {}): Promise<ImportReport> {
  const report: ImportReport = { inserted: 0, updated: 0, rejected: 0, problems: [], moreProblems: 0, notices: [] };
  const problems = new ProblemList(report);
  let batch: { line: number; row: SurvivorRow }[] = [];
  for await (const { record, line } of records(input)) {
    const parsed = survivorRowSchema.safeParse(record);
    if (!parsed.success) {
      report.rejected++;
      for (const issue of parsed.error.issues)
        problems.add(line, `line ${line}: ${String(issue.path[0])}: ${issue.message}`);
      continue;
    }
    batch.push({ line, row: parsed.data });
    if (batch.length >= BATCH) {
      problems.addAll(await writeBatch(db, batch, report, opts));
      batch = [];
    }
  }
  if (batch.length > 0) problems.addAll(await writeBatch(db, batch, report, opts));
  problems.flush();
  return report;
}

interface Problem {
  line: number;
  text: string;
}

/**
 * Keeps the report's problems in line order and at most MAX_LISTED_PROBLEMS of them. A batch's
 * national-id clashes are found only when it is written, after the bad rows that follow them in
 * the batch were parsed, so the problems since the last batch wait here and are merged by line.
 * Waiting problems beyond the room left are only counted: a clash can only push them further out.
 */
class ProblemList {
  private waiting: Problem[] = [];
  constructor(private readonly report: ImportReport) {}

  private get room(): number {
    return MAX_LISTED_PROBLEMS - this.report.problems.length;
  }

  add(line: number, text: string): void {
    if (this.waiting.length < this.room) this.waiting.push({ line, text });
    else this.report.moreProblems++;
  }

  /** The clashes of the batch just written (in line order); everything up to its last row is known now. */
  addAll(clashes: Problem[]): void {
    if (clashes.length > 0) this.waiting = mergeByLine(this.waiting, clashes);
    this.flush();
  }

  flush(): void {
    const room = this.room;
    for (const p of this.waiting.slice(0, room)) this.report.problems.push(p.text);
    this.report.moreProblems += Math.max(0, this.waiting.length - room);
    this.waiting = [];
  }
}

/** Two lists in line order merged into one; on the same line, `a` comes first. */
function mergeByLine(a: Problem[], b: Problem[]): Problem[] {
  const out: Problem[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.line <= b[j]!.line)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** Parsed records with their line numbers; CSV errors become ImportRefused with a clear reason. */
async function* records(input: Readable): AsyncGenerator<{ record: Record<string, string>; line: number }> {
  const parser = registerCsv(input, checkHeader, MAX_RECORD_CHARS);
  input.on('error', (err) => parser.destroy(err));
  try {
    for await (const r of parser) yield { record: r.record, line: r.info.lines };
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
  if (e.code === 'CSV_MAX_RECORD_SIZE')
    return new ImportRefused(
      `${where}a record is longer than ${MAX_RECORD_CHARS} characters; the file is not a list of survivors. Nothing was imported.`,
    );
  if (e.code === 'CSV_QUOTE_NOT_CLOSED')
    return new ImportRefused(`${where}a quoted field is never closed. Nothing was imported.`);
  return new ImportRefused(
    `The file could not be read as CSV (${where}${(e.message ?? String(err)).slice(0, 200)}). Nothing was imported.`,
  );
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

/**
 * Writes one batch in a transaction and returns its national-id clashes: a row whose national id
 * belongs to another register_id (in the database or earlier in the file) is rejected. The
 * accepted rows are written with multi-row upserts, in file order, and the result is what one
 * upsert per row would give: a register_id that appears again starts a new statement (ON CONFLICT
 * may touch a row only once per statement), so its last row wins, and a national id given up by
 * one register_id can be taken by a later row.
 */
async function writeBatch(
  db: Db,
  batch: { line: number; row: SurvivorRow }[],
  report: ImportReport,
  opts: ImportOptions,
): Promise<Problem[]> {
  return db.transaction().execute(async (trx) => {
    const erased = opts.erasureKey
      ? await erasedAmong(
          trx,
          opts.erasureKey,
          batch.map((b) => b.row.national_id),
        )
      : new Set<string>();
    const existing = await trx
      .selectFrom('survivors')
      .select(['register_id', 'national_id'])
      .where((eb) =>
        eb.or([
          eb(
            'register_id',
            'in',
            batch.map((b) => b.row.register_id),
          ),
          eb(
            'national_id',
            'in',
            batch.map((b) => b.row.national_id),
          ),
        ]),
      )
      .execute();
    const owner = new Map(existing.map((e) => [e.national_id, e.register_id]));
    const holds = new Map(existing.map((e) => [e.register_id, e.national_id]));
    const clashes: Problem[] = [];
    const accepted: SurvivorRow[] = [];
    for (const { line, row } of batch) {
      if (erased.has(row.national_id)) {
        report.rejected++;
        clashes.push({ line, text: `line ${line}: national_id: erased at the person's request` });
        continue;
      }
      const holder = owner.get(row.national_id);
      if (holder !== undefined && holder !== row.register_id) {
        report.rejected++;
        clashes.push({ line, text: `line ${line}: national_id: already belongs to register_id ${holder}` });
        continue;
      }
      // A register_id that changes its national id must not leave the old number claimed.
      const previous = holds.get(row.register_id);
      if (previous === undefined) report.inserted++;
      else {
        report.updated++;
        owner.delete(previous);
      }
      owner.set(row.national_id, row.register_id);
      holds.set(row.register_id, row.national_id);
      accepted.push(row);
    }
    if (!opts.dryRun) for (const rows of runsOfDistinctIds(accepted)) await upsertRows(trx, rows);
    return clashes;
  });
}

/** Consecutive runs in which no register_id appears twice; almost always the whole batch. */
function runsOfDistinctIds(rows: SurvivorRow[]): SurvivorRow[][] {
  const runs: SurvivorRow[][] = [];
  let seen = new Set<string>();
  for (const row of rows) {
    if (runs.length === 0 || seen.has(row.register_id)) {
      runs.push([]);
      seen = new Set();
    }
    runs.at(-1)!.push(row);
    seen.add(row.register_id);
  }
  return runs;
}

/** The register_id that already holds this national id, if it is another one (API intake, one record). */
export async function nationalIdHolder(
  trx: Db,
  row: Pick<SurvivorRow, 'register_id' | 'national_id'>,
): Promise<string | undefined> {
  const other = await trx
    .selectFrom('survivors')
    .select('register_id')
    .where('national_id', '=', row.national_id)
    .where('register_id', '<>', row.register_id)
    .executeTakeFirst();
  return other?.register_id;
}

/** Inserts or updates one survivor and their arrest event by register_id (also used by the API). */
export async function upsert(trx: Db, row: SurvivorRow): Promise<void> {
  await upsertRows(trx, [row]);
}

const SURVIVOR_COLUMNS = 12;
const EVENT_COLUMNS = 4;
if (BATCH * Math.max(SURVIVOR_COLUMNS, EVENT_COLUMNS) > MAX_BIND_PARAMETERS)
  throw new Error('BATCH is too large for one statement');

/**
 * Inserts or updates survivors and their arrest events by register_id: one statement for each
 * table. The rows' register_ids must be distinct (ON CONFLICT may affect a row only once).
 * An update sets every column from the row, and updated_at.
 */
async function upsertRows(trx: Db, rows: SurvivorRow[]): Promise<void> {
  const survivors = await trx
    .insertInto('survivors')
    .values(
      rows.map((row) => ({
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
      })),
    )
    .onConflict((oc) =>
      oc.column('register_id').doUpdateSet((eb) => ({
        national_id: eb.ref('excluded.national_id'),
        birth_date: eb.ref('excluded.birth_date'),
        sex: eb.ref('excluded.sex'),
        given_name: eb.ref('excluded.given_name'),
        family_name: eb.ref('excluded.family_name'),
        email: eb.ref('excluded.email'),
        phone: eb.ref('excluded.phone'),
        address_line: eb.ref('excluded.address_line'),
        postal_code: eb.ref('excluded.postal_code'),
        city: eb.ref('excluded.city'),
        language: eb.ref('excluded.language'),
        updated_at: sql`now()`,
      })),
    )
    .returning(['id', 'register_id'])
    .execute();
  const ids = new Map(survivors.map((s) => [s.register_id, s.id]));
  await trx
    .insertInto('arrest_events')
    .values(
      rows.map((row) => {
        const survivorId = ids.get(row.register_id);
        if (survivorId === undefined) throw new Error(`the upsert of ${row.register_id} returned no id`);
        return {
          survivor_id: survivorId,
          arrest_date: row.arrest_date,
          arrest_type: row.arrest_type,
          hospital: row.hospital,
        };
      }),
    )
    .onConflict((oc) =>
      oc.column('survivor_id').doUpdateSet((eb) => ({
        arrest_date: eb.ref('excluded.arrest_date'),
        arrest_type: eb.ref('excluded.arrest_type'),
        hospital: eb.ref('excluded.hospital'),
        updated_at: sql`now()`,
      })),
    )
    .execute();
}
