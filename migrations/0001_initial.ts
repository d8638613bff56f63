// The first schema: survivors and their arrests, invitations with their outbox, responses,
// staff users, sessions and the audit log. Plain SQL that PostgreSQL 15 and PGlite both run.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE survivors (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      register_id   text NOT NULL UNIQUE,
      national_id   text NOT NULL UNIQUE,
      birth_date    date NOT NULL,
      sex           text NOT NULL CHECK (sex IN ('female', 'male')),
      given_name    text,
      family_name   text,
      email         text,
      phone         text,
      address_line  text,
      postal_code   text CHECK (postal_code ~ '^[0-9]{4}$'),
      city          text,
      language      text NOT NULL CHECK (language IN ('nb', 'nn', 'en')),
      channel_rule  text NOT NULL DEFAULT 'email-or-paper'
                    CHECK (channel_rule IN ('email-or-paper', 'email-only', 'paper-only')),
      withdrawn_at  timestamptz,
      opted_out_at  timestamptz,
      died_on       date,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // One arrest event per register_id for now; the register's id names the registration.
  await sql`
    CREATE TABLE arrest_events (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      survivor_id  bigint NOT NULL UNIQUE REFERENCES survivors (id),
      arrest_date  date NOT NULL,
      arrest_type  text NOT NULL CHECK (arrest_type IN ('OHCA', 'IHCA')),
      hospital     text NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      updated_at   timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE invitations (
      id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      arrest_event_id bigint NOT NULL UNIQUE REFERENCES arrest_events (id),
      state           text NOT NULL DEFAULT 'planned'
                      CHECK (state IN ('planned', 'sent', 'reminded', 'answered', 'expired', 'cancelled')),
      cancel_reason   text,
      opens_on        date NOT NULL,
      closes_on       date NOT NULL,
      language        text NOT NULL CHECK (language IN ('nb', 'nn', 'en')),
      answered_at     timestamptz,
      created_at      timestamptz NOT NULL,
      updated_at      timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX invitations_state ON invitations (state)`.execute(db);

  // One row per (invitation, step). The BullMQ job id is 'ob-' || id.
  await sql`
    CREATE TABLE outbox (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      invitation_id bigint NOT NULL REFERENCES invitations (id),
      step          text NOT NULL CHECK (step IN ('invitation', 'reminder1', 'reminder2')),
      channel       text NOT NULL CHECK (channel IN ('email', 'paper')),
      state         text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown', 'cancelled')),
      due_at        timestamptz NOT NULL,
      attempts      integer NOT NULL DEFAULT 0,
      last_error    text,
      message_id    text,
      sent_at       timestamptz,
      created_at    timestamptz NOT NULL,
      updated_at    timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT outbox_one_per_step UNIQUE (invitation_id, step)
    )`.execute(db);
  await sql`CREATE INDEX outbox_due ON outbox (due_at) WHERE state = 'pending'`.execute(db);

  // Each message carries its own link token; only its SHA-256 is kept.
  await sql`
    CREATE TABLE invitation_tokens (
      token_hash    bytea PRIMARY KEY,
      invitation_id bigint NOT NULL REFERENCES invitations (id),
      outbox_id     bigint REFERENCES outbox (id),
      created_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // Answers saved page by page before the final submission.
  await sql`
    CREATE TABLE answer_drafts (
      invitation_id bigint PRIMARY KEY REFERENCES invitations (id),
      answers       jsonb NOT NULL DEFAULT '{}'::jsonb,
      version       integer NOT NULL DEFAULT 1,
      updated_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // Level columns hold 1–5; NULL means missing (paper may also record ambiguity later).
  await sql`
    CREATE TABLE responses (
      id                 uuid PRIMARY KEY,
      invitation_id      bigint NOT NULL REFERENCES invitations (id),
      mode               text NOT NULL CHECK (mode IN ('web', 'paper')),
      language           text NOT NULL CHECK (language IN ('nb', 'nn', 'en')),
      mobility           smallint CHECK (mobility BETWEEN 1 AND 5),
      self_care          smallint CHECK (self_care BETWEEN 1 AND 5),
      usual_activities   smallint CHECK (usual_activities BETWEEN 1 AND 5),
      pain_discomfort    smallint CHECK (pain_discomfort BETWEEN 1 AND 5),
      anxiety_depression smallint CHECK (anxiety_depression BETWEEN 1 AND 5),
      vas                smallint CHECK (vas BETWEEN 0 AND 100),
      counted            boolean NOT NULL DEFAULT true,
      completed_at       timestamptz NOT NULL,
      created_at         timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Never two counted responses for one invitation.
  await sql`CREATE UNIQUE INDEX responses_one_counted ON responses (invitation_id) WHERE counted`.execute(db);
  await sql`CREATE INDEX responses_completed ON responses (completed_at, id)`.execute(db);

  await sql`
    CREATE TABLE staff_users (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email         text NOT NULL UNIQUE,
      password_hash text NOT NULL,
      role          text NOT NULL CHECK (role IN ('admin', 'registrar', 'analyst')),
      hospitals     text[] NOT NULL DEFAULT '{}',
      disabled_at   timestamptz,
      created_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE sessions (
      sid        text PRIMARY KEY,
      data       jsonb NOT NULL,
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX sessions_expiry ON sessions (expires_at)`.execute(db);

  await sql`
    CREATE TABLE audit_log (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at          timestamptz NOT NULL DEFAULT now(),
      actor       text NOT NULL,
      actor_role  text,
      action      text NOT NULL,
      entity      text NOT NULL,
      entity_id   text,
      details     jsonb NOT NULL DEFAULT '{}'::jsonb
    )`.execute(db);
  // The database itself keeps the log append-only.
  await sql`
    CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`.execute(db);
  await sql`
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The initial migration cannot be undone; restore from a backup instead.');
}
