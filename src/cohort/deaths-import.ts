// `prom deaths import <file.csv>`: the death file behind the vital-status adapter. Columns
// `national_id, date_of_death`. Each death is recorded at once, also for people the register has
// not sent yet; a known survivor's open invitations stop in the same transaction, whatever date a
// later pass runs with. Bad rows are reported as `line N: column: reason`; an implausible date
// (in the future, before the person's birth or arrest) is refused and stops nothing.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { z } from 'zod';
import { calendarDateSchema } from '../calendar-date.ts';
import type { Db } from '../db/database.ts';
import { recordDeathOn } from '../invitations/transitions.ts';
import { ImportRefused } from './import.ts';
import { checkNationalId } from './national-id.ts';
import { deathDateProblem, type PersonDates } from './plausible-dates.ts';
import { registerCsv } from './csv-file.ts';

const DEATH_COLUMNS = ['national_id', 'date_of_death'] as const;

export const deathRowSchema = z.object({
  national_id: z
    .string({ message: 'is missing' })
    .trim()
    .refine((v) => checkNationalId(v) === undefined, 'is not a valid fødselsnummer or D-number'),
  date_of_death: calendarDateSchema(),
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

export interface DeathsOptions {
  /** Recorded in `deaths.source`. */
  source?: string;
  /** Today, for refusing deaths in the future (default: the wall clock). */
  now?: Date;
}

type DeathRow = { national_id: string; date_of_death: string; line: number };

export async function importDeathsFile(db: Db, file: string, opts: DeathsOptions = {}): Promise<DeathsReport> {
  return importDeaths(db, createReadStream(file), opts);
}

export async function importDeaths(db: Db, input: Readable, opts: DeathsOptions = {}): Promise<DeathsReport> {
  const { source = 'death file', now = new Date() } = opts;
  const report: DeathsReport = {
    recorded: 0,
    matched: 0,
    invitationsStopped: 0,
    rejected: 0,
    problems: [],
    cancelledOutboxIds: [],
  };
  const rows: DeathRow[] = [];
  try {
    const parser = registerCsv(input, checkHeader);
    for await (const { record, info } of parser) {
      const parsed = deathRowSchema.safeParse(record);
      if (parsed.success) rows.push({ ...parsed.data, line: info.lines });
      else {
        report.rejected++;
        for (const issue of parsed.error.issues)
          report.problems.push(`line ${info.lines}: ${String(issue.path[0])}: ${issue.message}`);
      }
    }
  } catch (err) {
    if (err instanceof ImportRefused) throw err;
    throw new ImportRefused(`The file could not be read as CSV: ${(err as Error).message}`);
  }
  for (let i = 0; i < rows.length; i += 500) await recordBatch(db, rows.slice(i, i + 500), source, now, report);
  return report;
}

function checkHeader(header: string[]): string[] {
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = DEATH_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0)
    throw new ImportRefused(
      `line 1: the header is missing ${missing.join(', ')}. Required: ${DEATH_COLUMNS.join(', ')}.`,
    );
  return names;
}

async function recordBatch(db: Db, rows: DeathRow[], source: string, now: Date, report: DeathsReport) {
  await db.transaction().execute(async (trx) => {
    for (const r of rows) {
      const problem = deathDateProblem(r.date_of_death, now, await personDates(trx, r.national_id));
      if (problem) {
        report.rejected++;
        report.problems.push(`line ${r.line}: date_of_death: ${problem}`);
        continue;
      }
      await trx
        .insertInto('deaths')
        .values({ national_id: r.national_id, died_on: r.date_of_death, source })
        .onConflict((oc) => oc.column('national_id').doUpdateSet({ died_on: r.date_of_death, source }))
        .execute();
      report.recorded++;
      const survivor = await trx
        .selectFrom('survivors')
        .select('id')
        .where('national_id', '=', r.national_id)
        .executeTakeFirst();
      if (!survivor) continue;
      report.matched++;

      const open = await openInvitationCount(trx, survivor.id);
      report.cancelledOutboxIds.push(...(await recordDeathOn(trx, survivor.id, r.date_of_death)));
      report.invitationsStopped += open;
    }
  });
}

/** The known survivor's birth and arrest dates, for checking a date of death against them. */
async function personDates(db: Db, nationalId: string): Promise<PersonDates | undefined> {
  const row = await db
    .selectFrom('survivors as s')
    .leftJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .select(['s.birth_date', 'e.arrest_date'])
    .where('s.national_id', '=', nationalId)
    .executeTakeFirst();
  return row && { birthDate: row.birth_date, arrestDate: row.arrest_date };
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
