// Admin pages: staff users (add, disable, enable, end sessions, reset the authenticator, set a
// registrar's hospitals), the audit log (search and CSV), queue health, hospital reference data.
// Every change is audited; so is every look at the audit log, which is itself personal data.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { allow } from './access.ts';
import { isCalendarDate } from '../calendar-date.ts';
import { allAudit, auditActions, searchAudit, type AuditFilter } from '../audit/log.ts';
import { auditAction, auditDetails, auditEntity } from './audit-text.ts';
import { me, type StaffContext } from './context.ts';
import { rowsToCsv, sendCsv } from './exports.ts';
import { getHospital, hospitalSchema, listHospitals, saveHospital, unknownHospitalCodes } from './hospitals.ts';
import { JOB_STATES, queueHealth } from '../queue/health.ts';
import { formatDateTime } from './routes-registrar.ts';
import {
  addUser,
  countSessions,
  disableUser,
  enableUser,
  endSessionsOf,
  findById,
  listUsers,
  resetSecondFactor,
  ROLES,
  setHospitals,
  UserExists,
  newUserSchema,
  registrarHospitalsSchema,
} from './users.ts';
import { issueField, optionalText, readForm, text } from '../form-fields.ts';

const PAGE = 100;

export function adminRoutes(ctx: StaffContext): Router {
  const r = Router();
  const admin = allow(ctx, 'admin');
  const { db, clock } = ctx.deps;

  // ---- users ----
  /** `refused`: a user's hospitals as typed, shown again beside the error instead of the saved ones. */
  type Refused = { id: number; hospitals: string; error: string };
  const usersPage = async (
    req: Request,
    res: Response,
    status: number,
    extra: Record<string, unknown> = {},
    refused?: Refused,
  ) => {
    const [users, sessions] = await Promise.all([listUsers(db, clock.now()), countSessions(db)]);
    const self = me(res).id;
    ctx.page(req, res, status, 'staff/users', {
      heading: ctx.t('staff.usersTitle'),
      users: users.map((u) => ({
        ...u,
        roleName: ctx.t(`staff.roles.${u.role}`),
        hospitals: refused?.id === u.id ? refused.hospitals : u.hospitals.join(', '),
        hospitalsError: refused?.id === u.id ? refused.error : undefined,
        isRegistrar: u.role === 'registrar',
        lastLoginAt: formatDateTime(u.lastLoginAt),
        sessions: sessions.get(u.id) ?? 0,
        self: u.id === self,
      })),
      roles: ROLES.map((role) => ({ value: role, text: ctx.t(`staff.roles.${role}`) })),
      // Least privilege unless the admin chose otherwise.
      form: { role: 'analyst' },
      flash: takeFlash(req),
      ...extra,
    });
  };

  r.get('/staff/users', admin, (req, res) => usersPage(req, res, 200));

  // The form's text fields; the user itself is checked by newUserSchema, as `prom staff add` is.
  const userForm = z.object({ email: text, role: text, hospitals: text, password: text });
  r.post('/staff/users', admin, async (req, res) => {
    const { password, ...form }: z.infer<typeof userForm> = readForm(userForm, req.body);
    const user = newUserSchema.safeParse({ ...form, hospitals: splitCodes(form.hospitals), password });
    try {
      if (!user.success) throw user.error;
      const added = await addUser(db, user.data);
      await ctx.audit(req, res, {
        action: 'change',
        entity: 'staff_user',
        entityId: added.id,
        details: { change: 'added', role: added.role },
      });
      flash(req, ctx.t('staff.userAdded', { email: added.email }));
      res.redirect(303, '/staff/users');
    } catch (err) {
      if (!(err instanceof z.ZodError) && !(err instanceof UserExists)) throw err;
      const errors =
        err instanceof z.ZodError
          ? err.issues.map((i) => {
              const field = issueField(i, 'email');
              if (field === 'hospital' || field === 'hospitals')
                return { text: ctx.t(hospitalsMessage(i)), href: '#new-hospitals' };
              return { text: ctx.t(`staff.userErrors.${field}`), href: `#new-${field}` };
            })
          : [{ text: ctx.t('staff.userExists'), href: '#new-email' }];
      await usersPage(req, res, 400, { errors, form });
    }
  });

  const userAction = (name: string, act: (email: string, id: number) => Promise<unknown>, message: string) =>
    r.post(`/staff/users/:id/${name}`, admin, async (req, res) => {
      const id = /^[0-9]{1,15}$/.test(String(req.params.id)) ? Number(req.params.id) : undefined;
      const user = id === undefined ? undefined : await findById(db, id);
      if (!user) return ctx.message(req, res, 404, 'staff.errors.notFound');
      if (user.id === me(res).id && name !== 'hospitals') {
        flash(req, ctx.t('staff.notOnYourself'));
        return res.redirect(303, '/staff/users');
      }
      await act(user.email, user.id);
      await ctx.audit(req, res, {
        action: 'change',
        entity: 'staff_user',
        entityId: user.id,
        details: { change: name },
      });
      flash(req, ctx.t(message, { email: user.email }));
      res.redirect(303, '/staff/users');
    });
  userAction('disable', (email) => disableUser(db, email, clock.now()), 'staff.userDisabled');
  userAction('enable', (email) => enableUser(db, email), 'staff.userEnabled');
  userAction('end-sessions', (_e, id) => endSessionsOf(db, id), 'staff.sessionsEnded');
  userAction('reset-2fa', (email) => resetSecondFactor(db, email), 'staff.totpReset');
  const hospitalsForm = z.object({ hospitals: text });
  r.post('/staff/users/:id/hospitals', admin, async (req, res) => {
    const id = /^[0-9]{1,15}$/.test(String(req.params.id)) ? Number(req.params.id) : undefined;
    const user = id === undefined ? undefined : await findById(db, id);
    if (!user || user.role !== 'registrar') return ctx.message(req, res, 404, 'staff.errors.notFound');
    const form: z.infer<typeof hospitalsForm> = readForm(hospitalsForm, req.body);
    const parsed = registrarHospitalsSchema.safeParse(splitCodes(form.hospitals));
    if (!parsed.success) {
      const error = ctx.t(hospitalsMessage(parsed.error.issues[0]!));
      const errors = [{ text: error, href: `#hospitals-${user.id}` }];
      return usersPage(req, res, 400, { errors }, { id: user.id, hospitals: form.hospitals, error });
    }
    const codes = parsed.data;
    await setHospitals(db, user.id, codes);
    await ctx.audit(req, res, {
      action: 'change',
      entity: 'staff_user',
      entityId: user.id,
      details: { change: 'hospitals', hospitals: codes },
    });
    flash(req, ctx.t('staff.hospitalsSet', { email: user.email }));
    res.redirect(303, '/staff/users');
  });

  // ---- audit log ----
  // A filter field: trimmed, at most 200 characters, absent when empty. Dates are checked below.
  const filterText = z
    .string()
    .trim()
    .transform((s) => s.slice(0, 200) || undefined)
    .optional()
    .catch(undefined);
  const auditQuery = z.object({
    actor: filterText,
    action: filterText,
    entity: filterText,
    entity_id: filterText,
    from: filterText,
    to: filterText,
    before: z
      .string()
      .regex(/^[0-9]{1,15}$/)
      .transform(Number)
      .optional()
      .catch(undefined),
  });
  const filterOf = (query: z.infer<typeof auditQuery>): AuditFilter => ({
    actor: query.actor,
    action: query.action,
    entity: query.entity,
    entityId: query.entity_id,
    from: query.from,
    to: query.to,
  });

  /** Dates the log cannot be searched by: the page again with an error summary (400). */
  const refuseBadDates = async (req: Request, res: Response, filter: AuditFilter): Promise<boolean> => {
    const bad = (['from', 'to'] as const).filter((k) => filter[k] !== undefined && !isCalendarDate(filter[k]));
    if (bad.length === 0) return false;
    const options = await auditActions(db);
    ctx.page(req, res, 400, 'staff/audit', {
      heading: ctx.t('staff.auditTitle'),
      errors: bad.map((k) => ({ text: ctx.t(`staff.audit.${k}Invalid`), href: `#f-${k}` })),
      invalid: Object.fromEntries(bad.map((k) => [k, true])),
      filter: { ...filter, entity_id: filter.entityId },
      actions: options.actions.map((a) => ({ value: a, selected: a === filter.action })),
      entities: options.entities.map((e) => ({ value: e, selected: e === filter.entity })),
      rows: [],
      csvHref: '/staff/audit.csv',
    });
    return true;
  };

  r.get('/staff/audit', admin, async (req, res) => {
    const query = readForm(auditQuery, req.query);
    const filter = filterOf(query);
    if (await refuseBadDates(req, res, filter)) return;
    const { before } = query;
    const [rows, options] = await Promise.all([searchAudit(db, filter, { limit: PAGE + 1, before }), auditActions(db)]);
    const shown = rows.slice(0, PAGE);
    await ctx.audit(req, res, { action: 'view', entity: 'audit_log', details: { filter, rows: shown.length } });
    const params = new URLSearchParams(
      Object.entries({ ...filter, entity_id: filter.entityId, entityId: undefined }).filter(([, v]) => v) as [
        string,
        string,
      ][],
    );
    const more =
      rows.length > PAGE
        ? `/staff/audit?${new URLSearchParams([...params, ['before', String(shown[shown.length - 1]!.id)]])}`
        : undefined;
    ctx.page(req, res, 200, 'staff/audit', {
      heading: ctx.t('staff.auditTitle'),
      filter: { ...filter, entity_id: filter.entityId },
      actions: options.actions.map((a) => ({ value: a, text: auditAction(ctx.tOr, a), selected: a === filter.action })),
      entities: options.entities.map((e) => ({
        value: e,
        text: auditEntity(ctx.tOr, e),
        selected: e === filter.entity,
      })),
      rows: shown.map((a) => ({
        ...a,
        at: formatDateTime(a.at),
        actorRole: a.actorRole && ctx.tOr(`staff.roles.${a.actorRole}`, a.actorRole),
        action: auditAction(ctx.tOr, a.action),
        entity: auditEntity(ctx.tOr, a.entity),
        details: auditDetails(ctx.tOr, a.details),
      })),
      more,
      csvHref: `/staff/audit.csv${params.size > 0 ? `?${params}` : ''}`,
    });
  });

  r.get('/staff/audit.csv', admin, async (req, res) => {
    const filter = filterOf(readForm(auditQuery, req.query));
    if (await refuseBadDates(req, res, filter)) return;
    const out: string[][] = [['id', 'at', 'actor', 'actor_role', 'action', 'entity', 'entity_id', 'source', 'details']];
    for await (const a of allAudit(db, filter)) {
      out.push([
        String(a.id),
        a.at.toISOString(),
        a.actor,
        a.actorRole ?? '',
        a.action,
        a.entity,
        a.entityId ?? '',
        a.source ?? '',
        JSON.stringify(a.details),
      ]);
    }
    await ctx.audit(req, res, { action: 'export', entity: 'audit_log', details: { filter, rows: out.length - 1 } });
    sendCsv(res, 'revisjonslogg.csv', rowsToCsv(out));
  });

  // ---- queue health ----
  r.get('/staff/queues', admin, async (req, res) => {
    const report = await queueHealth(ctx.deps.queues);
    ctx.page(req, res, 200, 'staff/queues', {
      heading: ctx.t('staff.queuesTitle'),
      available: report.available,
      unavailableText: report.available ? '' : ctx.t(`staff.queues.${report.reason}`),
      states: JOB_STATES.map((s) => ctx.t(`staff.jobStates.${s}`)),
      queues: report.available
        ? report.queues.map((q) => ({
            name: ctx.tOr(`staff.queueNames.${q.name}`, q.name),
            counts: JOB_STATES.map((s) => ({ value: q.counts[s], alert: s === 'failed' && q.counts[s] > 0 })),
          }))
        : [],
    });
  });

  // ---- hospitals ----
  const hospitalsPage = async (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) => {
    const [hospitals, unknown] = await Promise.all([listHospitals(db), unknownHospitalCodes(db)]);
    ctx.page(req, res, status, 'staff/hospitals', {
      heading: ctx.t('staff.hospitalsTitle'),
      hospitals,
      unknown: unknown.join(', '),
      flash: takeFlash(req),
      ...extra,
    });
  };

  r.get('/staff/hospitals', admin, (req, res) => hospitalsPage(req, res, 200));

  r.get('/staff/hospitals/:code', admin, async (req, res) => {
    const h = await getHospital(db, String(req.params.code));
    if (!h) return ctx.message(req, res, 404, 'staff.errors.notFound');
    ctx.page(req, res, 200, 'staff/hospital', { heading: ctx.t('staff.hospitalEditTitle', { name: h.name }), form: h });
  });

  const hospitalForm = z.object({ code: text, name: text, health_trust: text, region: text, editing: optionalText });
  r.post('/staff/hospitals', admin, async (req, res) => {
    const { editing: edit, ...form }: z.infer<typeof hospitalForm> = readForm(hospitalForm, req.body);
    const parsed = hospitalSchema.safeParse(form);
    const editing = edit === 'yes';
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({
        text: ctx.t(`staff.hospitalErrors.${String(i.path[0])}`),
        href: `#h-${String(i.path[0])}`,
      }));
      if (editing)
        return ctx.page(req, res, 400, 'staff/hospital', {
          heading: ctx.t('staff.hospitalEditTitle', { name: form.code }),
          form,
          errors,
        });
      return hospitalsPage(req, res, 400, { form, errors });
    }
    const inserted = await saveHospital(db, parsed.data);
    await ctx.audit(req, res, {
      action: 'change',
      entity: 'hospital',
      entityId: parsed.data.code,
      details: { change: inserted ? 'added' : 'updated' },
    });
    flash(req, ctx.t(inserted ? 'staff.hospitalAdded' : 'staff.hospitalSaved', { name: parsed.data.name }));
    res.redirect(303, '/staff/hospitals');
  });

  return r;
}

/** A code too long says how long a code may be; an empty list that a registrar needs one. */
function hospitalsMessage(issue: z.core.$ZodIssue): string {
  return issue.code === 'too_big' ? 'staff.userErrors.hospitalCode' : 'staff.userErrors.hospitals';
}

function splitCodes(s: string): string[] {
  return [
    ...new Set(
      s
        .split(/[\s,;]+/)
        .map((c) => c.trim())
        .filter(Boolean),
    ),
  ];
}

function flash(req: Request, text: string): void {
  req.session.staffFlash = text;
}

function takeFlash(req: Request): string | undefined {
  const f = req.session.staffFlash;
  delete req.session.staffFlash;
  return f;
}
