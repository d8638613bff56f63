// Column arrays sent as one array literal each (src/db/unnest.ts) come back from the database as
// the values that went in, on PGlite and on PostgreSQL: text that looks like array syntax, the
// word NULL, empty strings, line breaks, times to the millisecond, the largest safe integer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { arrayLiteral, unnestColumns } from '../../src/db/unnest.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

const texts = [
  'a,b',
  '{x}',
  '"quoted"',
  'back\\slash',
  '\\"',
  'NULL',
  '',
  ' spaced ',
  'line\nbreak\ttab',
  'æøå Å 🫀',
  null,
  "it's",
];
const ids = [0, -1, Number.MAX_SAFE_INTEGER, null, 42, 7, 8, 9, 10, 11, 12, 13];
const days = ['2024-02-29', null, '1900-01-01', '2100-12-31', ...Array<string>(8).fill('2026-12-07')];
const times = [
  new Date('2026-03-29T00:59:59.999Z'), // the minute before summer time in Oslo
  new Date('2026-10-25T01:00:00.001Z'),
  null,
  new Date(0),
  ...Array.from({ length: 8 }, (_, i) => new Date(Date.UTC(2025, 0, 1, 12, 0, 0, i))),
];

test('every value comes back as it went in, in order', async () => {
  const rows = unnestColumns('t', {
    id: { type: 'bigint', values: ids },
    n: { type: 'int', values: ids.map((v) => (v === null ? null : v % 1000)) },
    label: { type: 'text', values: texts },
    day: { type: 'date', values: days },
    at: { type: 'timestamptz', values: times },
  });
  const { rows: back } = await sql<{
    id: string | number | null;
    n: number | null;
    label: string | null;
    day: string | null;
    at: Date | null;
  }>`select t.id, t.n, t.label, to_char(t.day, 'YYYY-MM-DD') as day, t.at from ${rows}`.execute(database.db);
  assert.equal(back.length, texts.length);
  assert.deepEqual(
    back.map((r) => (r.id === null ? null : Number(r.id))),
    ids,
  );
  assert.deepEqual(
    back.map((r) => r.n),
    ids.map((v) => (v === null ? null : v % 1000)),
  );
  assert.deepEqual(
    back.map((r) => r.label),
    texts,
  );
  assert.deepEqual(
    back.map((r) => r.day),
    days,
  );
  assert.deepEqual(
    back.map((r) => r.at?.toISOString() ?? null),
    times.map((t) => t?.toISOString() ?? null),
  );
});

test('no rows: empty arrays unnest to nothing', async () => {
  const rows = unnestColumns('t', { id: { type: 'bigint', values: [] }, label: { type: 'text', values: [] } });
  const { rows: back } = await sql`select * from ${rows}`.execute(database.db);
  assert.deepEqual(back, []);
});

test('a value of the wrong kind is refused before anything is sent', () => {
  assert.throws(() => arrayLiteral({ type: 'bigint', values: [1.5] }), /not an integer: 1.5/);
  assert.throws(() => arrayLiteral({ type: 'bigint', values: [2 ** 60] }), /not an integer/);
  assert.throws(() => arrayLiteral({ type: 'timestamptz', values: [new Date(Number.NaN)] }), /not a time/);
  assert.equal(arrayLiteral({ type: 'text', values: ['a"b', 'c\\d', null] }), '{"a\\"b","c\\\\d",NULL}');
});
