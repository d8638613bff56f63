// express-session store in our own database. The cookie carries the session id; the table keeps
// only its SHA-256, so a copy of the database does not let anyone take over a session.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import session from 'express-session';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

/** The key of a session's row: the SHA-256 of its id. */
export const sessionKey = (sid: string) => createHash('sha256').update(sid).digest('base64url');

/** Keys of recent sessions: every request reads its session (bounded; a miss only hashes again). */
const keys = new Map<string, string>();
function key(sid: string): string {
  let k = keys.get(sid);
  if (k === undefined) {
    k = sessionKey(sid);
    if (keys.size >= 10_000) keys.clear();
    keys.set(sid, k);
  }
  return k;
}

/**
 * Reads a session row together with facts the request will need, in one statement (the survey
 * reads its invitation and draft this way). `read` must answer exactly what the store's own read
 * answers for `data` — the row of `sidKey` while it has not expired — and may add columns.
 */
export interface SessionRead<Row extends { data: unknown }> {
  read(sidKey: string): Promise<Row | undefined>;
  /** Called with the request whose session was built from `row`. */
  loaded(req: IncomingMessage, row: Row): void;
}

const TOUCH_EVERY_MS = 60_000;

export class DbSessionStore<Row extends { data: unknown } = { data: unknown }> extends session.Store {
  private readonly touched = new Map<string, number>();
  /** Session objects that have a row: read from the table, or inserted by this store. */
  private readonly stored = new WeakSet<object>();
  /** The rows `reader` answered, by the session data they held, until express-session builds the request's session. */
  private readonly rows = new WeakMap<object, Row>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    private readonly reader?: SessionRead<Row>,
  ) {
    super();
  }

  override get(sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void {
    if (this.reader) {
      this.reader.read(key(sid)).then((row) => {
        if (!row) return cb(null, null);
        const data = row.data as session.SessionData;
        this.rows.set(data, row);
        cb(null, data);
      }, cb);
      return;
    }
    this.db
      .selectFrom('sessions')
      .select('data')
      .where('sid', '=', key(sid))
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst()
      .then((row) => cb(null, row ? (row.data as unknown as session.SessionData) : null), cb);
  }

  /** express-session builds a request's session from a row here; remember that it has one. */
  override createSession(req: Parameters<session.Store['createSession']>[0], s: session.SessionData) {
    const row = this.rows.get(s);
    if (row) {
      this.rows.delete(s);
      this.reader?.loaded(req, row);
    }
    const made = super.createSession(req, s);
    this.stored.add(made);
    return made;
  }

  /** Whether this request's session has a row (read from the table, or inserted by this store). */
  hasRow(s: object): boolean {
    return this.stored.has(s);
  }

  /**
   * A new session is inserted; a stored one is only updated while its row exists. Never an
   * upsert: a request still in flight when its session was destroyed (logout, "end sessions",
   * a disabled account) would write the row back and the old cookie would work again.
   */
  override set(sid: string, s: session.SessionData, cb?: (err?: unknown) => void): void {
    const expires = this.expiry(s);
    const data = JSON.stringify(s);
    const write = this.stored.has(s)
      ? this.db.updateTable('sessions').set({ data, expires_at: expires }).where('sid', '=', key(sid)).execute()
      : this.db
          .insertInto('sessions')
          .values({ sid: key(sid), data, expires_at: expires })
          .onConflict((oc) => oc.column('sid').doNothing())
          .execute()
          .then(() => this.stored.add(s));
    write.then(
      () => cb?.(),
      (err) => cb?.(err),
    );
  }

  /**
   * Extends a session's expiry, at most once a minute per session: with rolling cookies every
   * request touches, and a write per page view doubled the cost of saving an answer.
   */
  override touch(sid: string, s: session.SessionData, cb?: (err?: unknown) => void): void {
    const now = Date.now();
    const last = this.touched.get(sid);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return cb?.();
    this.remember(sid, now);
    this.db
      .updateTable('sessions')
      .set({ expires_at: this.expiry(s) })
      .where('sid', '=', key(sid))
      .execute()
      .then(
        () => cb?.(),
        (err) => cb?.(err),
      );
  }

  private remember(sid: string, at: number): void {
    if (this.touched.size >= 50_000) this.touched.clear(); // bounded memory; the worst case is an extra write
    this.touched.set(sid, at);
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', key(sid))
      .execute()
      .then(
        () => cb?.(),
        (err) => cb?.(err),
      );
  }

  /** Ends every session of one staff user (used when an account is disabled). */
  async destroyWhere(field: string, value: string | number): Promise<void> {
    await this.db
      .deleteFrom('sessions')
      .where(sql`data->>${field}`, '=', String(value))
      .execute();
  }

  private expiry(s: session.SessionData): Date {
    const ms = s.cookie?.expires ? new Date(s.cookie.expires).getTime() : Date.now() + this.ttlMs;
    return new Date(ms);
  }
}
