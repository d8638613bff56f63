// What a test file needs to run the real `prom` command and server as child processes: a folder
// of its own (DATA_DIR), a database (a new PostgreSQL database under TEST_DB=postgres, else the
// embedded PGlite in DATA_DIR), a Redis key prefix and an SMTP sink on loopback — made in before()
// and removed in after() of the file that calls useCliWorld().
import { after, before } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type DbHandle } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { TEST_DB, createPostgresDatabase, dropPostgresDatabase } from './db.ts';
import { setTestProfile } from './register.ts';
import { copyPgliteTemplate, freshInstallation } from './templates.ts';
import { baseEnv } from './processes.ts';
import { deletePrefix, uniquePrefix, TEST_REDIS_URL } from './redis.ts';
import { startSmtpSink, type SmtpSink } from './smtp.ts';

export interface CliWorld {
  dir: string;
  dataDir: string;
  prefix: string;
  databaseUrl: string | undefined;
  smtp: SmtpSink;
  /** The environment for `prom` and `src/main.ts`: only what is set here, plus PATH and HOME. */
  env: NodeJS.ProcessEnv;
  /** The database the processes use; with PGlite only while none of them runs. */
  withDatabase<T>(use: (h: DbHandle) => Promise<T>): Promise<T>;
  /**
   * Settles when this world's before() hook has: a file's own root-level before() must await it,
   * since Node 20 starts root-level hooks side by side (one running `prom` with `env` still unset
   * used the checkout's ./data folder).
   */
  ready: Promise<void>;
}

/** `registerProfile: false` leaves the register profile unset (then nobody is contacted). */
export function useCliWorld(
  name: string,
  extraEnv: Record<string, string | undefined> = {},
  opts: { registerProfile?: boolean } = {},
): CliWorld {
  const dir = mkdtempSync(path.join(tmpdir(), `prom-${name}-`));
  const world = {
    dir,
    dataDir: path.join(dir, 'data'),
    prefix: uniquePrefix(),
    databaseUrl: undefined,
    async withDatabase(use) {
      const handle = await openDatabase({
        databaseUrl: world.databaseUrl,
        pgliteDir: path.join(world.dataDir, 'pglite'),
        poolSize: 2,
        command: `${name} test`,
      });
      try {
        return await use(handle);
      } finally {
        await handle.close();
      }
    },
  } as CliWorld;
  let start!: () => void;
  world.ready = new Promise<void>((resolve) => (start = resolve)).then(setUp);
  before(() => {
    start();
    return world.ready;
  });
  async function setUp() {
    world.smtp = await startSmtpSink();
    world.databaseUrl = await migratedCliDatabase(world.dataDir);
    world.env = baseEnv({
      DATA_DIR: world.dataDir,
      DATABASE_URL: world.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: world.prefix,
      SMTP_URL: world.smtp.url,
      PUBLIC_URL: 'http://prom.test',
      ...extraEnv,
    });
    if (opts.registerProfile !== false) await world.withDatabase((h) => setTestProfile(h.db));
  }
  after(async () => {
    await world.smtp?.close();
    await deletePrefix(world.prefix);
    if (world.databaseUrl) await dropPostgresDatabase(world.databaseUrl);
  });
  return world;
}

/**
 * The database a CLI test's commands start on, as `prom migrate` would leave it, copied from the
 * migrated template (./templates.ts) as a new installation: a PostgreSQL database (its URL) under
 * TEST_DB=postgres, else the PGlite folder in `dataDir`. A command on an empty DATA_DIR would
 * run initdb and every migration first (half a minute on a busy 2-core machine); the first start
 * on an empty folder has tests of its own (npm start in server.test.ts, prom demo in demo.test.ts).
 */
export async function migratedCliDatabase(dataDir: string): Promise<string | undefined> {
  const url = TEST_DB === 'postgres' ? await createPostgresDatabase({ migrated: true }) : undefined;
  if (!url) await copyPgliteTemplate(path.join(dataDir, 'pglite'));
  const handle = await openDatabase({ databaseUrl: url, pgliteDir: path.join(dataDir, 'pglite'), command: 'test' });
  try {
    await migrate(handle.db); // only confirms the template is current
    await freshInstallation(handle.db);
  } finally {
    await handle.close();
  }
  return url;
}
