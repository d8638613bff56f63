// Access control for /staff: a session (303 to the login page without one), the idle and
// absolute timeouts, the account still enabled (re-read on every request, so disabling or a
// role change takes effect at once), then the role. Hospital scoping is in the queries
// (survivors.ts) and answers 404, so a registrar cannot tell another hospital's survivor exists.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { StaffRole } from '../db/schema.ts';
import { current, type CurrentStaff, type StaffContext } from './context.ts';
import { ABSOLUTE_MS, IDLE_MS, destroy } from './session.ts';
import { findById } from './users.ts';

/**
 * Marks on the handlers what they let through, so the route table (method, path, roles) can be
 * read from the app itself: docs/staff-access.md's matrix is checked against it.
 */
export interface AccessTag {
  staffSession?: true;
  allowedRoles?: readonly StaffRole[];
}

export function requireStaff(ctx: StaffContext): RequestHandler {
  const handler: RequestHandler = async (req: Request, res: Response, next: NextFunction) => {
    const s = req.session.staff;
    if (!s) return res.redirect(303, '/staff/login');
    const now = ctx.deps.clock.now().getTime();
    const user = await findById(ctx.deps.db, s.id);
    const expired = now - s.seenAt > IDLE_MS || now - s.loginAt > ABSOLUTE_MS;
    if (expired || !user || user.disabled_at) {
      await ctx.audit(req, res, {
        actor: s.email,
        actorRole: s.role,
        actorId: s.id,
        action: 'logout',
        entity: 'staff_user',
        entityId: s.id,
        details: { reason: expired ? 'timeout' : 'account-disabled' },
      });
      await destroy(req);
      return res.redirect(303, '/staff/login');
    }
    s.seenAt = now;
    const staff: CurrentStaff = {
      id: user.id,
      email: user.email,
      role: user.role,
      hospitals: user.role === 'registrar' ? user.hospitals : [],
    };
    res.locals.staff = staff;
    next();
  };
  return Object.assign(handler, { staffSession: true } satisfies AccessTag);
}

/** Lets the listed roles through; others get 403 and an audit entry (probing is worth seeing). */
export function allow(ctx: StaffContext, ...roles: StaffRole[]): RequestHandler {
  const handler: RequestHandler = async (req, res, next) => {
    const staff = current(res);
    if (staff && roles.includes(staff.role)) return next();
    await ctx.audit(req, res, {
      action: 'denied',
      entity: 'route',
      details: { method: req.method, path: req.baseUrl + req.path },
    });
    ctx.message(req, res, 403, 'staff.errors.forbidden');
  };
  return Object.assign(handler, { allowedRoles: roles } satisfies AccessTag);
}

/** The hospitals a registrar's identifiable reads are limited to. */
export function scopeOf(staff: CurrentStaff): string[] {
  return staff.role === 'registrar' ? staff.hospitals : [];
}
