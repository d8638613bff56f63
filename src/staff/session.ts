// Staff sessions: what the session holds between the two login steps, the timeouts, and
// promise forms of express-session's callbacks. The signed-in state itself is
// `req.session.staff` (src/web/session-data.ts).
import type { Request } from 'express';

/** Idle timeout: 30 minutes without a request ends the session (ASVS 7.3.1). */
export const IDLE_MS = 30 * 60 * 1000;
/** Absolute timeout: 12 hours after login, whatever happens (ASVS 7.3.2). */
export const ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Time to type the code after the password was accepted. */
export const PENDING_MS = 5 * 60 * 1000;

/** Half-way through the login: the password was right, the second factor is still to come. */
export interface PendingLogin {
  userId: number;
  stage: 'code' | 'enrol';
  at: number;
  /** During enrolment: the new secret, encrypted like the stored ones. */
  enrolSecret?: string;
}

declare module 'express-session' {
  interface SessionData {
    staffLogin?: PendingLogin;
  }
}

/** A new session id (stops session fixation, ASVS 7.2.4); the old session's data is gone. */
export function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.regenerate((err: Error | undefined) => (err ? reject(err) : resolve())),
  );
}

export function destroy(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.destroy((err: Error | undefined) => (err ? reject(err) : resolve())),
  );
}

export function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.save((err: Error | undefined) => (err ? reject(err) : resolve())),
  );
}
