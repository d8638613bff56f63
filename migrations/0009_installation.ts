// One row naming this installation (this database). The default BullMQ key prefix includes it,
// so two installations on one Redis never take each other's jobs (docs/operations.md).
// Plain SQL that PostgreSQL 15 and PGlite both run.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE installation (
      one        boolean PRIMARY KEY DEFAULT true CHECK (one),
      id         text NOT NULL CHECK (id ~ '^[0-9a-f]{12}$'),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`INSERT INTO installation (id) VALUES (substr(md5(gen_random_uuid()::text), 1, 12))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE installation`.execute(db);
}
