// The integration API (/api/v1): API keys for the register's systems, stored as SHA-256 hashes
// with scopes and an optional hospital restriction, and the Idempotency-Key store for POSTs.
// Plain SQL that PostgreSQL 15 and PGlite both run.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The key itself is shown once at creation; only its SHA-256 and a short visible prefix stay.
  // An empty hospital list means every hospital. Names are unique among keys in use: the name is
  // the export key for result pseudonyms, so a replacement key with the same name keeps them.
  await sql`
    CREATE TABLE api_keys (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
      prefix       text NOT NULL,
      key_hash     bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
      scopes       text[] NOT NULL
                   CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['intake', 'status', 'results', 'identifiers']::text[]),
      hospitals    text[] NOT NULL DEFAULT '{}',
      created_by   text NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at   timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL`.execute(db);

  // One row per (key, Idempotency-Key): the request's fingerprint, and the answer once there is
  // one (status NULL while the first request is still running). Rows older than a day are purged.
  await sql`
    CREATE TABLE api_idempotency (
      api_key_id      bigint NOT NULL REFERENCES api_keys (id),
      idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
      request_hash    bytea NOT NULL,
      status          integer,
      response        jsonb,
      created_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (api_key_id, idempotency_key)
    )`.execute(db);
  await sql`CREATE INDEX api_idempotency_created ON api_idempotency (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE api_idempotency`.execute(db);
  await sql`DROP TABLE api_keys`.execute(db);
}
