// Who answered: the person, the person with help, or someone else on the person's
// behalf. Stored with every response given after this migration (NULL for earlier ones: not
// recorded) and, for an added instrument, the self version a
// proxy variant was derived from (`derivedFrom` of its Questionnaire).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE responses ADD COLUMN respondent text
      CHECK (respondent IN ('self', 'assisted', 'proxy'))`.execute(db);
  // A paper entry keeps the keyed answer with its other keyed items (paper_entries.items.respondent:
  // '1' self, '2' assisted, '3' proxy, '' blank, '?' unclear), so double entry compares it too.
  // A proxy variant: the canonical URL of the self version it was derived from.
  await sql`ALTER TABLE instruments ADD COLUMN proxy_of text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE instruments DROP COLUMN proxy_of`.execute(db);
  await sql`ALTER TABLE responses DROP COLUMN respondent`.execute(db);
}
