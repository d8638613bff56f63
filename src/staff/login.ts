// The one seam between "who is this person" and everything after it. A LoginProvider owns the
// routes under /staff/login and, once every factor has passed, calls `signIn` with the staff
// user it has proven. Sessions, roles, hospital scoping and the audit log never look at how the
// person signed in. The local provider (login-local.ts) is e-mail + password + TOTP; a HelseID /
// OpenID Connect provider replaces it without touching anything else — see docs/staff-login.md.
import type { Request, Response, Router } from 'express';
import type { StaffUser } from '../db/schema.ts';
import type { StaffContext } from './context.ts';
import { ABSOLUTE_MS, IDLE_MS, regenerate, save } from './session.ts';
import { recordSuccess } from './users.ts';

export interface LoginProvider {
  /** Recorded with each login in the audit log, e.g. 'password+totp' or 'helseid'. */
  readonly method: string;
  /** Routes for GET /staff/login and whatever else the provider needs under /staff/login. They run before the session check. */
  router(ctx: LoginContext): Router;
}

export interface LoginContext extends StaffContext {
  /**
   * The person is proven (every factor). Issues a new session id, starts the staff session with
   * the idle and absolute timeouts, records the login, and answers 303 to /staff.
   */
  signIn(req: Request, res: Response, user: StaffUser): Promise<void>;
}

export function loginContext(ctx: StaffContext, method: string): LoginContext {
  return {
    ...ctx,
    async signIn(req, res, user) {
      if (user.disabled_at) throw new Error('signIn called for a disabled account');
      await regenerate(req);
      const now = ctx.deps.clock.now();
      const at = now.getTime();
      req.session.staff = {
        id: user.id,
        email: user.email,
        role: user.role,
        hospitals: user.hospitals,
        loginAt: at,
        seenAt: at,
      };
      // The cookie (and the session row) lasts as long as the idle timeout and is renewed by each request.
      req.session.cookie.maxAge = IDLE_MS;
      await save(req);
      await recordSuccess(ctx.deps.db, user.id, now);
      res.locals.staff = { id: user.id, email: user.email, role: user.role, hospitals: user.hospitals };
      await ctx.audit(req, res, {
        action: 'login',
        entity: 'staff_user',
        entityId: user.id,
        details: { method, absoluteTimeoutMinutes: ABSOLUTE_MS / 60_000 },
      });
      res.redirect(303, '/staff');
    },
  };
}
