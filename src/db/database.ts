// One Kysely instance over embedded PGlite (DATA_DIR/pglite) or PostgreSQL (DATABASE_URL).
// Both drivers read bigint as number and date as 'YYYY-MM-DD', so code sees the same values.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { lockDataDir, type Lock } from './pglite-lock.ts';
import { Pipeline } from './pipeline.ts';

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /**
   * Whether a commit is on disk when it returns (fsync on, and it reaches the disk). PostgreSQL:
   * its own setting. PGlite: true on a folder when the fsync hook is in place (pglite-durable.ts).
   */
  durable: boolean;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;
const asNumber = (v: string) => Number(v);
const asText = (v: string) => v;

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** PGlite data folder; undefined with no databaseUrl means in memory (tests). */
  pgliteDir?: string | undefined;
  /** Who holds the PGlite lock, shown to a second process. */
  command?: string;
  /** PGlite on a folder: sync each commit to disk (default true; false only to measure the cost). */
  pgliteDurable?: boolean;
  /**
   * In memory only: start from this data-folder image (`dumpDataDir`) instead of an empty cluster.
   * Tests start each database from one migrated image: a new cluster costs seconds of initdb.
   */
  pgliteImage?: Blob;
  poolSize?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<DbHandle> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 10);
  return openPglite(opts.pgliteDir, opts.command ?? 'prom', opts.pgliteDurable ?? true, opts.pgliteImage);
}

function openPostgres(url: string, max: number): DbHandle {
  const connection: pg.ClientConfig = {
    connectionString: url,
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === INT8) return asNumber;
        if (oid === DATE) return asText;
        return pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown;
      }) as typeof pg.types.getTypeParser,
    },
  };
  const pool = new pg.Pool({ ...connection, max });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const pipeline = new Pipeline(connection);
  pools.set(db, pool);
  pipelines.set(db, pipeline);
  return {
    db,
    kind: 'postgres',
    durable: true,
    close: async () => {
      await Promise.all([db.destroy(), pipeline.close()]);
    },
  };
}

async function openPglite(
  dir: string | undefined,
  command: string,
  durable: boolean,
  image: Blob | undefined,
): Promise<DbHandle> {
  let lock: Lock | undefined;
  if (dir) lock = lockDataDir(dir, command);
  try {
    // Loaded only in embedded mode: the WASM build costs ~70 MB that a PostgreSQL process never needs.
    const [{ PGlite, types: pgliteTypes }, { PGliteDialect }, { DurableNodeFS, durableStartParams }] =
      await Promise.all([
        import('@electric-sql/pglite'),
        import('kysely-pglite-dialect'),
        import('./pglite-durable.ts'),
      ]);
    const fs = dir && durable ? new DurableNodeFS(dir) : undefined;
    const client = await PGlite.create({
      ...(fs ? { fs, startParams: durableStartParams(PGlite.defaultStartParams) } : dir ? { dataDir: dir } : {}),
      ...(image && !dir ? { loadDataDir: image } : {}),
      parsers: { [pgliteTypes.INT8]: asNumber, [pgliteTypes.DATE]: asText },
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
    return {
      db,
      kind: 'pglite',
      durable: fs?.patched === true && (await client.query<{ fsync: string }>('SHOW fsync')).rows[0]?.fsync === 'on',
      close: async () => {
        await db.destroy();
        lock?.release();
      },
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}

// Kysely keeps its pool to itself; COPY streams need a client of their own from it.
const pools = new WeakMap<Db, pg.Pool>();

/**
 * The node-pg pool behind a PostgreSQL `db` (for COPY … TO STDOUT), or undefined on PGlite and
 * for a transaction (a COPY there would not see the transaction's writes).
 */
export function postgresPool(db: Db): pg.Pool | undefined {
  return pools.get(db);
}

const pipelines = new WeakMap<Db, Pipeline>();

/** The pipelined connection of a PostgreSQL `db` (src/db/pipeline.ts); undefined on PGlite and for a transaction. */
export function postgresPipeline(db: Db): Pipeline | undefined {
  return pipelines.get(db);
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
