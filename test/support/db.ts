// A fresh database per test file: in-memory PGlite, or a new database on the machine's
// PostgreSQL (TEST_DB=postgres), dropped again afterwards. Migrations run on both.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type DbHandle } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { setTestProfile } from './register.ts';
import { copyPgliteTemplate, freshInstallation, pgliteImage, postgresTemplateName } from './templates.ts';

export const TEST_DB = process.env.TEST_DB === 'postgres' ? 'postgres' : 'pglite';
export const ADMIN_PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase extends DbHandle {
  /** Set for PostgreSQL, so child processes (the CLI) can use the same database. */
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * `pgliteOnDisk`: PGlite keeps its data in a temporary folder, as `npm start` does in DATA_DIR,
 * instead of in memory (where a big table grows the test process itself).
 * `registerProfile: false` leaves the register profile unset (then nobody is contacted).
 */
export async function createTestDatabase(
  opts: { pgliteOnDisk?: boolean; registerProfile?: boolean; kind?: 'pglite' | 'postgres' } = {},
): Promise<TestDatabase> {
  // Started from a migrated template (./templates.ts); migrate then only confirms it is current.
  const ready = async (db: DbHandle['db']) => {
    await migrate(db);
    await freshInstallation(db);
    if (opts.registerProfile !== false) await setTestProfile(db);
  };
  if ((opts.kind ?? TEST_DB) === 'pglite') {
    const dir = opts.pgliteOnDisk ? mkdtempSync(path.join(tmpdir(), 'prom-pglite-')) : undefined;
    if (dir) await copyPgliteTemplate(path.join(dir, 'pglite'));
    const handle = await openDatabase({
      pgliteDir: dir && path.join(dir, 'pglite'),
      pgliteImage: dir ? undefined : await pgliteImage(),
      command: 'test',
    });
    await ready(handle.db);
    return {
      ...handle,
      url: undefined,
      drop: async () => {
        await handle.close();
        if (dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = await createPostgresDatabase({ migrated: true });
  const handle = await openDatabase({ databaseUrl: url, poolSize: 5 });
  await ready(handle.db);
  return {
    ...handle,
    url,
    drop: async () => {
      await handle.close();
      await dropPostgresDatabase(url);
    },
  };
}

/** A new PostgreSQL database with a unique name, empty or `migrated`; returns its URL. */
export async function createPostgresDatabase(opts: { migrated?: boolean } = {}): Promise<string> {
  const name = `prom_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const template = opts.migrated ? ` TEMPLATE ${await postgresTemplateName(ADMIN_PG_URL)}` : '';
  await adminQuery(`CREATE DATABASE ${name}${template}`);
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^prom_test_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_PG_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
