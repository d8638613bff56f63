// Staff pages: login, logout and the response-rate dashboard. Every page needs a session.
import { Router, type Request, type Response, type NextFunction } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Db } from '../db/database.ts';
import type { Views } from '../web/views.ts';
import { responseRate } from '../reports/response-rates.ts';
import { audit } from './audit.ts';
import { verifyLogin } from './users.ts';

export interface StaffDeps {
  db: Db;
  views: Views;
  previewTexts: boolean;
}

const IDLE_MS = 30 * 60 * 1000;
const ABSOLUTE_MS = 12 * 60 * 60 * 1000;

export function staffRouter(deps: StaffDeps): Router {
  const r = Router();
  const page = (req: Request, res: Response, status: number, name: string, data: Record<string, unknown>) => {
    res.status(status).set('Cache-Control', 'no-store');
    res.send(deps.views.render(name, { lang: 'nb', csrfToken: req.csrfToken?.(), staff: req.session.staff, ...data }));
  };

  const loginLimiter = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: 10,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => page(req, res, 429, 'staff/login', { heading: deps.views.t('nb', 'staff.loginTitle'), error: deps.views.t('nb', 'staff.tooMany') }),
  });

  r.get('/staff/login', (req, res) => page(req, res, 200, 'staff/login', { heading: deps.views.t('nb', 'staff.loginTitle') }));

  r.post('/staff/login', loginLimiter, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const email = typeof body.email === 'string' ? body.email : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const heading = deps.views.t('nb', 'staff.loginTitle');
    if (!email.trim() || !password) return page(req, res, 400, 'staff/login', { heading, email, error: deps.views.t('nb', 'staff.loginMissing') });
    const user = await verifyLogin(deps.db, email, password);
    if (!user) {
      await audit(deps.db, { actor: 'anonymous', action: 'login-failed', entity: 'staff_user', details: {} });
      return page(req, res, 401, 'staff/login', { heading, email, error: deps.views.t('nb', 'staff.loginFailed') });
    }
    // A new session id at login stops session fixation (S-13).
    req.session.regenerate(async (err) => {
      if (err) return res.status(500).end();
      const now = Date.now();
      req.session.staff = { id: user.id, email: user.email, role: user.role, hospitals: user.hospitals, loginAt: now, seenAt: now };
      await audit(deps.db, { actor: user.email, actorRole: user.role, action: 'login', entity: 'staff_user', entityId: user.id });
      res.redirect(303, '/staff');
    });
  });

  r.post('/staff/logout', (req, res) => {
    req.session.destroy(() => res.redirect(303, '/staff/login'));
  });

  r.use('/staff', requireStaff);

  r.get('/staff', async (req, res) => {
    const rates = await responseRate(deps.db);
    page(req, res, 200, 'staff/dashboard', {
      heading: deps.views.t('nb', 'staff.dashboardTitle'),
      rates,
      ratePercent: rates.rate === null ? '–' : `${(rates.rate * 100).toFixed(1).replace('.', ',')} %`,
      previewTexts: deps.previewTexts,
    });
  });

  return r;
}

/** No session (or an expired one) means 303 to the login page. */
function requireStaff(req: Request, res: Response, next: NextFunction) {
  const staff = req.session.staff;
  const now = Date.now();
  if (!staff || now - staff.seenAt > IDLE_MS || now - staff.loginAt > ABSOLUTE_MS) {
    if (staff) return req.session.destroy(() => res.redirect(303, '/staff/login'));
    return res.redirect(303, '/staff/login');
  }
  staff.seenAt = now;
  next();
}
