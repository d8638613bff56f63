// Population norms loaded with `prom norms import`, kept whole as a versioned document.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE norm_sets (
      id          text NOT NULL,
      version     text NOT NULL,
      data        jsonb NOT NULL,
      imported_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (id, version)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE norm_sets`.execute(db);
}
