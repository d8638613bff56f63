// Vital status, asked right before every message. The adapter is the seam where a
// Folkeregisteret or NHN Persontjenesten client replaces the death file: it answers per national
// id with alive, dead (with the date) or unknown. Unknown — the source failed or could not
// answer — means "do not send now, try later", never "alive".
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.ts';

export type VitalStatus = { kind: 'alive' } | { kind: 'dead'; diedOn: string } | { kind: 'unknown'; reason: string };

export interface VitalStatusAdapter {
  /** Shown in logs and the contact log, never with a national id. */
  readonly name: string;
  /** One answer per id asked; ids missing from the map count as unknown. */
  lookup(nationalIds: readonly string[]): Promise<Map<string, VitalStatus>>;
}

/**
 * Fed by `prom deaths import`: a person the file has not named as dead is alive. It can only
 * fail when the database does, and then the caller gets `unknown`.
 */
export function deathFileVitalStatus(db: Db): VitalStatusAdapter {
  return {
    name: 'death-file',
    async lookup(ids) {
      const answers = new Map<string, VitalStatus>(ids.map((id) => [id, { kind: 'alive' }]));
      for (let i = 0; i < ids.length; i += 1000) {
        const rows = await db
          .selectFrom('deaths')
          .select(['national_id', 'died_on'])
          .where('national_id', 'in', ids.slice(i, i + 1000))
          .execute();
        for (const r of rows) answers.set(r.national_id, { kind: 'dead', diedOn: r.died_on });
      }
      return answers;
    },
  };
}

/**
 * The death file's look-up as a scalar subquery on a national id column, for a statement that
 * reads the person anyway (the delivery claim): the same rule as deathFileVitalStatus — a row in
 * `deaths` means dead on its date, no row means alive — without a round trip of its own.
 */
export function deathFileDiedOn(nationalId: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<string | null>`(select d.died_on from deaths d where d.national_id = ${nationalId})`;
}

/** An adapter that answers for one person from a death-file row already read (deathFileDiedOn). */
export function deathFileAnswer(nationalId: string, diedOn: string | null): VitalStatusAdapter {
  const status: VitalStatus = diedOn === null ? { kind: 'alive' } : { kind: 'dead', diedOn };
  return {
    name: 'death-file',
    lookup: (ids) => Promise.resolve(new Map(ids.filter((id) => id === nationalId).map((id) => [id, status]))),
  };
}

/** Asks the adapter and never throws: a failed look-up is `unknown` for everyone asked. */
export async function lookupVitalStatus(
  adapter: VitalStatusAdapter,
  nationalIds: readonly string[],
): Promise<Map<string, VitalStatus>> {
  if (nationalIds.length === 0) return new Map();
  try {
    const found = await adapter.lookup(nationalIds);
    return new Map(
      nationalIds.map((id) => [id, found.get(id) ?? { kind: 'unknown', reason: `${adapter.name} gave no answer` }]),
    );
  } catch (err) {
    // A source's error text could echo what it was asked: never keep a national id.
    const reason = `${adapter.name} failed: ${(err as Error).message ?? String(err)}`
      .replace(/\d{11}/g, '<id>')
      .slice(0, 200);
    return new Map(nationalIds.map((id) => [id, { kind: 'unknown', reason }]));
  }
}
