// When the session cookie goes back to the browser. express-session's `rolling` signed and sent it
// with every answer, which cost a save 4–10 % of the service's CPU time (test/bench/submit.ts);
// the row's expiry already slides with each request (DbSessionStore.touch), so the cookie only has
// to follow it now and then.
import type { RequestHandler } from 'express';
import type { Clock } from '../clock.ts';
import type { DbSessionStore } from './session-store.ts';

/** How often an active session's cookie is sent again with a fresh expiry. */
const COOKIE_RENEW_MS = 60 * 60 * 1000;

declare module 'express-session' {
  interface SessionData {
    /** When the cookie was last sent with a fresh expiry (ms); changing it makes express-session send it. */
    cookieRenewedAt?: number;
  }
}

/**
 * Sends the cookie of a stored session again once it is an hour old: a session that stays active
 * keeps its cookie, and a browser's copy expires at most an hour before the row does, so the idle
 * timeout (the cookie's max-age) holds within that hour. A visitor without a stored session gets
 * nothing (no row is made for them).
 */
export function renewSessionCookie(store: DbSessionStore, clock: Clock): RequestHandler {
  return (req, _res, next) => {
    const s = req.session;
    const now = clock.now().getTime();
    if (s && store.hasRow(s) && !(now - (s.cookieRenewedAt ?? 0) < COOKIE_RENEW_MS)) s.cookieRenewedAt = now;
    next();
  };
}
