// Short codes printed in letters, so people with a paper letter can answer online (/kode).
// Only the SHA-256 of the normalised code is kept; an invitation may have several codes.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE short_codes (
      code_hash     bytea PRIMARY KEY,
      invitation_id bigint NOT NULL REFERENCES invitations (id),
      created_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX short_codes_invitation ON short_codes (invitation_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE short_codes`.execute(db);
}
