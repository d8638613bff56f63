// Migrated database templates, made once per machine and migration set, so that each test file
// starts from a copy instead of running initdb and every migration again (on PGlite that is
// seconds per database; the suite makes over a hundred). The key is a hash of the migrations,
// the migration runner and the PGlite version: a changed migration makes new templates.
//
// - PGlite in memory: a data-folder image (`dumpDataDir`) in the temp folder, loaded by
//   openDatabase({ pgliteImage }).
// - PGlite on disk (DATA_DIR of the CLI tests): a migrated folder, copied.
// - PostgreSQL: a database `prom_tpl_<key>`, copied with CREATE DATABASE … TEMPLATE.
// A copy is a new installation, so freshInstallation() gives it an id of its own (migration 0009
// draws one; two test files sharing it would share the default queue prefix).
// Each is built under a name of its own and renamed into place, so test files starting side
// by side never see half a template; two that both build it simply race to the same result.
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/db/database.ts';
import type { Database } from '../../src/db/schema.ts';
import { migrate } from '../../src/db/migrate.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Changes whenever what `migrate` would build changes. */
function templateKey(): string {
  const hash = createHash('sha256');
  const migrations = path.join(ROOT, 'migrations');
  for (const file of readdirSync(migrations).sort()) {
    hash.update(file).update(readFileSync(path.join(migrations, file)));
  }
  hash.update(readFileSync(path.join(ROOT, 'src/db/migrate.ts')));
  hash.update(readFileSync(path.join(ROOT, 'node_modules/@electric-sql/pglite/package.json')));
  return hash.digest('hex').slice(0, 16);
}

const KEY = templateKey();
const TEMP = tmpdir();

let image: Promise<Blob> | undefined;

/** The migrated in-memory PGlite image (built on first use on this machine). */
export function pgliteImage(): Promise<Blob> {
  image ??= loadOrBuildImage();
  return image;
}

async function loadOrBuildImage(): Promise<Blob> {
  const file = path.join(TEMP, `prom-test-template-${KEY}.tar`);
  if (!existsSync(file)) {
    const { PGlite } = await import('@electric-sql/pglite');
    const client = await PGlite.create();
    const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
    await migrate(db);
    const dump = await client.dumpDataDir('none');
    await db.destroy();
    const building = `${file}.${randomBytes(4).toString('hex')}`;
    writeFileSync(building, Buffer.from(await dump.arrayBuffer()));
    renameSync(building, file);
  }
  return new Blob([readFileSync(file)]);
}

/** Copies a migrated PGlite data folder to `dest` (which must not exist yet). */
export async function copyPgliteTemplate(dest: string): Promise<void> {
  const folder = path.join(TEMP, `prom-test-template-${KEY}`);
  if (!existsSync(folder)) {
    const building = mkdtempSync(`${folder}.`);
    const handle = await openDatabase({
      pgliteDir: path.join(building, 'pglite'),
      pgliteDurable: false,
      command: 'test template',
    });
    await migrate(handle.db);
    await handle.close();
    try {
      renameSync(building, folder);
    } catch {
      rmSync(building, { recursive: true, force: true }); // another test file was first
    }
  }
  cpSync(path.join(folder, 'pglite'), dest, { recursive: true });
}

let postgresTemplate: Promise<string> | undefined;

/** The name of the migrated PostgreSQL template database on the server `adminUrl` points at. */
export function postgresTemplateName(adminUrl: string): Promise<string> {
  postgresTemplate ??= ensurePostgresTemplate(adminUrl);
  return postgresTemplate;
}

async function ensurePostgresTemplate(adminUrl: string): Promise<string> {
  const name = `prom_tpl_${KEY}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return name;
    const stale = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'prom\\_tpl\\_%' and datname <> $1`,
      [name],
    );
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => {});
    const building = `prom_tplbuild_${randomBytes(6).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${building}`);
    const url = new URL(adminUrl);
    url.pathname = `/${building}`;
    const handle = await openDatabase({ databaseUrl: url.toString(), poolSize: 1 });
    await migrate(handle.db);
    await handle.close();
    try {
      await admin.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } catch {
      await admin.query(`DROP DATABASE IF EXISTS ${building}`); // another test file was first
    }
    return name;
  } finally {
    await admin.end();
  }
}

/** Draws a new installation id for a database copied from a template, as migration 0009 does. */
export async function freshInstallation(db: Db): Promise<void> {
  await sql`UPDATE installation SET id = substr(md5(gen_random_uuid()::text), 1, 12), created_at = now()`.execute(db);
}
