// Instruments as data (docs/instruments.md): FHIR R4 Questionnaires stored whole with their
// version, the instruments each programme version asks (pinned to a version), and per response
// the answers to items outside EQ-5D plus the QuestionnaireResponse it was given as.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE instruments (
      id         text NOT NULL,
      version    text NOT NULL,
      url        text NOT NULL,
      resource   jsonb NOT NULL,
      added_by   text NOT NULL,
      added_at   timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (id, version)
    )`.execute(db);
  await sql`
    CREATE TABLE programme_instruments (
      programme_version  integer NOT NULL,
      position           integer NOT NULL,
      instrument_id      text NOT NULL,
      instrument_version text NOT NULL,
      PRIMARY KEY (programme_version, position)
    )`.execute(db);
  // Values of items outside EQ-5D keyed by linkId; the FHIR QuestionnaireResponse(s) as given;
  // "url|version" of each questionnaire answered. Erasure deletes the whole row.
  await sql`ALTER TABLE responses ADD COLUMN items jsonb`.execute(db);
  await sql`ALTER TABLE responses ADD COLUMN questionnaire_responses jsonb`.execute(db);
  await sql`ALTER TABLE responses ADD COLUMN questionnaires text[]`.execute(db);
  // Paper entry of the other items: linkId → what was keyed ('' not answered, '?' unclear).
  await sql`ALTER TABLE paper_entries ADD COLUMN items jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE paper_entries DROP COLUMN items`.execute(db);
  await sql`ALTER TABLE responses DROP COLUMN questionnaires`.execute(db);
  await sql`ALTER TABLE responses DROP COLUMN questionnaire_responses`.execute(db);
  await sql`ALTER TABLE responses DROP COLUMN items`.execute(db);
  await sql`DROP TABLE programme_instruments`.execute(db);
  await sql`DROP TABLE instruments`.execute(db);
}
