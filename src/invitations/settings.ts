// The register's contact programme as a versioned record: a change makes a new version, and each
// invitation keeps the version its steps were planned with, so history can be explained later.
import { z } from 'zod';
import type { Db } from '../db/database.ts';
import { DEFAULT_PROGRAMME, type Programme } from './programme.ts';

const days = (what: string) =>
  z
    .number({ message: `${what} must be a whole number of days` })
    .int(`${what} must be a whole number of days`)
    .min(1)
    .max(730);

export const programmeSchema = z
  .object({
    opensAfterDays: days('opensAfterDays'),
    reminder1AfterDays: days('reminder1AfterDays').nullable(),
    reminder2AfterDays: days('reminder2AfterDays').nullable(),
    reminder2Channel: z.enum(['paper', 'same'], { message: 'reminder2Channel must be paper or same' }),
    closesAfterDays: days('closesAfterDays'),
    sendAtHour: z.number().int().min(0, 'sendAtHour must be 0–23').max(23, 'sendAtHour must be 0–23'),
  })
  .strict()
  .refine((p) => p.opensAfterDays < p.closesAfterDays, { message: 'closesAfterDays must be after opensAfterDays' })
  .refine(
    (p) =>
      p.reminder1AfterDays === null || p.reminder2AfterDays === null || p.reminder1AfterDays < p.reminder2AfterDays,
    {
      message: 'reminder2AfterDays must be after reminder1AfterDays',
    },
  );

export interface ProgrammeVersion {
  version: number;
  programme: Programme;
}

/** The version new invitations are planned with (the highest). */
export async function currentProgramme(db: Db): Promise<ProgrammeVersion> {
  const row = await db
    .selectFrom('programme_settings')
    .select(['version', 'settings'])
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return { version: 0, programme: DEFAULT_PROGRAMME };
  return { version: row.version, programme: parseStored(row.settings) };
}

/** A given version (an invitation's); null or an unknown version means the defaults. */
export async function programmeVersion(db: Db, version: number | null): Promise<Programme> {
  if (version === null) return DEFAULT_PROGRAMME;
  const row = await db
    .selectFrom('programme_settings')
    .select('settings')
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? parseStored(row.settings) : DEFAULT_PROGRAMME;
}

/**
 * Stores a changed programme as the next version; returns it. Invalid settings throw a ZodError.
 * `alsoStore` writes what belongs to the new version (its instruments) in the same transaction.
 */
export async function saveProgramme(
  db: Db,
  changes: Partial<Programme>,
  createdBy: string,
  alsoStore?: (trx: Db, version: number) => Promise<void>,
): Promise<ProgrammeVersion> {
  return db.transaction().execute(async (trx) => {
    const current = await currentProgramme(trx);
    const programme = programmeSchema.parse({ ...current.programme, ...changes });
    const version = current.version + 1;
    await trx
      .insertInto('programme_settings')
      .values({ version, settings: JSON.stringify(programme), created_by: createdBy })
      .execute();
    await alsoStore?.(trx, version);
    return { version, programme };
  });
}

/** Older versions may lack a later field: the default fills it. */
function parseStored(settings: Record<string, unknown>): Programme {
  return programmeSchema.parse({ ...DEFAULT_PROGRAMME, ...settings });
}
