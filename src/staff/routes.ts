// Staff pages. Order matters: the login provider's routes and logout run without a session;
// everything else under /staff needs one (access.ts), then a role. The access matrix is in
// docs/staff-access.md and tested route by route in test/integration/staff-access.test.ts.
import { Router, type Response } from 'express';
import { dashboard, dashboardCsvRows, DIMENSIONS, isDimension } from '../reports/dashboard.ts';
import { allow, requireStaff, scopeOf } from './access.ts';
import { adminRoutes } from './routes-admin.ts';
import { createContext, me, type StaffContext, type StaffDeps } from './context.ts';
import { dashboardPageData } from './dashboard-page.ts';
import { rowsToCsv, sendCsv, startCsv } from './exports.ts';
import { streamWideCsv } from '../reports/exports/analysis.ts';
import { DEFAULT_VALUE_SET } from '../reports/eq5d/engine.ts';
import { localLogin } from './login-local.ts';
import { loginContext } from './login.ts';
import { registrarRoutes } from './routes-registrar.ts';
import { paperRoutes } from '../paper/routes.ts';
import { reportRoutes } from './report-page.ts';
import { loadInstruments } from '../survey/instrument.ts';
import { destroy } from './session.ts';

export type { StaffDeps } from './context.ts';

export function staffRouter(deps: StaffDeps): Router {
  const r = Router();
  const ctx = createContext(deps);
  const provider = deps.login ?? localLogin();

  r.use(provider.router(loginContext(ctx, provider.method)));

  r.post('/staff/logout', async (req, res) => {
    const s = req.session.staff;
    if (s) await ctx.audit(req, res, { actor: s.email, actorRole: s.role, actorId: s.id, action: 'logout', entity: 'staff_user', entityId: s.id, details: { reason: 'user' } });
    await destroy(req);
    res.clearCookie(deps.secureCookies ? '__Host-prom' : 'prom.sid', { path: '/', httpOnly: true, sameSite: 'lax', secure: deps.secureCookies === true });
    res.redirect(303, '/staff/login');
  });

  r.use('/staff', requireStaff(ctx));

  r.get('/staff', async (req, res) => {
    const staff = me(res);
    const by = isDimension(req.query.by) ? req.query.by : 'month';
    const view = await dashboardFor(ctx, res);
    ctx.page(req, res, 200, 'staff/dashboard', {
      heading: ctx.t('staff.dashboardTitle'),
      scopeText: staff.role === 'registrar' ? ctx.t('staff.scopeHospitals', { hospitals: staff.hospitals.join(', ') }) : ctx.t('staff.scopeNational'),
      ...dashboardPageData(ctx, view, by),
    });
  });

  r.get('/staff/export/dashboard.csv', async (req, res) => {
    const dims = isDimension(req.query.by) ? [req.query.by] : [...DIMENSIONS];
    const view = await dashboardFor(ctx, res);
    await ctx.audit(req, res, { action: 'export', entity: 'dashboard', details: { dimensions: dims, suppressed: view.suppressed, hospitals: scopeOf(me(res)) } });
    sendCsv(res, 'svarprosent.csv', rowsToCsv(dashboardCsvRows(view, dims)));
  });

  r.get('/staff/exports', (req, res) => {
    const role = me(res).role;
    ctx.page(req, res, 200, 'staff/exports', {
      heading: ctx.t('staff.exportsTitle'),
      dashboardLinks: DIMENSIONS.map((d) => ({ href: `/staff/export/dashboard.csv?by=${d}`, text: ctx.t(`staff.dim.${d}`) })),
      analyst: role === 'analyst',
      registrar: role === 'registrar',
      pseudonymsAvailable: Boolean(deps.exportPseudonymKey),
    });
  });

  r.get('/staff/export/responses.csv', allow(ctx, 'analyst'), async (req, res) => {
    if (!deps.exportPseudonymKey) return ctx.message(req, res, 503, 'staff.errors.noPseudonymKey');
    // Audited before any byte leaves; the wide CSV of the analysis export, streamed page by page.
    await ctx.audit(req, res, { action: 'export', entity: 'responses', details: { pseudonymous: true, exportKey: 'staff-web', valueSet: DEFAULT_VALUE_SET } });
    startCsv(res, 'svar-pseudonymisert.csv');
    await streamWideCsv(deps.db, res, { valueSet: DEFAULT_VALUE_SET, exportKey: 'staff-web', pseudonymKey: deps.exportPseudonymKey });
  });

  r.use(reportRoutes(ctx, deps.instruments ?? loadInstruments()));
  r.use(registrarRoutes(ctx));
  r.use(paperRoutes(ctx));
  r.use(adminRoutes(ctx));

  // Anything else under /staff: a staff-styled 404 (only reached with a session).
  r.use('/staff', (req, res) => ctx.message(req, res, 404, 'staff.errors.notFound'));
  return r;
}

/** Registrars see their hospitals unsuppressed; analysts the whole register with small cells hidden; admins the whole register. */
function dashboardFor(ctx: StaffContext, res: Response) {
  const staff = me(res);
  return dashboard(ctx.deps.db, {
    scope: staff.role === 'registrar' ? { hospitals: staff.hospitals } : {},
    suppress: staff.role === 'analyst',
    threshold: ctx.deps.smallCellThreshold,
  });
}

