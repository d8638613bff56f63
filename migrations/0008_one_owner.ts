// The rules' owner (docs/architecture.md, "Transitions"): print-batch hand-over per letter, so a
// registrar confirms only their hospitals' letters; returned forms that may not count (received
// after a death, a withdrawal, a stop or the window); tombstones of erased people.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Hand-over is recorded per letter; a batch is handed over when all its letters are.
  await sql`ALTER TABLE letters ADD COLUMN handed_over_at timestamptz`.execute(db);
  await sql`ALTER TABLE letters ADD COLUMN handed_over_by text`.execute(db);
  await sql`
    UPDATE letters l SET handed_over_at = b.handed_over_at, handed_over_by = b.handed_over_by
    FROM print_batches b WHERE b.id = l.batch_id AND b.handed_over_at IS NOT NULL`.execute(db);

  // A returned form that is recorded but never counted: the answers are not stored.
  await sql`
    CREATE TABLE uncounted_returns (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      letter_id     bigint NOT NULL UNIQUE REFERENCES letters (id),
      invitation_id bigint NOT NULL REFERENCES invitations (id),
      received_on   date NOT NULL,
      reason        text NOT NULL CHECK (reason IN ('died', 'withdrawn', 'stopped', 'window_closed')),
      recorded_by   bigint REFERENCES staff_users (id),
      recorded_at   timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // What is left of a person erased at their request: a keyed hash of the national id, so a
  // later import of the same person is refused, and when and by whom.
  await sql`
    CREATE TABLE erasures (
      id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      national_id_hash bytea NOT NULL UNIQUE,
      erased_at        timestamptz NOT NULL,
      erased_by        text NOT NULL,
      counts           jsonb NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE erasures`.execute(db);
  await sql`DROP TABLE uncounted_returns`.execute(db);
  await sql`ALTER TABLE letters DROP COLUMN handed_over_by`.execute(db);
  await sql`ALTER TABLE letters DROP COLUMN handed_over_at`.execute(db);
}
