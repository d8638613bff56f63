// The staff workspace: a second factor (TOTP) and lockout on staff accounts, hospital reference
// data (hospital → health trust (HF) → region (RHF)), and who/where columns plus indexes on the
// audit log. The audit log's append-only trigger from 0001 stays as it is: adding columns fires
// no row trigger. Plain SQL that PostgreSQL 15 and PGlite both run.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // totp_secret holds the authenticator secret encrypted (AES-256-GCM, see src/staff/totp.ts);
  // NULL until the person has enrolled. totp_last_step stops a code being used twice.
  await sql`
    ALTER TABLE staff_users
      ADD COLUMN totp_secret      text,
      ADD COLUMN totp_enrolled_at timestamptz,
      ADD COLUMN totp_last_step   bigint,
      ADD COLUMN failed_logins    integer NOT NULL DEFAULT 0,
      ADD COLUMN locked_until     timestamptz,
      ADD COLUMN last_login_at    timestamptz`.execute(db);

  await sql`
    CREATE TABLE hospitals (
      code          text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
      name          text NOT NULL CHECK (length(btrim(name)) > 0),
      health_trust  text NOT NULL CHECK (length(btrim(health_trust)) > 0),
      region        text NOT NULL CHECK (length(btrim(region)) > 0),
      updated_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // Who (actor_id next to the e-mail) and where from (the client address) for every entry.
  await sql`ALTER TABLE audit_log ADD COLUMN actor_id bigint, ADD COLUMN source text`.execute(db);
  await sql`CREATE INDEX audit_log_entity ON audit_log (entity, entity_id)`.execute(db);
  await sql`CREATE INDEX audit_log_actor ON audit_log (actor)`.execute(db);
  await sql`CREATE INDEX audit_log_at ON audit_log (at)`.execute(db);
  // Grants are a second wall where the service runs as a role that does not own the table
  // (the trigger is the first); for the owner this REVOKE changes nothing.
  await sql`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC`.execute(db);

  // Registrar scoping filters arrests by hospital; worklists look for messages needing a person.
  await sql`CREATE INDEX arrest_events_hospital ON arrest_events (hospital)`.execute(db);
  await sql`CREATE INDEX outbox_attention ON outbox (state) WHERE state NOT IN ('sent', 'cancelled')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX outbox_attention`.execute(db);
  await sql`DROP INDEX arrest_events_hospital`.execute(db);
  await sql`DROP INDEX audit_log_at`.execute(db);
  await sql`DROP INDEX audit_log_actor`.execute(db);
  await sql`DROP INDEX audit_log_entity`.execute(db);
  // The audit columns stay: dropping them would rewrite the append-only log.
  await sql`DROP TABLE hospitals`.execute(db);
  await sql`
    ALTER TABLE staff_users
      DROP COLUMN totp_secret, DROP COLUMN totp_enrolled_at, DROP COLUMN totp_last_step,
      DROP COLUMN failed_logins, DROP COLUMN locked_until, DROP COLUMN last_login_at`.execute(db);
}
