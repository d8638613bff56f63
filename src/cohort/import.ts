// Register intake from CSV: validate each row, upsert survivors and their arrest event by
// register_id. Bad rows are reported as `line N: column: reason`; good rows are still imported.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
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
}

export class ImportRefused extends Error {}

const BATCH = 500;

export async function importSurvivorsFile(db: Db, file: string, opts: { dryRun?: boolean } = {}) {
  return importSurvivors(db, createReadStream(file), opts);
}

export async function importSurvivors(db: Db, input: Readable, opts: { dryRun?: boolean } = {}): Promise<ImportReport> {
  const report: ImportReport = { inserted: 0, updated: 0, rejected: 0, problems: [] };
  const parser = input.pipe(
    parse({ bom: true, delimiter: [',', ';'], columns: checkHeader, skip_empty_lines: true, trim: true, info: true, relax_column_count: true }),
  );
  let batch: { line: number; row: SurvivorRow }[] = [];
  try {
    for await (const record of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const line = record.info.lines;
      const parsed = survivorRowSchema.safeParse(record.record);
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
  } catch (err) {
    if (err instanceof ImportRefused) throw err;
    throw new ImportRefused(`The file could not be read as CSV: ${(err as Error).message}`);
  }
  if (batch.length > 0) await writeBatch(db, batch, report, opts.dryRun ?? false);
  return report;
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
