// Property-based tests of the CSV import (fast-check): whatever bytes arrive, the file is either
// imported with per-line reports or refused with a clear message; never a crash, never half a
// row, and a refused file stores nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { importSurvivorsFile, ImportRefused, type ImportReport } from '../../src/cohort/import.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { CSV_COLUMNS_WITH_ADDRESS, person, syntheticNationalId } from '../support/people.ts';

let database: TestDatabase;
const dir = mkdtempSync(path.join(tmpdir(), 'prom-fuzz-'));
const HEADER = CSV_COLUMNS_WITH_ADDRESS;
let fileNo = 0;

before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

async function counts() {
  const r = await sql<{
    s: number;
    e: number;
  }>`select (select count(*) from survivors)::int as s, (select count(*) from arrest_events)::int as e`.execute(
    database.db,
  );
  return r.rows[0]!;
}

/** Runs one file; checks the invariants that hold for every input, and returns the outcome. */
async function importBytes(bytes: Buffer): Promise<ImportReport | ImportRefused> {
  const file = path.join(dir, `f${fileNo++}.csv`);
  writeFileSync(file, bytes);
  const before = await counts();
  let outcome: ImportReport | ImportRefused;
  try {
    outcome = await importSurvivorsFile(database.db, file);
  } catch (err) {
    assert.ok(err instanceof ImportRefused, `only a clear refusal may be thrown, got ${(err as Error)?.stack}`);
    assert.ok(err.message.length > 10 && !/undefined|\[object/.test(err.message), err.message);
    outcome = err;
  }
  const after = await counts();
  assert.equal(after.s, after.e, 'every survivor has its arrest event (never half a row)');
  if (outcome instanceof ImportRefused) {
    assert.deepEqual(after, before, 'a refused file stores nothing');
  } else {
    for (const p of outcome.problems) assert.match(p, /^line \d+: [a-z_]+: \S/);
    assert.ok(after.s - before.s <= outcome.inserted, 'no more new survivors than reported');
  }
  return outcome;
}

const cell = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    '"',
    '""',
    '"a\nb"',
    '\r\n',
    ';',
    ',',
    '\u0000',
    'Ødegård',
    '😀',
    '\u202e',
    '<script>',
    'x'.repeat(300),
  ),
);

test('random bytes are refused clearly or reported line by line', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
      await importBytes(Buffer.from(bytes));
    }),
    { numRuns: 60 },
  );
});

test('valid headers with random cells, separators, quotes, BOM and encodings never crash', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(cell, { minLength: 0, maxLength: HEADER.length + 2 }), { maxLength: 8 }),
      fc.constantFrom(',', ';'),
      fc.boolean(),
      fc.constantFrom('utf8', 'latin1'),
      async (rows, sep, bom, encoding) => {
        const quote = (v: string) => (/[",;\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
        const text = [HEADER.join(sep), ...rows.map((r) => r.map(quote).join(sep))].join('\r\n');
        const body = Buffer.from(text, encoding as BufferEncoding);
        await importBytes(bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body);
      },
    ),
    { numRuns: 80 },
  );
});

test('Excel’s Windows-1252 semicolon files are read, with a notice, and æøå survive', async () => {
  const p = person(900, { given_name: 'Bjørn', family_name: 'Ødegård' });
  const text = `${Object.keys(p).join(';')}\r\n${Object.values(p).join(';')}\r\n`;
  const report = await importBytes(Buffer.from(text, 'latin1'));
  assert.ok(!(report instanceof ImportRefused));
  assert.deepEqual([report.inserted, report.rejected], [1, 0]);
  assert.match(report.notices[0]!, /Windows-1252/);
  const stored = await database.db
    .selectFrom('survivors')
    .select(['given_name', 'family_name'])
    .where('register_id', '=', p.register_id)
    .executeTakeFirstOrThrow();
  assert.deepEqual(stored, { given_name: 'Bjørn', family_name: 'Ødegård' });
});

test('a huge field or an unclosed quote refuses the whole file before anything is stored', async () => {
  const good = person(901);
  const header = Object.keys(good).join(',');
  const goodLine = Object.values(good).join(',');
  const huge = await importBytes(
    Buffer.from(
      `${header}\n${goodLine}\n${Object.values(person(902, { family_name: 'x'.repeat(100_000) })).join(',')}\n`,
    ),
  );
  assert.ok(huge instanceof ImportRefused);
  assert.match(huge.message, /longer than 65536 characters/);
  const unclosed = await importBytes(Buffer.from(`${header}\n${goodLine}\n"R1,${syntheticNationalId(903)}\n`));
  assert.ok(unclosed instanceof ImportRefused);
  assert.match(unclosed.message, /quoted field is never closed|could not be read as CSV/);
  const none = await database.db
    .selectFrom('survivors')
    .select('id')
    .where('register_id', '=', good.register_id)
    .execute();
  assert.equal(none.length, 0, 'the good row before the bad one was not stored either');
});

test('quoted line breaks inside a field are read as one field (and refused for a name)', async () => {
  const p = person(904);
  const header = Object.keys(p).join(',');
  const values = (Object.values(p) as unknown[]).map((v) => (v === p.family_name ? '"Two\nlines"' : v));
  const report = await importBytes(Buffer.from(`${header}\n${values.join(',')}\n`));
  assert.ok(!(report instanceof ImportRefused));
  assert.equal(report.rejected, 1);
  assert.match(report.problems.join('\n'), /family_name: contains control characters/);
});
