// Staff pages. Order matters: the login provider's routes and logout run without a session;
// everything else under /staff needs one (access.ts), then a role. The access matrix is in
// docs/staff-access.md and tested route by route in test/integration/staff-access.test.ts.
import { Router, type Response } from 'express';
import { z } from 'zod';
import { dashboard, dashboardCsvRows, BREAKDOWNS, isBreakdown, type Breakdown } from '../reports/dashboard.ts';
import { allow, requireStaff, scopeOf } from './access.ts';
import { adminRoutes } from './routes-admin.ts';
import { erasureRoutes } from './routes-erasure.ts';
import { heldForProfile, registerProfileSet } from '../invitations/profile-hold.ts';
import { registerAdminRoutes } from './register-routes.ts';
import { createContext, me, type StaffContext, type StaffDeps } from './context.ts';
import { dashboardPageData } from './dashboard-page.ts';
import { rowsToCsv, sendCsv, startCsv } from './exports.ts';
import { streamWideCsv } from '../reports/exports/analysis.ts';
import { DEFAULT_VALUE_SET } from '../reports/eq5d/engine.ts';
import { localLogin } from './login-local.ts';
import { loginContext } from './login.ts';
import { registrarRoutes } from './routes-registrar.ts';
import { paperRoutes } from './paper-routes.ts';
import { reportRoutes } from './report-page.ts';
import { loadInstruments } from '../instruments/eq5d-texts.ts';
import { destroy } from './session.ts';
import { readForm } from '../form-fields.ts';

/** The workspace's help pages (locales/nb/help.json). */
const HELP_TOPICS = ['svarprosent', 'lisensiert-tekst'];

export type { StaffDeps } from './context.ts';

export function staffRouter(deps: StaffDeps): Router {
  const r = Router();
  const ctx = createContext(deps);
  const provider = deps.login ?? localLogin();

  r.use(provider.router(loginContext(ctx, provider.method)));

  r.post('/staff/logout', async (req, res) => {
    const s = req.session.staff;
    if (s)
      await ctx.audit(req, res, {
        actor: s.email,
        actorRole: s.role,
        actorId: s.id,
        action: 'logout',
        entity: 'staff_user',
        entityId: s.id,
        details: { reason: 'user' },
      });
    await destroy(req);
    res.clearCookie(deps.secureCookies ? '__Host-prom' : 'prom.sid', {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookies === true,
    });
    res.redirect(303, '/staff/login');
  });

  r.use('/staff', requireStaff(ctx));

  // ?by= one of the dashboard's breakdowns; anything else shows (or exports) the default.
  const dashboardQuery = z.object({ by: z.custom<Breakdown>(isBreakdown).optional().catch(undefined) });
  r.get('/staff', async (req, res) => {
    const staff = me(res);
    const by = readForm(dashboardQuery, req.query).by ?? 'month';
    const view = await dashboardFor(ctx, res);
    ctx.page(req, res, 200, 'staff/dashboard', {
      heading: ctx.t('staff.dashboardTitle'),
      scopeText:
        staff.role === 'registrar'
          ? ctx.t('staff.scopeHospitals', { hospitals: staff.hospitals.join(', ') })
          : ctx.t('staff.scopeNational'),
      ...dashboardPageData(ctx, view, by),
      // Until a register profile is set nobody is contacted; say so where staff look first.
      registerMissing: (await registerProfileSet(deps.db))
        ? undefined
        : ctx.t('registerAdmin.dashboardMissing', { held: await heldForProfile(deps.db) }),
    });
  });

  r.get('/staff/export/dashboard.csv', async (req, res) => {
    const { by }: z.infer<typeof dashboardQuery> = readForm(dashboardQuery, req.query);
    const dims = by ? [by] : [...BREAKDOWNS];
    const view = await dashboardFor(ctx, res);
    await ctx.audit(req, res, {
      action: 'export',
      entity: 'dashboard',
      details: { dimensions: dims, suppressed: view.suppressed, hospitals: scopeOf(me(res)) },
    });
    sendCsv(res, 'svarprosent.csv', rowsToCsv(dashboardCsvRows(view, dims)));
  });

  r.get('/staff/exports', (req, res) => {
    const role = me(res).role;
    ctx.page(req, res, 200, 'staff/exports', {
      heading: ctx.t('staff.exportsTitle'),
      dashboardLinks: BREAKDOWNS.map((d) => ({
        href: `/staff/export/dashboard.csv?by=${d}`,
        text: ctx.t(`staff.dim.${d}`),
      })),
      analyst: role === 'analyst',
      registrar: role === 'registrar',
      pseudonymsAvailable: Boolean(deps.exportPseudonymKey),
    });
  });

  r.get('/staff/export/responses.csv', allow(ctx, 'analyst'), async (req, res) => {
    if (!deps.exportPseudonymKey) return ctx.message(req, res, 503, 'staff.errors.noPseudonymKey');
    // Audited before any byte leaves; the wide CSV of the analysis export, streamed page by page.
    await ctx.audit(req, res, {
      action: 'export',
      entity: 'responses',
      details: { pseudonymous: true, exportKey: 'staff-web', valueSet: DEFAULT_VALUE_SET },
    });
    startCsv(res, 'svar-pseudonymisert.csv');
    await streamWideCsv(deps.db, res, {
      valueSet: DEFAULT_VALUE_SET,
      exportKey: 'staff-web',
      pseudonymKey: deps.exportPseudonymKey,
    });
  });

  // Help that staff need lives on pages of the workspace, never in the repository's files.
  r.get('/staff/help/:topic', allow(ctx, 'admin', 'registrar', 'analyst'), (req, res) => {
    const topic = String(req.params.topic);
    if (!HELP_TOPICS.includes(topic)) return ctx.message(req, res, 404, 'staff.errors.notFound');
    const paragraphs = deps.views.list('nb', `help.topics.${topic}.paragraphs`);
    ctx.page(req, res, 200, 'staff/help', { heading: ctx.t(`help.topics.${topic}.title`), paragraphs });
  });

  r.use(reportRoutes(ctx, deps.instruments ?? loadInstruments()));
  r.use(registrarRoutes(ctx));
  r.use(paperRoutes(ctx));
  r.use(adminRoutes(ctx));
  r.use(erasureRoutes(ctx));
  r.use(registerAdminRoutes(ctx));

  // Anything else under /staff: a staff-styled 404 (only reached with a session).
  r.use('/staff', (req, res) => ctx.message(req, res, 404, 'staff.errors.notFound'));
  return r;
}

/** Registrars see their hospitals unsuppressed; analysts the whole register with small cells hidden; admins the whole register. */
function dashboardFor(ctx: StaffContext, res: Response) {
  const staff = me(res);
  return dashboard(ctx.deps.db, {
    scope: staff.role === 'registrar' ? staff.hospitals : 'all',
    suppress: staff.role === 'analyst',
    threshold: ctx.deps.smallCellThreshold,
  });
}
