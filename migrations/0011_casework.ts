// Staff case handling (docs/staff-access.md): who asked to stop contact, an address flagged after
// a letter came back undeliverable, letters marked returned (a returned letter's step may go
// again, so one live letter per step), and short case notes.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE survivors ADD COLUMN opt_out_source text`.execute(db);
  // The address (line and postal code) a letter came back from; unusable while it is the address.
  await sql`ALTER TABLE survivors ADD COLUMN address_returned text`.execute(db);
  await sql`ALTER TABLE letters ADD COLUMN returned_at timestamptz`.execute(db);
  await sql`ALTER TABLE letters ADD COLUMN returned_by text`.execute(db);
  await sql`ALTER TABLE letters DROP CONSTRAINT letters_outbox_id_key`.execute(db);
  await sql`CREATE UNIQUE INDEX letters_one_live_per_step ON letters (outbox_id) WHERE returned_at IS NULL`.execute(db);
  await sql`
    CREATE TABLE case_notes (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      survivor_id bigint NOT NULL REFERENCES survivors (id),
      at          timestamptz NOT NULL DEFAULT now(),
      author      text NOT NULL,
      text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 500)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE case_notes`.execute(db);
  await sql`DROP INDEX letters_one_live_per_step`.execute(db);
  await sql`ALTER TABLE letters ADD CONSTRAINT letters_outbox_id_key UNIQUE (outbox_id)`.execute(db);
  await sql`ALTER TABLE letters DROP COLUMN returned_by`.execute(db);
  await sql`ALTER TABLE letters DROP COLUMN returned_at`.execute(db);
  await sql`ALTER TABLE survivors DROP COLUMN address_returned`.execute(db);
  await sql`ALTER TABLE survivors DROP COLUMN opt_out_source`.execute(db);
}
