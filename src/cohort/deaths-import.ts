// `prom deaths import <file.csv>`: the death file behind the vital-status adapter. Columns
// `national_id, date_of_death`. Each death is recorded at once, also for people the register has
// not sent yet; a known survivor's open invitations stop in the same transaction, whatever date a
// later pass runs with. Bad rows are reported as `line N: column: reason`.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { sql } from 'kysely';
import { z } from 'zod';
import { addDays } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { stopSurvivor } from '../invitations/transitions.ts';
import { ImportRefused } from './import.ts';
import { checkNationalId } from './national-id.ts';

export const DEATH_COLUMNS = ['national_id', 'date_of_death'] as const;

export const deathRowSchema = z.object({
  national_id: z
    .string({ message: 'is missing' })
    .trim()
    .refine((v) => checkNationalId(v) === undefined, 'is not a valid fødselsnummer or D-number'),
  date_of_death: z
    .string({ message: 'is missing' })
    .trim()
    .refine((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && addDays(d, 0) === d, 'must be a real date written YYYY-MM-DD'),
});

export interface DeathsReport {
  recorded: number;
  /** Of those, people we know as survivors. */
  matched: number;
  /** Open invitations stopped now. */
  invitationsStopped: number;
  rejected: number;
  problems: string[];
  /** Outbox steps cancelled, for removing their queued jobs. */
  cancelledOutboxIds: number[];
}

export async function importDeathsFile(db: Db, file: string, source = 'death file'): Promise<DeathsReport> {
  return importDeaths(db, createReadStream(file), source);
}

export async function importDeaths(db: Db, input: Readable, source = 'death file'): Promise<DeathsReport> {
  const report: DeathsReport = { recorded: 0, matched: 0, invitationsStopped: 0, rejected: 0, problems: [], cancelledOutboxIds: [] };
  const rows: { national_id: string; date_of_death: string }[] = [];
  try {
    const parser = input.pipe(parse({ bom: true, delimiter: [',', ';'], columns: checkHeader, skip_empty_lines: true, trim: true, info: true, relax_column_count: true }));
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const parsed = deathRowSchema.safeParse(record);
      if (parsed.success) rows.push(parsed.data);
      else {
        report.rejected++;
        for (const issue of parsed.error.issues) report.problems.push(`line ${info.lines}: ${String(issue.path[0])}: ${issue.message}`);
      }
    }
  } catch (err) {
    if (err instanceof ImportRefused) throw err;
    throw new ImportRefused(`The file could not be read as CSV: ${(err as Error).message}`);
  }
  for (let i = 0; i < rows.length; i += 500) await recordBatch(db, rows.slice(i, i + 500), source, report);
  return report;
}

function checkHeader(header: string[]): string[] {
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = DEATH_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new ImportRefused(`line 1: the header is missing ${missing.join(', ')}. Required: ${DEATH_COLUMNS.join(', ')}.`);
  return names;
}

async function recordBatch(db: Db, rows: { national_id: string; date_of_death: string }[], source: string, report: DeathsReport) {
  await db.transaction().execute(async (trx) => {
    for (const r of rows) {
      await trx
        .insertInto('deaths')
        .values({ national_id: r.national_id, died_on: r.date_of_death, source })
        .onConflict((oc) => oc.column('national_id').doUpdateSet({ died_on: r.date_of_death, source }))
        .execute();
      report.recorded++;
      const survivor = await trx.selectFrom('survivors').select('id').where('national_id', '=', r.national_id).executeTakeFirst();
      if (!survivor) continue;
      report.matched++;
      await trx.updateTable('survivors').set({ died_on: r.date_of_death, updated_at: sql`now()` }).where('id', '=', survivor.id).execute();
      const open = await openInvitationCount(trx, survivor.id);
      report.cancelledOutboxIds.push(...(await stopSurvivor(trx, survivor.id, 'died')));
      report.invitationsStopped += open;
    }
  });
}

async function openInvitationCount(trx: Db, survivorId: number): Promise<number> {
  const row = await trx
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('e.survivor_id', '=', survivorId)
    .where('i.state', 'in', ['planned', 'sent', 'reminded'])
    .executeTakeFirstOrThrow();
  return row.n;
}
