// Runs the numbered migrations in migrations/ (the same files for PGlite and PostgreSQL).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, Migrator, sql } from 'kysely';
import type { Db } from './database.ts';

const folder = fileURLToPath(new URL('../../migrations', import.meta.url));

export async function migrate(db: Db): Promise<string[]> {
  if (await upToDate(db)) return [];
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: folder }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed ? ` in ${failed.migrationName}` : '';
    throw new Error(`Migration failed${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).map((r) => r.migrationName);
}

/**
 * True when Kysely's table records exactly the migrations in the folder, so the Migrator would
 * find nothing to do. It would first load every migration module and take its lock, which cost
 * every command and every start about 0.4 s (2 cores); anything else (no table yet, a file not
 * applied, a recorded name with no file) goes to the Migrator, which applies or refuses as before.
 */
async function upToDate(db: Db): Promise<boolean> {
  const names = (await fs.readdir(folder)).filter(isMigrationFile).map((f) => f.slice(0, f.lastIndexOf('.')));
  const table = await sql<{ found: boolean }>`select to_regclass('kysely_migration') is not null as found`.execute(db);
  if (!table.rows[0]?.found) return false;
  const applied = await db
    .selectFrom('kysely_migration' as never)
    .select(sql<string>`name`.as('name'))
    .execute();
  const recorded = new Set(applied.map((r) => r.name));
  return recorded.size === names.length && names.every((n) => recorded.has(n));
}

/** The files Kysely's FileMigrationProvider loads as migrations. */
function isMigrationFile(file: string): boolean {
  return /\.(js|mjs)$/.test(file) || (/\.(ts|mts)$/.test(file) && !/\.d\.m?ts$/.test(file));
}
