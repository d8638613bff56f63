// The register's profile (who asks, why, how to reach them) as a versioned record, like the
// programme: a change makes a new version, so what a letter or e-mail said can be explained later.
// Until a first version exists, nobody is contacted (src/register/hold.ts).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE register_profiles (
      version    integer PRIMARY KEY CHECK (version > 0),
      profile    jsonb NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE register_profiles`.execute(db);
}
