// What a registrar does on the survivor page after a phone call or returned post. Each action is a
// POST with its own zod schema, goes through a transition of the rules' owner (src/invitations/)
// with the registrar's hospitals, writes one audit row, and returns to the survivor page with a
// message; actions that stop contact or remove data need a ticked confirmation. Another
// hospital's survivor (or letter) is 404, as for every survivor page.
import { Router, type Request, type Response } from 'express';
import type { TextVars } from '../i18n/views.ts';
import { z } from 'zod';
import { calendarDateSchema, parseCalendarDate } from '../calendar-date.ts';
import { osloDay, osloMidnight } from '../clock.ts';
import { deathDateProblem } from '../cohort/plausible-dates.ts';
import { CHANNEL_RULES } from '../cohort/channel-rule.ts';
import { survivorRowSchema } from '../cohort/survivor-row.ts';
import {
  changeContactDetails,
  markLetterReturned,
  recordDeath,
  resumeContact,
  sendPaperNow,
  stopContact,
} from '../invitations/casework.ts';
import { allow, scopeOf } from './access.ts';
import { registerIdInScope } from './survivors.ts';
import { me, type StaffContext } from './context.ts';
import { issueField, readForm } from '../form-fields.ts';

const confirmed = z.literal('yes', { message: 'confirm' });
const day = calendarDateSchema();

const caseSchemas = {
  contact: survivorRowSchema
    .pick({ email: true, phone: true, address_line: true, postal_code: true, city: true, language: true })
    .extend({ channel_rule: z.enum(CHANNEL_RULES) }),
  stop: z.object({ confirm: confirmed, source: z.enum(['person', 'relative', 'other']), date: day }),
  resume: z.object({ confirm: confirmed }),
  death: z.object({ confirm: confirmed, date: day }),
  returned: z.object({ confirm: confirmed }),
  note: z.object({ text: z.string().trim().min(1, 'empty').max(500, 'long') }),
};
/** A refused form's fields, shown again as typed. */
const typedForm = z.record(z.string(), z.unknown());

