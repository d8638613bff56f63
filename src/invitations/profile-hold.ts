// Until a register profile is set, nobody is contacted: a message must say who asks and how to
// reach them. Due steps wait as `held` with the reason below; the first pass after a profile is
// set releases them. A rule of the contact rules' owner.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export const PROFILE_MISSING = 'register profile missing';

/** Whether a register profile has been set (any version). */
export async function registerProfileSet(db: Db): Promise<boolean> {
  const row = await db.selectFrom('register_profiles').select('version').limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * A scheduling pass's gate. Without a profile: due pending steps of open invitations become held
 * (go: false, held: how many wait for that reason). With one: steps held for it become pending
 * again, so the same pass releases them as usual (go: true, held: 0).
 */
export async function profileGate(db: Db, now: Date): Promise<{ go: boolean; held: number }> {
  if (await registerProfileSet(db)) {
    await db
      .updateTable('outbox')
      .set({ state: 'pending', last_error: null, updated_at: sql`now()` })
      .where('state', '=', 'held')
      .where('last_error', '=', PROFILE_MISSING)
      .execute();
    return { go: true, held: 0 };
  }
  await db
    .updateTable('outbox')
    .set({ state: 'held', last_error: PROFILE_MISSING, updated_at: sql`now()` })
    .where('state', '=', 'pending')
    .where('due_at', '<=', now)
    .where('invitation_id', 'in', (eb) =>
      eb.selectFrom('invitations').select('id').where('state', 'in', ['planned', 'sent', 'reminded']),
    )
    .execute();
  return { go: false, held: await heldForProfile(db) };
}

/** Holds the given steps (pending, or due for print) for want of a profile. */
export async function holdForProfile(db: Db, outboxIds: number[]): Promise<void> {
  if (outboxIds.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ state: 'held', last_error: PROFILE_MISSING, updated_at: sql`now()` })
    .where('id', 'in', outboxIds)
    .where('state', 'in', ['pending', 'print'])
    .execute();
}

export async function heldForProfile(db: Db): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', 'held')
    .where('last_error', '=', PROFILE_MISSING)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
