// The full contact programme: a versioned programme record, the death file behind the
// vital-status adapter, bounced addresses, a letter on request, and the paper outbox states
// 'print' (due for print, waiting for a print batch) and 'held' (waiting for staff, e.g. no address).
import { sql, type Kysely } from 'kysely';

const DEFAULTS = {
  opensAfterDays: 90,
  reminder1AfterDays: 14,
  reminder2AfterDays: 28,
  reminder2Channel: 'paper',
  closesAfterDays: 183,
  sendAtHour: 9,
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE programme_settings (
      version    integer PRIMARY KEY CHECK (version > 0),
      settings   jsonb NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`INSERT INTO programme_settings (version, settings, created_by)
            VALUES (1, ${JSON.stringify(DEFAULTS)}::jsonb, 'migration 0002')`.execute(db);
  await sql`ALTER TABLE invitations ADD COLUMN programme_version integer REFERENCES programme_settings (version)`.execute(
    db,
  );

  // Kept apart from survivors: the file may name people the register has not sent us yet.
  await sql`
    CREATE TABLE deaths (
      national_id text PRIMARY KEY,
      died_on     date NOT NULL,
      source      text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // E-mail is unusable while the survivor's address equals the one that bounced; a new address
  // from the register makes it usable again without anyone resetting a flag.
  await sql`ALTER TABLE survivors ADD COLUMN bounced_email text`.execute(db);

  await sql`ALTER TABLE outbox DROP CONSTRAINT outbox_state_check`.execute(db);
  await sql`
    ALTER TABLE outbox ADD CONSTRAINT outbox_state_check
    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown', 'cancelled', 'print', 'held'))`.execute(db);
  await sql`ALTER TABLE outbox DROP CONSTRAINT outbox_step_check`.execute(db);
  await sql`
    ALTER TABLE outbox ADD CONSTRAINT outbox_step_check
    CHECK (step IN ('invitation', 'reminder1', 'reminder2', 'paper_request'))`.execute(db);
  // Steps that can still be stopped, looked up per invitation by every cancellation.
  await sql`CREATE INDEX outbox_waiting ON outbox (invitation_id) WHERE state IN ('pending', 'print', 'held')`.execute(
    db,
  );
  await sql`CREATE INDEX outbox_held ON outbox (due_at) WHERE state = 'held'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX outbox_held`.execute(db);
  await sql`DROP INDEX outbox_waiting`.execute(db);
  await sql`ALTER TABLE outbox DROP CONSTRAINT outbox_step_check`.execute(db);
  await sql`ALTER TABLE outbox ADD CONSTRAINT outbox_step_check CHECK (step IN ('invitation', 'reminder1', 'reminder2'))`.execute(
    db,
  );
  await sql`ALTER TABLE outbox DROP CONSTRAINT outbox_state_check`.execute(db);
  await sql`
    ALTER TABLE outbox ADD CONSTRAINT outbox_state_check
    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown', 'cancelled'))`.execute(db);
  await sql`ALTER TABLE survivors DROP COLUMN bounced_email`.execute(db);
  await sql`DROP TABLE deaths`.execute(db);
  await sql`ALTER TABLE invitations DROP COLUMN programme_version`.execute(db);
  await sql`DROP TABLE programme_settings`.execute(db);
}
