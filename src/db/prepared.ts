// Statements on the path of every respondent page (the session read, the draft save): built and
// compiled by Kysely once per database, then run again with fresh values. On PostgreSQL each is
// a named prepared statement, so the server parses and plans it once per connection, sent over
// the pipelined connection (src/db/pipeline.ts); on PGlite the compiled SQL runs as it is. Only the building is saved: the statement is the same one the
// query builder writes, with the same rules in it (its fragments stay in their owner modules).
import { createHash } from 'node:crypto';
import { CompiledQuery, type Compilable, type QueryResult } from 'kysely';
import { postgresPipeline, postgresPool, type Db } from './database.ts';

/** SQLSTATE of a statement that gave up waiting for a lock (the pipeline's lock_timeout). */
const LOCK_NOT_AVAILABLE = '55P03';

/** Stands in for the i-th value while the statement is built once. */
class Slot {
  constructor(readonly index: number) {}
}

interface Compiled {
  sql: string;
  /** The compiled parameters: constants of the statement, and Slots for the values of each run. */
  parameters: readonly unknown[];
  /** The prepared statement's name on PostgreSQL: the same text always gets the same name. */
  name: string;
}

/**
 * A statement built by `build` once per database. `build` may only pass its values to the query
 * builder as values (never compute with them): each must come out as a parameter of its own,
 * which is checked when it is built.
 */
export function preparedStatement<Values extends unknown[], Row>(
  build: (db: Db, ...values: Values) => Compilable<Row>,
): PreparedStatement<Values, Row> {
  const byDb = new WeakMap<Db, Compiled>();
  const arity = build.length - 1;
  const run = async (db: Db, ...values: Values): Promise<QueryResult<Row>> => {
    let compiled = byDb.get(db);
    if (!compiled) {
      compiled = compile(db, build, arity);
      byDb.set(db, compiled);
    }
    const parameters = compiled.parameters.map((p) => (p instanceof Slot ? values[p.index] : p));
    const pipeline = postgresPipeline(db);
    if (!pipeline) return db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
    const statement = { name: compiled.name, text: compiled.sql, values: parameters };
    const result = await pipeline.query<Row & object>(statement).catch((err: unknown) => {
      // It waited too long for a row lock on the shared connection and did nothing: it waits its
      // turn on a pooled connection instead, so a survivor's answer still lands.
      if ((err as { code?: unknown }).code !== LOCK_NOT_AVAILABLE) throw err;
      return postgresPool(db)!.query<Row & object>(statement);
    });
    return {
      rows: result.rows,
      // As Kysely's PostgreSQL driver answers it: set for writes only.
      numAffectedRows: ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(result.command)
        ? BigInt(result.rowCount ?? 0)
        : undefined,
    };
  };
  return Object.assign(run, {
    plain: (db: Db, ...values: Values) => db.executeQuery(build(db, ...values).compile()),
  });
}

export interface PreparedStatement<Values extends unknown[], Row> {
  (db: Db, ...values: Values): Promise<QueryResult<Row>>;
  /** The same statement built and run by the query builder as usual (for the tests that compare the two). */
  plain(db: Db, ...values: Values): Promise<QueryResult<Row>>;
}

function compile<Values extends unknown[], Row>(
  db: Db,
  build: (db: Db, ...values: Values) => Compilable<Row>,
  arity: number,
): Compiled {
  const slots = Array.from({ length: arity }, (_, i) => new Slot(i));
  const { sql, parameters } = build(db, ...(slots as Values)).compile();
  for (const slot of slots)
    if (!parameters.includes(slot)) throw new Error(`prepared statement: value ${slot.index} is not a parameter`);
  return { sql, parameters, name: `prom_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}` };
}
