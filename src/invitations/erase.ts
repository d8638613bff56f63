// Erasure at the person's request (a consent-based register must be able to remove what it
// collected). In one transaction everything about the person goes: answers, drafts, entries of
// returned forms, tokens, short codes, letters, contact steps, invitations, the arrest, the death
// record and the person. What stays is a tombstone: a keyed hash of the national id (so a later
// import of the same person is refused), when, by whom, and how many rows went. The files of the
// print batches that held the person's letters are drawn again by the caller (src/paper/batch.ts).
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** HMAC-SHA-256 of the national id under ERASURE_KEY; the key is kept outside the database. */
export function erasedIdHash(erasureKey: string, nationalId: string): Buffer {
  return createHmac('sha256', erasureKey).update(`erased-national-id:${nationalId}`, 'utf8').digest();
}

/** The national ids of `nationalIds` that belong to people erased at their request. */
export async function erasedAmong(db: Db, erasureKey: string, nationalIds: string[]): Promise<Set<string>> {
  if (nationalIds.length === 0) return new Set();
  const byHash = new Map(nationalIds.map((id) => [erasedIdHash(erasureKey, id).toString('hex'), id]));
  const rows = await db
    .selectFrom('erasures')
    .select('national_id_hash')
    .where(
      'national_id_hash',
      'in',
      [...byHash.keys()].map((h) => Buffer.from(h, 'hex')),
    )
    .execute();
  return new Set(rows.map((r) => byHash.get(Buffer.from(r.national_id_hash).toString('hex'))!));
}

export type EraseResult =
  { kind: 'erased'; survivorId: number; counts: Record<string, number>; batchIds: number[] } | { kind: 'not-found' };

export async function erasePerson(
  db: Db,
  registerId: string,
  actor: string,
  erasureKey: string,
  now: Date,
): Promise<EraseResult> {
  return db.transaction().execute(async (trx) => {
    const person = await trx
      .selectFrom('survivors')
      .select(['id', 'national_id'])
      .where('register_id', '=', registerId)
      .forUpdate()
      .executeTakeFirst();
    if (!person) return { kind: 'not-found' as const };
    const events = (
      await trx.selectFrom('arrest_events').select('id').where('survivor_id', '=', person.id).execute()
    ).map((e) => e.id);
    const invitations = events.length
      ? (await trx.selectFrom('invitations').select('id').where('arrest_event_id', 'in', events).execute()).map(
          (i) => i.id,
        )
      : [];
    const batchIds = invitations.length
      ? (
          await trx
            .selectFrom('letters')
            .select('batch_id')
            .distinct()
            .where('invitation_id', 'in', invitations)
            .execute()
        ).map((l) => l.batch_id)
      : [];
    const counts: Record<string, number> = {};
    const remove = async (
      table:
        | 'paper_entries'
        | 'uncounted_returns'
        | 'responses'
        | 'answer_drafts'
        | 'invitation_tokens'
        | 'short_codes'
        | 'letters'
        | 'outbox',
    ) => {
      if (invitations.length === 0) return;
      const r = await trx.deleteFrom(table).where('invitation_id', 'in', invitations).executeTakeFirst();
      counts[table] = Number(r.numDeletedRows);
    };
    // Children before parents: entries and responses name letters, letters name contact steps.
    for (const table of [
      'paper_entries',
      'uncounted_returns',
      'responses',
      'answer_drafts',
      'invitation_tokens',
      'short_codes',
      'letters',
      'outbox',
    ] as const)
      await remove(table);
    if (invitations.length) {
      // A respondent session of the person would point at nothing.
      await sql`delete from sessions where (data->>'invitationId')::bigint = any(${invitations}::bigint[])`.execute(
        trx,
      );
      counts.invitations = Number(
        (await trx.deleteFrom('invitations').where('id', 'in', invitations).executeTakeFirst()).numDeletedRows,
      );
    }
    if (events.length)
      counts.arrest_events = Number(
        (await trx.deleteFrom('arrest_events').where('id', 'in', events).executeTakeFirst()).numDeletedRows,
      );
    await trx.deleteFrom('deaths').where('national_id', '=', person.national_id).execute();
    await trx.deleteFrom('case_notes').where('survivor_id', '=', person.id).execute();
    await trx.deleteFrom('survivors').where('id', '=', person.id).execute();
    await trx
      .insertInto('erasures')
      .values({
        national_id_hash: erasedIdHash(erasureKey, person.national_id),
        erased_at: now,
        erased_by: actor,
        counts: JSON.stringify(counts),
      })
      .onConflict((oc) => oc.column('national_id_hash').doNothing())
      .execute();
    return { kind: 'erased' as const, survivorId: person.id, counts, batchIds };
  });
}