export function caseworkRoutes(ctx: StaffContext, showSurvivor: ShowSurvivor): Router {
  const r = Router();
  const registrar = allow(ctx, 'registrar');
  const { db, clock } = ctx.deps;
  const t = ctx.t;

  const idOf = (req: Request) => (/^[0-9]{1,15}$/.test(String(req.params.id)) ? Number(req.params.id) : undefined);
  const done = (req: Request, res: Response, id: number, key: string, vars?: TextVars) => {
    req.session.staffFlash = t(`casework.done.${key}`, vars);
    res.redirect(303, `/staff/survivors/${id}#actions`);
  };
  /** The survivor page again (400) with one message per refused field, beside the form it came from. */
  const refused = (req: Request, res: Response, id: number, fields: string[], form: string) =>
    showSurvivor(req, res, 400, id, {
      errors: [...new Set(fields)].map((f) => ({ text: t(`casework.errors.${form}.${f}`), href: `#${form}-${f}` })),
      typed: { form, values: readForm(typedForm, req.body) },
    });
  const fieldsOf = (e: z.ZodError) => e.issues.map((i) => issueField(i, 'confirm'));
  const notFound = async (req: Request, res: Response, id: number | undefined) => {
    await ctx.audit(req, res, {
      action: 'denied',
      entity: 'survivor',
      entityId: id ?? null,
      details: { method: req.method, reason: 'not-found-or-other-hospital' },
    });
    ctx.message(req, res, 404, 'staff.errors.survivorNotFound');
  };
  const inScope = async (res: Response, id: number | undefined) =>
    id !== undefined && (await registerIdInScope(db, scopeOf(me(res)), id)) !== undefined;
  const audit = (req: Request, res: Response, id: number, change: string, details: Record<string, unknown> = {}) =>
    ctx.audit(req, res, { action: 'change', entity: 'survivor', entityId: id, details: { change, ...details } });

  r.post('/staff/survivors/:id/paper-now', registrar, async (req, res) => {
    const id = idOf(req);
    if (id === undefined || !(await inScope(res, id))) return notFound(req, res, id);
    const outcome = await sendPaperNow(db, id, scopeOf(me(res)), clock.now());
    if (outcome === 'not-found') return notFound(req, res, id);
    await audit(req, res, id, 'paper-now', { outcome });
    done(req, res, id, `paperNow.${outcome}`);
  });

  r.post('/staff/survivors/:id/contact', registrar, async (req, res) => {
    const id = idOf(req);
    if (id === undefined || !(await inScope(res, id))) return notFound(req, res, id);
    const parsed = caseSchemas.contact.safeParse(req.body ?? {});
    if (!parsed.success) return refused(req, res, id, fieldsOf(parsed.error), 'contact');
    const changed = await changeContactDetails(db, id, scopeOf(me(res)), parsed.data);
    if (changed === undefined) return notFound(req, res, id);
    // Which fields changed, never their values: an address or e-mail is not for the audit log.
    await audit(req, res, id, 'contact-details', { fields: changed });
    done(req, res, id, changed.length ? 'contact' : 'contactUnchanged');
  });

  r.post('/staff/survivors/:id/stop-contact', registrar, async (req, res) => {
    const id = idOf(req);
    if (id === undefined || !(await inScope(res, id))) return notFound(req, res, id);
    const parsed = caseSchemas.stop.safeParse(req.body ?? {});
    const today = osloDay(clock.now());
    if (!parsed.success) return refused(req, res, id, fieldsOf(parsed.error), 'stop');
    const day = parseCalendarDate(parsed.data.date);
    if (!day || day > today) return refused(req, res, id, ['date'], 'stop');
    const at = day === today ? clock.now() : osloMidnight(day);
    const result = await stopContact(db, id, scopeOf(me(res)), at, parsed.data.source);
    await audit(req, res, id, 'stop-contact', {
      outcome: result.kind,
      source: parsed.data.source,
      date: parsed.data.date,
      stepsCancelled: result.kind === 'stopped' ? result.cancelled.length : 0,
    });
    done(req, res, id, result.kind === 'stopped' ? 'stopped' : 'alreadyStopped');
  });

  r.post('/staff/survivors/:id/resume-contact', registrar, async (req, res) => {
    const id = idOf(req);
    if (id === undefined || !(await inScope(res, id))) return notFound(req, res, id);
    const parsed = caseSchemas.resume.safeParse(req.body ?? {});
    if (!parsed.success) return refused(req, res, id, fieldsOf(parsed.error), 'resume');
    const result = await resumeContact(db, id, scopeOf(me(res)), clock.now());
    await audit(req, res, id, 'resume-contact', {
      outcome: result.kind,
      stepsRestored: result.kind === 'resumed' ? result.restored : 0,
    });
    done(req, res, id, result.kind === 'resumed' ? 'resumed' : 'notStopped', {
      n: result.kind === 'resumed' ? result.restored : 0,
    });
  });

  r.post('/staff/survivors/:id/death', registrar, async (req, res) => {
    const id = idOf(req);
    if (id === undefined || !(await inScope(res, id))) return notFound(req, res, id);
    const parsed = caseSchemas.death.safeParse(req.body ?? {});
    const facts = await db
      .selectFrom('survivors as s')
      .innerJoin('arrest_events as e', 'e.survivor_id', 's.id')
      .select(['s.birth_date', 'e.arrest_date'])
      .where('s.id', '=', id)
      .executeTakeFirstOrThrow();
    // A death in the future, before the birth or before the arrest is a typing error.
    if (!parsed.success) return refused(req, res, id, fieldsOf(parsed.error), 'death');
    const d = parseCalendarDate(parsed.data.date);
    if (!d || deathDateProblem(d, clock.now(), { birthDate: facts.birth_date, arrestDate: facts.arrest_date }))
      return refused(req, res, id, ['date'], 'death');
    const result = await recordDeath(db, id, scopeOf(me(res)), parsed.data.date, `staff: ${me(res).email}`);
    await audit(req, res, id, 'death', { stepsCancelled: result.kind === 'recorded' ? result.cancelled.length : 0 });
    done(req, res, id, 'death');
  });

  r.post('/staff/survivors/:id/letters/:letterId/returned', registrar, async (req, res) => {
    const id = idOf(req);
    const letterId = /^[0-9]{1,15}$/.test(String(req.params.letterId)) ? Number(req.params.letterId) : undefined;
    if (id === undefined || letterId === undefined || !(await inScope(res, id))) return notFound(req, res, id);
    const parsed = caseSchemas.returned.safeParse(req.body ?? {});
    if (!parsed.success)
      return showSurvivor(req, res, 400, id, {
        errors: [{ text: t('casework.errors.returned.confirm'), href: `#returned-${letterId}` }],
      });
    const result = await markLetterReturned(db, id, letterId, scopeOf(me(res)), me(res).email, clock.now());
    if (result.kind === 'not-found') return notFound(req, res, id);
    await audit(req, res, id, 'letter-returned', { letterId, outcome: result.kind });
    done(req, res, id, `returned.${result.kind}`);
  });

  r.post('/staff/survivors/:id/notes', registrar, async (req, res) => {
    const id = idOf(req);
    if (id === undefined || !(await inScope(res, id))) return notFound(req, res, id);
    const parsed = caseSchemas.note.safeParse(req.body ?? {});
    if (!parsed.success) return refused(req, res, id, fieldsOf(parsed.error), 'note');
    const note = await db
      .insertInto('case_notes')
      .values({ survivor_id: id, author: me(res).email, text: parsed.data.text })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(req, res, id, 'note', { noteId: note.id });
    done(req, res, id, 'note');
  });

  return r;
}

export type ShowSurvivor = (
  req: Request,
  res: Response,
  status: number,
  id: number,
  extra: { errors?: { text: string; href: string }[]; typed?: { form: string; values: Record<string, unknown> } },
) => Promise<void>;
