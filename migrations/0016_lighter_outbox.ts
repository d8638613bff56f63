// A scheduling pass writes three outbox rows per new invitation, so every index and trigger on a
// pending row is paid three times per survivor (docs/performance.md, "schedule"). Two indexes
// that pending rows do not need:
// - outbox_waiting (invitation_id) for pending, print and held rows: the unique
//   (invitation_id, step) index already leads with invitation_id, and an invitation has at most
//   four steps, so a cancellation finds them there just as fast;
// - outbox_attention covered pending rows too; the rows that need a person (a send in doubt, a
//   failure, a letter held or waiting for print, a send under way) are a small set of their own,
//   and pending rows are found through outbox_due.
// The dashboard's dirty marks: one per invitation a statement touched, not one per outbox row.
import { sql, type Kysely } from 'kysely';

const OUTBOX_EVENTS = ['insert', 'update', 'delete'] as const;

async function outboxOwners(db: Kysely<unknown>, select: string): Promise<void> {
  for (const event of OUTBOX_EVENTS) {
    const fn = sql.raw(`facts_dirty_outbox_${event}`);
    await sql`
      CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO facts_dirty (invitation_id) ${sql.raw(select)};
        RETURN NULL;
      END $$`.execute(db);
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX outbox_waiting`.execute(db);
  await sql`DROP INDEX outbox_attention`.execute(db);
  await sql`
    CREATE INDEX outbox_attention ON outbox (state)
    WHERE state IN ('sending', 'failed', 'unknown', 'print', 'held')`.execute(db);
  await outboxOwners(db, 'SELECT DISTINCT invitation_id FROM rows');
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await outboxOwners(db, 'SELECT invitation_id FROM rows');
  await sql`DROP INDEX outbox_attention`.execute(db);
  await sql`CREATE INDEX outbox_attention ON outbox (state) WHERE state NOT IN ('sent', 'cancelled')`.execute(db);
  await sql`CREATE INDEX outbox_waiting ON outbox (invitation_id) WHERE state IN ('pending', 'print', 'held')`.execute(
    db,
  );
}
