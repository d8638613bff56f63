// Intake over the API: one survivor (PUT), a batch, a death, a withdrawal. Writing reuses the CSV
// import's upsert and national-id check (src/cohort/import.ts), the withdrawal of
// src/invitations/person.ts and the death file's importDeaths. A key
// restricted to hospitals only touches survivors whose arrest event is at one of them, and
// cannot tell whether another hospital's register_id exists.
import { Readable } from 'node:stream';
import type { Db } from '../db/database.ts';
import { withdrawConsentStopping } from '../invitations/person.ts';
import { nationalIdHolder, upsert } from '../cohort/import.ts';
import { erasedAmong } from '../invitations/erase.ts';
import type { SurvivorRow } from '../cohort/survivor-row.ts';
import { importDeaths } from '../cohort/deaths-import.ts';
import type { PersonDates } from '../cohort/plausible-dates.ts';
import type { ApiKey } from './keys.ts';
import { ApiProblem, type FieldError } from './problem.ts';

export const NOT_VISIBLE = 'No survivor with this register_id is available to this key.';

function mayUseHospital(key: ApiKey, hospital: string): boolean {
  return key.hospitals.length === 0 || key.hospitals.includes(hospital);
}

/** The survivor's id if it exists and the key may see it (by the hospital of its arrest event). */
export async function visibleSurvivor(
  db: Db,
  key: ApiKey,
  registerId: string,
): Promise<({ id: number } & PersonDates) | undefined> {
  const s = await db
    .selectFrom('survivors as s')
    .leftJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .select(['s.id', 'e.hospital', 's.birth_date', 'e.arrest_date'])
    .where('s.register_id', '=', registerId)
    .executeTakeFirst();
  if (!s || (key.hospitals.length > 0 && (s.hospital === null || !key.hospitals.includes(s.hospital))))
    return undefined;
  return { id: s.id, birthDate: s.birth_date, arrestDate: s.arrest_date };
}

export type WriteOutcome =
  { status: 'created' | 'updated'; survivorId: number } | { status: 'rejected'; problem: ApiProblem };

/** Checks and writes one validated record inside the caller's transaction. Never throws ApiProblem. */
export async function writeSurvivor(
  trx: Db,
  key: ApiKey,
  row: SurvivorRow,
  erasureKey?: string,
): Promise<WriteOutcome> {
  if (erasureKey && (await erasedAmong(trx, erasureKey, [row.national_id])).size > 0) {
    return reject('erased', 'The person was erased at their request and is not stored again; nothing was written.', [
      { pointer: '/national_id', detail: "erased at the person's request" },
    ]);
  }
  if (!mayUseHospital(key, row.hospital)) {
    return reject('hospital-not-allowed', `This key may write only for the hospitals ${key.hospitals.join(', ')}.`, [
      { pointer: '/hospital', detail: 'is not one of the hospitals of this key' },
    ]);
  }
  const existing = await trx
    .selectFrom('survivors as s')
    .leftJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .select(['s.id', 'e.hospital'])
    .where('s.register_id', '=', row.register_id)
    .executeTakeFirst();
  if (existing && existing.hospital !== null && !mayUseHospital(key, existing.hospital)) {
    return reject('not-found', NOT_VISIBLE, [{ pointer: '/register_id', detail: 'is not available to this key' }]);
  }
  const holder = await nationalIdHolder(trx, row);
  if (holder !== undefined) {
    // Only a key for every hospital learns which register_id holds the number.
    const detail =
      key.hospitals.length === 0 ? `already belongs to register_id ${holder}` : 'already belongs to another survivor';
    return reject('national-id-conflict', `The national id ${detail}; nothing was written.`, [
      { pointer: '/national_id', detail },
    ]);
  }
  await upsert(trx, row);
  const written = await trx
    .selectFrom('survivors')
    .select('id')
    .where('register_id', '=', row.register_id)
    .executeTakeFirstOrThrow();
  return { status: existing ? 'updated' : 'created', survivorId: written.id };
}

function reject(kind: ConstructorParameters<typeof ApiProblem>[0], detail: string, errors: FieldError[]): WriteOutcome {
  return { status: 'rejected', problem: new ApiProblem(kind, detail, errors) };
}

/** A unique violation from a concurrent write of the same national id. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505';
}

/**
 * Records a death through `prom deaths import`'s own code (importDeaths in
 * src/cohort/deaths-import.ts, given a one-line CSV of the already validated values): the
 * `deaths` row, the survivor's died_on and every open invitation stopped, in one transaction.
 * The survivor is named only when the key may see them.
 */
export async function recordDeath(
  db: Db,
  key: ApiKey,
  death: { national_id: string; date_of_death: string },
  now: Date,
) {
  if (!/^\d{11}$/.test(death.national_id) || !/^\d{4}-\d{2}-\d{2}$/.test(death.date_of_death))
    throw new Error('recordDeath needs validated values');
  const csv = `national_id,date_of_death\n${death.national_id},${death.date_of_death}\n`;
  const report = await importDeaths(db, Readable.from([csv]), { source: `api:${key.name}`, now });
  const refused = /^line \d+: (\w+): (.+)$/.exec(report.problems[0] ?? '');
  if (refused)
    throw new ApiProblem('validation', `${refused[1]} ${refused[2]}; nothing was recorded.`, [
      { pointer: `/${refused[1]}`, detail: refused[2]! },
    ]);
  if (report.recorded !== 1) throw new Error(`the death was not recorded (${report.rejected} rejected)`);
  const survivor = await db
    .selectFrom('survivors as s')
    .leftJoin('arrest_events as e', 'e.survivor_id', 's.id')
    .select(['s.id', 's.register_id', 'e.hospital'])
    .where('s.national_id', '=', death.national_id)
    .executeTakeFirst();
  const visible =
    survivor && (survivor.hospital === null ? key.hospitals.length === 0 : mayUseHospital(key, survivor.hospital));
  return {
    survivor: visible ? { register_id: survivor.register_id } : null,
    invitationsStopped: visible ? report.invitationsStopped : 0,
    /** For the audit log only: whom the death concerned, visible to the key or not. */
    affectedSurvivorId: survivor?.id ?? null,
    cancelledOutboxIds: report.cancelledOutboxIds,
  };
}

/** Withdraws consent for a survivor the key may see; undefined when there is none. */
export async function withdraw(db: Db, key: ApiKey, registerId: string, at: Date) {
  const visible = await visibleSurvivor(db, key, registerId);
  if (!visible) return undefined;
  const { found, cancelled } = await withdrawConsentStopping(
    db,
    registerId,
    at,
    key.hospitals.length > 0 ? key.hospitals : 'all',
  );
  if (!found) return undefined;
  const s = await db
    .selectFrom('survivors')
    .select('withdrawn_at')
    .where('id', '=', visible.id)
    .executeTakeFirstOrThrow();
  return { survivorId: visible.id, withdrawnAt: s.withdrawn_at ?? at, stepsCancelled: cancelled.length };
}
