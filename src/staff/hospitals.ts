// Hospital reference data: code (as in the register's `hospital` column) → name, health trust
// (HF) and regional health authority (RHF). Loaded from CSV (`prom hospitals import`) and
// editable by admins; the dashboard groups by trust and region through it.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { registerCsv } from '../cohort/csv-file.ts';

const HOSPITAL_COLUMNS = ['code', 'name', 'health_trust', 'region'] as const;

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const hospitalSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/,
      'must be 1–32 letters, digits, ".", "_" or "-", starting with a letter or digit',
    ),
  name: text(200),
  health_trust: text(200),
  region: text(200),
});

export type Hospital = z.infer<typeof hospitalSchema>;

export interface HospitalImportReport {
  inserted: number;
  updated: number;
  rejected: number;
  problems: string[];
}

export class HospitalImportRefused extends Error {}

export async function importHospitalsFile(db: Db, file: string): Promise<HospitalImportReport> {
  return importHospitals(db, createReadStream(file));
}

/** Upserts by code; bad rows are reported as `line N: column: reason` and skipped. */
async function importHospitals(db: Db, input: Readable): Promise<HospitalImportReport> {
  const report: HospitalImportReport = { inserted: 0, updated: 0, rejected: 0, problems: [] };
  const parser = registerCsv(input, checkHeader);
  const good: Hospital[] = [];
  const seen = new Map<string, number>();
  try {
    for await (const record of parser) {
      const line = record.info.lines;
      const parsed = hospitalSchema.safeParse(record.record);
      if (!parsed.success) {
        report.rejected++;
        for (const issue of parsed.error.issues)
          report.problems.push(`line ${line}: ${String(issue.path[0])}: ${issue.message}`);
        continue;
      }
      const earlier = seen.get(parsed.data.code);
      if (earlier !== undefined) {
        report.rejected++;
        report.problems.push(`line ${line}: code: ${parsed.data.code} already appears on line ${earlier}`);
        continue;
      }
      seen.set(parsed.data.code, line);
      good.push(parsed.data);
    }
  } catch (err) {
    if (err instanceof HospitalImportRefused) throw err;
    throw new HospitalImportRefused(`The file could not be read as CSV: ${(err as Error).message}`);
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < good.length; i += 500) {
      const rows = await trx
        .insertInto('hospitals')
        .values(good.slice(i, i + 500))
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            health_trust: eb.ref('excluded.health_trust'),
            region: eb.ref('excluded.region'),
            updated_at: sql`now()`,
          })),
        )
        // xmax = 0 only for a freshly inserted row: tells inserts from updates.
        .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
        .execute();
      for (const r of rows) {
        if (r.inserted) report.inserted++;
        else report.updated++;
      }
    }
  });
  return report;
}

function checkHeader(header: string[]): string[] {
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = HOSPITAL_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0)
    throw new HospitalImportRefused(
      `line 1: the header is missing ${missing.join(', ')}. Columns: ${HOSPITAL_COLUMNS.join(', ')}.`,
    );
  return names;
}

export async function listHospitals(db: Db): Promise<(Hospital & { updated_at: Date })[]> {
  return db
    .selectFrom('hospitals')
    .select(['code', 'name', 'health_trust', 'region', 'updated_at'])
    .orderBy('region')
    .orderBy('health_trust')
    .orderBy('name')
    .execute();
}

export async function getHospital(db: Db, code: string): Promise<Hospital | undefined> {
  return db
    .selectFrom('hospitals')
    .select(['code', 'name', 'health_trust', 'region'])
    .where('code', '=', code)
    .executeTakeFirst();
}

/** Adds or changes one hospital; returns whether it was new. */
export async function saveHospital(db: Db, h: Hospital): Promise<boolean> {
  const row = await db
    .insertInto('hospitals')
    .values(h)
    .onConflict((oc) =>
      oc
        .column('code')
        .doUpdateSet({ name: h.name, health_trust: h.health_trust, region: h.region, updated_at: sql`now()` }),
    )
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .executeTakeFirstOrThrow();
  return row.inserted;
}

/** Hospital codes that arrests use but the reference table lacks (they show as "unknown" on the dashboard). */
export async function unknownHospitalCodes(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('arrest_events as e')
    .leftJoin('hospitals as h', 'h.code', 'e.hospital')
    .select('e.hospital')
    .distinct()
    .where('h.code', 'is', null)
    .orderBy('e.hospital')
    .execute();
  return rows.map((r) => r.hospital);
}
