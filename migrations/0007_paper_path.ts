// The paper path: print batches and the letters in them, entries of returned forms
// (with optional double entry), the register's paper settings, and a flag on responses for a
// second (web or paper) response to one invitation, kept uncounted for staff.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE print_batches (
      id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      created_at     timestamptz NOT NULL DEFAULT now(),
      created_by     text NOT NULL,
      made_at        timestamptz NOT NULL,
      letters        integer NOT NULL DEFAULT 0,
      pdf_file       text,
      manifest_file  text,
      handed_over_at timestamptz,
      handed_over_by text,
      reprint_of     bigint REFERENCES print_batches (id)
    )`.execute(db);

  // One letter per outbox step; the return id printed on every page is 'L-' || lpad(id, 6, '0').
  // The short code is kept encrypted (AES-256-GCM) only so a deliberate reprint is the same letter;
  // short_codes keeps its hash for the look-up as before.
  await sql`
    CREATE TABLE letters (
      id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      outbox_id      bigint NOT NULL UNIQUE REFERENCES outbox (id),
      invitation_id  bigint NOT NULL REFERENCES invitations (id),
      batch_id       bigint NOT NULL REFERENCES print_batches (id),
      kind           text NOT NULL CHECK (kind IN ('invitation', 'reminder')),
      language       text NOT NULL CHECK (language IN ('nb', 'nn', 'en')),
      pages          integer NOT NULL,
      letter_date    date NOT NULL,
      name           text,
      address_line   text NOT NULL,
      postal_code    text NOT NULL,
      city           text,
      short_code_enc text NOT NULL,
      created_at     timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX letters_batch ON letters (batch_id)`.execute(db);
  await sql`CREATE INDEX letters_invitation ON letters (invitation_id)`.execute(db);

  // Entries of a returned form: 1 (first), 2 (second, double entry) and 3 (the resolution of a
  // mismatch). Levels '1'–'5', 'missing' or 'ambiguous'; the VAS '0'–'100', 'missing' or 'ambiguous'.
  await sql`
    CREATE TABLE paper_entries (
      id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      letter_id          bigint NOT NULL REFERENCES letters (id),
      invitation_id      bigint NOT NULL REFERENCES invitations (id),
      entry_no           smallint NOT NULL CHECK (entry_no IN (1, 2, 3)),
      entered_by         bigint NOT NULL REFERENCES staff_users (id),
      mobility           text NOT NULL CHECK (mobility IN ('1', '2', '3', '4', '5', 'missing', 'ambiguous')),
      self_care          text NOT NULL CHECK (self_care IN ('1', '2', '3', '4', '5', 'missing', 'ambiguous')),
      usual_activities   text NOT NULL CHECK (usual_activities IN ('1', '2', '3', '4', '5', 'missing', 'ambiguous')),
      pain_discomfort    text NOT NULL CHECK (pain_discomfort IN ('1', '2', '3', '4', '5', 'missing', 'ambiguous')),
      anxiety_depression text NOT NULL CHECK (anxiety_depression IN ('1', '2', '3', '4', '5', 'missing', 'ambiguous')),
      vas                text NOT NULL CHECK (vas IN ('missing', 'ambiguous') OR vas ~ '^(100|[1-9]?[0-9])$'),
      received_on        date NOT NULL,
      created_at         timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT paper_entries_one_per_number UNIQUE (letter_id, entry_no)
    )`.execute(db);
  await sql`CREATE INDEX paper_entries_invitation ON paper_entries (invitation_id)`.execute(db);

  // The register's paper settings: one row. Double entry is on unless switched off.
  await sql`
    CREATE TABLE paper_settings (
      id           boolean PRIMARY KEY DEFAULT true CHECK (id),
      double_entry boolean NOT NULL DEFAULT true,
      updated_by   text NOT NULL DEFAULT 'migration 0007',
      updated_at   timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`INSERT INTO paper_settings (id) VALUES (true)`.execute(db);

  // A paper response names its letter; a second response to an answered invitation is stored
  // uncounted with flag 'duplicate' for staff (the first complete one counts).
  await sql`ALTER TABLE responses ADD COLUMN letter_id bigint REFERENCES letters (id)`.execute(db);
  await sql`ALTER TABLE responses ADD COLUMN flag text CHECK (flag IN ('duplicate'))`.execute(db);
  await sql`CREATE UNIQUE INDEX responses_one_per_letter ON responses (letter_id) WHERE letter_id IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX responses_flagged ON responses (invitation_id) WHERE flag IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX responses_flagged`.execute(db);
  await sql`DROP INDEX responses_one_per_letter`.execute(db);
  await sql`ALTER TABLE responses DROP COLUMN flag`.execute(db);
  await sql`ALTER TABLE responses DROP COLUMN letter_id`.execute(db);
  await sql`DROP TABLE paper_settings`.execute(db);
  await sql`DROP TABLE paper_entries`.execute(db);
  await sql`DROP TABLE letters`.execute(db);
  await sql`DROP TABLE print_batches`.execute(db);
}
