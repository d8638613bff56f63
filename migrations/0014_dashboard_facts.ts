// The dashboard's counts, kept as they change instead of recounted on every page view.
// Triggers note which invitations a statement touched (facts_dirty: one id per row, cheap for
// the writer); before each read, src/reports/dashboard-facts.ts recomputes those invitations'
// facts, moves the difference into fact_counts and forgets the ids. The page then reads a few
// hundred count rows instead of grouping every invitation and its outbox.
import { sql, type Kysely } from 'kysely';

/** The columns an invitation is counted by (docs/response-rates.md). */
const KEY = 'month, hospital, arrest_type, channel, language, state, cancel_reason, sent, reminded, answer_mode';

/** Which invitations each table's rows belong to, from a transition table named `rows`. */
const OWNERS: Record<string, string> = {
  invitations: 'SELECT id FROM rows',
  outbox: 'SELECT invitation_id FROM rows',
  responses: 'SELECT invitation_id FROM rows',
  arrest_events: 'SELECT i.id FROM invitations i JOIN rows r ON r.id = i.arrest_event_id',
  survivors:
    'SELECT i.id FROM invitations i JOIN arrest_events e ON e.id = i.arrest_event_id JOIN rows r ON r.id = e.survivor_id',
};
/** Survivors and arrests are only updated or deleted in ways that matter (an invitation needs both). */
const EVENTS: Record<string, readonly ('INSERT' | 'UPDATE' | 'DELETE')[]> = {
  invitations: ['INSERT', 'UPDATE', 'DELETE'],
  outbox: ['INSERT', 'UPDATE', 'DELETE'],
  responses: ['INSERT', 'UPDATE', 'DELETE'],
  arrest_events: ['UPDATE'],
  survivors: ['UPDATE'],
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TABLE facts_dirty (invitation_id bigint NOT NULL)`.execute(db);
  await sql`
    CREATE TABLE invitation_facts (
      invitation_id bigint PRIMARY KEY,
      month         text NOT NULL,
      hospital      text NOT NULL,
      arrest_type   text NOT NULL,
      channel       text,
      language      text NOT NULL,
      state         text NOT NULL,
      cancel_reason text,
      sent          boolean NOT NULL,
      reminded      boolean NOT NULL,
      answer_mode   text,
      consented     boolean NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE fact_counts (
      month         text NOT NULL,
      hospital      text NOT NULL,
      arrest_type   text NOT NULL,
      channel       text,
      language      text NOT NULL,
      state         text NOT NULL,
      cancel_reason text,
      sent          boolean NOT NULL,
      reminded      boolean NOT NULL,
      answer_mode   text,
      n             integer NOT NULL,
      CONSTRAINT fact_counts_key UNIQUE NULLS NOT DISTINCT (${sql.raw(KEY)})
    )`.execute(db);
  for (const [table, select] of Object.entries(OWNERS)) {
    for (const event of EVENTS[table]!) {
      const rows = event === 'DELETE' ? 'OLD' : 'NEW';
      const fn = sql.raw(`facts_dirty_${table}_${event.toLowerCase()}`);
      await sql`
        CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO facts_dirty (invitation_id) ${sql.raw(select)};
          RETURN NULL;
        END $$`.execute(db);
      await sql`
        CREATE TRIGGER ${fn} AFTER ${sql.raw(event)} ON ${sql.raw(table)}
        REFERENCING ${sql.raw(rows)} TABLE AS rows
        FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`.execute(db);
    }
  }
  // Every invitation already there is counted at the first read.
  await sql`INSERT INTO facts_dirty (invitation_id) SELECT id FROM invitations`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [table, events] of Object.entries(EVENTS)) {
    for (const event of events) {
      const fn = sql.raw(`facts_dirty_${table}_${event.toLowerCase()}`);
      await sql`DROP TRIGGER ${fn} ON ${sql.raw(table)}`.execute(db);
      await sql`DROP FUNCTION ${fn}()`.execute(db);
    }
  }
  await sql`DROP TABLE fact_counts`.execute(db);
  await sql`DROP TABLE invitation_facts`.execute(db);
  await sql`DROP TABLE facts_dirty`.execute(db);
}
