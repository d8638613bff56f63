// The migration runner's quick answer: a database that records every migration in the folder is
// left alone without loading the migration modules; any other state goes to Kysely's Migrator,
// which applies what is missing or refuses a record with no file, exactly as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { sql } from 'kysely';
import { openDatabase, type DbHandle } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { TEST_DB, createPostgresDatabase, dropPostgresDatabase } from '../support/db.ts';

const FILES = readdirSync(new URL('../../migrations', import.meta.url))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

let url: string | undefined;
let handle: DbHandle;

before(async () => {
  // An empty database: a new PostgreSQL database, or PGlite in memory straight from initdb.
  url = TEST_DB === 'postgres' ? await createPostgresDatabase() : undefined;
  handle = await openDatabase({ databaseUrl: url });
});
after(async () => {
  await handle.close();
  if (url) await dropPostgresDatabase(url);
});

const recorded = async () =>
  (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(handle.db)).rows.map(
    (r) => r.name,
  );

test('an empty database gets every migration in order; a second run applies nothing', async () => {
  assert.deepEqual(await migrate(handle.db), FILES);
  assert.deepEqual(await recorded(), FILES);
  assert.deepEqual(await migrate(handle.db), []);
});

test('a migration not yet recorded is applied; the others are not run again', async () => {
  const last = FILES.at(-1)!;
  // Undo the last migration with its own down(), then forget it.
  const { down } = (await import(`../../migrations/${last}.ts`)) as { down: (db: unknown) => Promise<void> };
  await down(handle.db);
  await sql`delete from kysely_migration where name = ${last}`.execute(handle.db);
  assert.deepEqual(await migrate(handle.db), [last]);
  assert.deepEqual(await recorded(), FILES);
});

test('a recorded migration with no file is refused, as the Migrator refuses it, and nothing is applied', async () => {
  await sql`insert into kysely_migration (name, timestamp) values ('9999_gone', now()::text)`.execute(handle.db);
  await assert.rejects(migrate(handle.db), /Migration failed: .*9999_gone/);
  await sql`delete from kysely_migration where name = '9999_gone'`.execute(handle.db);
  assert.deepEqual(await migrate(handle.db), []);
});
