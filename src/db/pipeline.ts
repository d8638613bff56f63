// The statements on the path of every respondent page (src/db/prepared.ts: the session read and
// the draft save) share one connection in pipeline mode: each is sent as soon as it is asked for,
// without waiting for the ones before it to answer, and their answers come back in order. Taking a
// pooled connection for each instead cost a system call per statement each way, plus the pool's
// bookkeeping, on the Node thread that bounds how many answers a process can save (a third fewer
// saves per second; test/bench/submit.ts, docs/performance.md). Transactions, COPY and every other
// statement keep using the pool.
import pg from 'pg';

/**
 * A statement waiting longer than this for a row lock fails instead of holding up every statement
 * behind it on the connection. The hot statements wait for locks only while a transaction on the
 * same rows commits (milliseconds); src/db/prepared.ts then runs it again on a pooled connection.
 */
const LOCK_TIMEOUT_MS = 2_000;
/** Like the pool's idle clients: a connection with nothing to do for this long is closed. */
const IDLE_MS = 10_000;

export interface PipelineOptions {
  idleMs?: number;
}

export class Pipeline {
  private client: pg.Client | undefined;
  private inFlight = 0;
  private idle: NodeJS.Timeout | undefined;
  private closed = false;

  private readonly idleMs: number;

  constructor(
    private readonly config: pg.ClientConfig,
    opts: PipelineOptions = {},
  ) {
    this.idleMs = opts.idleMs ?? IDLE_MS;
  }

  async query<R extends pg.QueryResultRow>(statement: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    if (this.closed) throw new Error('the database is closed');
    clearTimeout(this.idle);
    this.inFlight++;
    try {
      return await this.connection().query<R>(statement);
    } finally {
      if (--this.inFlight === 0) this.idle = setTimeout(() => void this.release(), this.idleMs).unref();
    }
  }

  /** The live connection, or a new one: statements asked for while it connects wait in its queue. */
  private connection(): pg.Client {
    if (this.client) return this.client;
    const client = new pg.Client({ ...this.config, pipeline: true, keepAlive: true, lock_timeout: LOCK_TIMEOUT_MS });
    // A lost connection fails the statements in flight (pg answers each with the error) and the
    // next statement opens a new one.
    const forget = () => {
      if (this.client === client) this.client = undefined;
    };
    client.on('error', forget);
    client.on('end', forget);
    client.connect().catch(forget);
    this.client = client;
    return client;
  }

  /** Closes the connection (idle, or the database closing); a later statement opens a new one. */
  private async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idle);
    await this.release();
  }
}
