// express-session store in our own database. The cookie carries the session id; the table keeps
// only its SHA-256, so a copy of the database does not let anyone take over a session.
import { createHash } from 'node:crypto';
import session from 'express-session';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

const key = (sid: string) => createHash('sha256').update(sid).digest('base64url');

const TOUCH_EVERY_MS = 60_000;

export class DbSessionStore extends session.Store {
  private readonly touched = new Map<string, number>();
  /** Session objects that have a row: read from the table, or inserted by this store. */
  private readonly stored = new WeakSet<object>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
  ) {
    super();
  }

  override get(sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void {
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
    const made = super.createSession(req, s);
    this.stored.add(made);
    return made;
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
