// PostgreSQL writes a query's rows as CSV itself (COPY … TO STDOUT), streamed straight into
// `out` with backpressure: no row becomes a JavaScript object, and memory stays flat.
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compilable } from 'kysely';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * Streams `query`'s rows into `out` as CSV without a header and ends `out`; returns the row count.
 * The query must carry no parameters (COPY takes none): write its constants as literals.
 */
export async function copyCsv(pool: pg.Pool, query: Compilable, out: Writable): Promise<number> {
  const compiled = query.compile();
  if (compiled.parameters.length > 0) {
    throw new Error(`COPY takes no parameters; the query has ${compiled.parameters.length}`);
  }
  const client = await pool.connect();
  try {
    const rows = client.query(copyTo(`COPY (${compiled.sql}) TO STDOUT WITH (FORMAT csv)`));
    await pipeline(rows, out);
    client.release();
    return rows.rowCount;
  } catch (err) {
    // A COPY cut short leaves the connection mid-protocol: close it rather than reuse it.
    client.release(err instanceof Error ? err : true);
    throw err;
  }
}
