// The response export now comes from one query with the index inside it (COPY … TO STDOUT on
// PostgreSQL, pages of it through csv-stringify on PGlite). It must write the same bytes as the
// plain query it replaced: `responseRows` (countedResponses), the index scored per row in
// JavaScript, csv-stringify. Both databases; more rows than one page; awkward text.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { sql } from 'kysely';
import { eq5dIndex, DEFAULT_VALUE_SET } from '../../src/reports/eq5d/engine.ts';
import { exportResponsesCsv, RESPONSE_COLUMNS } from '../../src/reports/exports/responses.ts';
import { PAGE, responseRows, stateOf } from '../../src/reports/exports/rows.ts';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

function sink(): { out: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The export as it was written before the query changed: the plain query, scored row by row. */
async function plainExportCsv(): Promise<string> {
  const { out, text } = sink();
  const csv = stringify({ header: true, columns: [...RESPONSE_COLUMNS] });
  const written = pipeline(csv, out);
  for await (const r of responseRows(database.db)) {
    const state = stateOf(r);
    const index = state === null ? null : eq5dIndex(state, DEFAULT_VALUE_SET);
    csv.write([
      r.id,
      r.register_id,
      r.arrest_type,
      r.hospital,
      r.arrest_date,
      r.mobility,
      r.self_care,
      r.usual_activities,
      r.pain_discomfort,
      r.anxiety_depression,
      r.vas,
      index ?? '',
      r.mode,
      r.language,
      r.completed_at,
      r.respondent ?? '',
    ]);
  }
  csv.end();
  await written;
  return text();
}

async function streamedExportCsv(): Promise<{ csv: string; rows: number }> {
  const { out, text } = sink();
  const rows = await exportResponsesCsv(database.db, out);
  return { csv: text(), rows };
}

/** People `from`…`to` with one response each; levels run through every state, some missing. */
async function seed(from: number, to: number) {
  const db = database.db;
  await sql`insert into survivors (register_id, national_id, birth_date, sex, language)
    select 'R' || g, '1' || lpad(g::text, 10, '0'), date '1950-01-01' + g % 9000,
      case when g % 3 = 0 then 'female' else 'male' end, 'nb'
    from generate_series(${from}::int, ${to}::int) g`.execute(db);
  await sql`insert into arrest_events (survivor_id, arrest_date, arrest_type, hospital)
    select s.id, date '2024-01-01' + (s.id % 700)::int, case when s.id % 4 = 0 then 'IHCA' else 'OHCA' end, 'H' || (s.id % 40)
    from survivors s where not exists (select 1 from arrest_events e where e.survivor_id = s.id)`.execute(db);
  await sql`insert into invitations (arrest_event_id, state, opens_on, closes_on, language, created_at)
    select e.id, 'answered', e.arrest_date + 90, e.arrest_date + 183, 'nb', now()
    from arrest_events e where not exists (select 1 from invitations i where i.arrest_event_id = e.id)`.execute(db);
  await sql`insert into responses (id, invitation_id, mode, language, mobility, self_care, usual_activities,
      pain_discomfort, anxiety_depression, vas, respondent, completed_at)
    select gen_random_uuid(), i.id, case when i.id % 5 = 0 then 'paper' else 'web' end,
      (array['nb', 'nn', 'en'])[1 + i.id % 3],
      case when i.id % 97 = 0 then null else 1 + i.id % 5 end, 1 + (i.id / 5) % 5, 1 + (i.id / 25) % 5,
      1 + (i.id / 125) % 5, 1 + (i.id / 625) % 5, case when i.id % 89 = 0 then null else (i.id * 37) % 101 end,
      (array['self', 'assisted', 'proxy', null])[1 + i.id % 4],
      -- Two responses share each completed_at, so pages must break ties by id.
      timestamptz '2025-01-01 00:00:00.123456+00' + ((i.id - i.id % 2) || ' seconds')::interval
    from invitations i where not exists (select 1 from responses r where r.invitation_id = i.id)`.execute(db);
}

test('no responses: the header alone, as before', async () => {
  const { csv, rows } = await streamedExportCsv();
  assert.equal(rows, 0);
  assert.equal(csv, await plainExportCsv());
  assert.equal(csv, `${RESPONSE_COLUMNS.join(',')}\n`);
});

test(`more than a page of responses (${TEST_DB}): the streamed export writes the plain query's bytes`, async () => {
  await seed(1, PAGE + 150);
  // Text that must be quoted, or that is empty (COPY would quote an empty string; the export must not).
  await sql`update survivors set register_id = case id when 1 then 'R,"1"' when 2 then '' else register_id end
    where id in (1, 2)`.execute(database.db);
  await sql`update arrest_events set hospital = case survivor_id when 3 then ${'Ullevål\nsykehus'} when 4 then '' else hospital end
    where survivor_id in (3, 4)`.execute(database.db);
  // Not in the export: uncounted, or the person withdrew.
  await sql`update responses set counted = false where invitation_id = 5`.execute(database.db);
  await sql`update survivors set withdrawn_at = now() where id = 6`.execute(database.db);

  const plain = await plainExportCsv();
  const { csv, rows } = await streamedExportCsv();
  assert.equal(rows, PAGE + 150 - 2);
  assert.equal(csv.split('\n').length, rows + 3, 'header, rows, one quoted line break, final newline');
  assert.ok(csv === plain, 'the streamed export differs from the plain query’s');
  assert.match(csv, /^[^,]+,"R,""1""",/m);
  assert.match(csv, /,"Ullevål\nsykehus",/);
  // Empty text, a missing level and no respondent are written as nothing, never as "".
  assert.doesNotMatch(csv, /(^|,)""(,|\n)/m);
  // Fødselsnummer never leaves the register's own tables.
  assert.doesNotMatch(csv, /1000000001\d/);
});
