// Registrar pages: identifiable data of their own hospitals only. Every read writes exactly one
// audit row (view, search or export, with the survivor ids it showed) before the page is sent; a
// change (withdrawal) writes one too. A survivor outside the registrar's hospitals is 404.
// Searches are POSTs, so a national id typed into the search never lands in a URL or access log.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { osloDay } from '../clock.ts';
import { withdrawConsent } from '../invitations/person.ts';
import { allow, scopeOf } from './access.ts';
import { me, type StaffContext } from './context.ts';
import { sendCsv, toCsv } from './exports.ts';
import {
  caseHistory,
  registerIdInScope,
  returnableLetters,
  searchSurvivors,
  survivorDetail,
  survivorExportRows,
  worklists,
  SURVIVOR_EXPORT_COLUMNS,
  type CaseEvent,
  type SentLetter,
  type SurvivorDetail,
} from './survivors.ts';
import { caseworkRoutes, type ShowSurvivor } from './routes-casework.ts';
import { describeOutcome } from './outcomes.ts';
import { CHANNEL_RULES } from '../cohort/channel-rule.ts';
import { formatLetterId } from '../paper/batch.ts';
import { optionalText, readForm, text } from '../form-fields.ts';

const dateTime = new Intl.DateTimeFormat('nb-NO', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Oslo' });

export function formatDateTime(d: Date | null | undefined): string {
  return d ? dateTime.format(new Date(d)) : '';
}

/** 'YYYY-MM-DD' → dd.mm.yyyy */
export function formatDay(day: string | null | undefined): string {
  if (!day) return '';
  const [y, m, d] = day.split('-');
  return `${d}.${m}.${y}`;
}

export function registrarRoutes(ctx: StaffContext): Router {
  const r = Router();
  const registrar = allow(ctx, 'registrar');
  const { db, clock } = ctx.deps;

  r.get('/staff/worklists', registrar, async (req, res) => {
    const lists = await worklists(db, scopeOf(me(res)), osloDay(clock.now()));
    const survivorIds = [...new Set(lists.lists.flatMap((l) => l.entries.map((e) => e.id)))];
    await ctx.audit(req, res, {
      action: 'view',
      entity: 'worklist',
      details: { survivorIds, counts: Object.fromEntries(lists.lists.map((l) => [l.key, l.total])) },
    });
    ctx.page(req, res, 200, 'staff/worklists', {
      heading: ctx.t('staff.worklistsTitle'),
      lists: lists.lists.map((l) => ({
        key: l.key,
        title: ctx.t(`staff.worklists.${l.key}.title`),
        hint: ctx.t(`staff.worklists.${l.key}.hint`),
        total: l.total,
        truncated: l.total > l.entries.length,
        shown: l.entries.length,
        outbox: l.key !== 'nearClose',
        entries: l.entries.map((e) => ({
          ...e,
          arrestDate: formatDay(e.arrestDate),
          closesOn: formatDay(e.closesOn),
          invitationState:
            e.invitationState && ctx.tOr(`staff.invitationStates.${e.invitationState}`, e.invitationState),
          dueAt: formatDateTime(e.dueAt),
          step: e.step && ctx.tOr(`staff.steps.${e.step}`, e.step),
          channel: e.channel && ctx.tOr(`staff.channels.${e.channel}`, e.channel),
          state: e.state && ctx.tOr(`staff.outboxStates.${e.state}`, e.state),
          outcome: describeOutcome(ctx.t, ctx.tOr, e.outcome),
        })),
      })),
      paper: lists.paper,
    });
  });

  r.get('/staff/survivors', registrar, (req, res) => {
    ctx.page(req, res, 200, 'staff/survivors', {
      heading: ctx.t('staff.survivorsTitle'),
      hospitals: me(res).hospitals.join(', '),
    });
  });

  const searchForm = z.object({ q: text });
  r.post('/staff/survivors/search', registrar, async (req, res) => {
    const { q }: z.infer<typeof searchForm> = readForm(searchForm, req.body);
    const heading = ctx.t('staff.survivorsTitle');
    if (q.trim().length < 2) {
      return ctx.page(req, res, 400, 'staff/survivors', {
        heading,
        hospitals: me(res).hospitals.join(', '),
        errors: [{ text: ctx.t('staff.searchTooShort'), href: '#q' }],
      });
    }
    const found = await searchSurvivors(db, scopeOf(me(res)), q);
    const kind = /^[0-9\s]{11,}$/.test(q.trim()) ? 'national_id' : 'register_id_or_name';
    // The query itself is not logged: it may be a national id. Its kind and the result ids are.
    await ctx.audit(req, res, {
      action: 'search',
      entity: 'survivor',
      details: { kind, survivorIds: found.map((s) => s.id) },
    });
    ctx.page(req, res, 200, 'staff/survivors', {
      heading,
      hospitals: me(res).hospitals.join(', '),
      searched: true,
      results: found.map((s) => ({
        ...s,
        arrestDate: formatDay(s.arrestDate),
        invitationState: s.invitationState && ctx.tOr(`staff.invitationStates.${s.invitationState}`, s.invitationState),
      })),
    });
  });

  const survivorId = (req: Request) =>
    /^[0-9]{1,15}$/.test(String(req.params.id)) ? Number(req.params.id) : undefined;
  const notFound = async (req: Request, res: Response, id: number | undefined) => {
    await ctx.audit(req, res, {
      action: 'denied',
      entity: 'survivor',
      entityId: id ?? null,
      details: { method: req.method, reason: 'not-found-or-other-hospital' },
    });
    ctx.message(req, res, 404, 'staff.errors.survivorNotFound');
  };

  /** The survivor page (one audited view), with errors and typed values of a refused action. */
  const showSurvivor: ShowSurvivor = async (req, res, status, id, extra) => {
    const s = await survivorDetail(db, scopeOf(me(res)), id);
    if (!s) return notFound(req, res, id);
    await ctx.audit(req, res, { action: 'view', entity: 'survivor', entityId: s.id });
    const flash = req.session.staffFlash;
    delete req.session.staffFlash;
    const [history, letters] = await Promise.all([caseHistory(db, s.id), returnableLetters(db, s.id)]);
    ctx.page(req, res, status, 'staff/survivor', {
      heading: s.name || ctx.t('staff.survivorNoName'),
      ...survivorPage(ctx, s, osloDay(clock.now())),
      ...caseworkPage(ctx, s, history, letters, extra.typed, osloDay(clock.now())),
      errors: extra.errors,
      flash,
    });
  };

  r.get('/staff/survivors/:id', registrar, async (req, res) => {
    const id = survivorId(req);
    if (id === undefined) return notFound(req, res, id);
    await showSurvivor(req, res, 200, id, {});
  });

  r.use(caseworkRoutes(ctx, showSurvivor));

  const withdrawForm = z.object({ confirm: optionalText });
  r.post('/staff/survivors/:id/withdraw', registrar, async (req, res) => {
    const id = survivorId(req);
    const registerId = id === undefined ? undefined : await registerIdInScope(db, scopeOf(me(res)), id);
    if (id === undefined || !registerId) return notFound(req, res, id);
    const form: z.infer<typeof withdrawForm> = readForm(withdrawForm, req.body);
    if (form.confirm !== 'yes') {
      return showSurvivor(req, res, 400, id, {
        errors: [{ text: ctx.t('staff.withdrawConfirmMissing'), href: '#confirm' }],
      });
    }
    await withdrawConsent(db, registerId, clock.now(), scopeOf(me(res)));
    await ctx.audit(req, res, {
      action: 'change',
      entity: 'survivor',
      entityId: id,
      details: { change: 'consent-withdrawn' },
    });
    req.session.staffFlash = ctx.t('staff.withdrawDone');
    res.redirect(303, `/staff/survivors/${id}`);
  });

  r.get('/staff/export/survivors.csv', registrar, async (req, res) => {
    const rows = await survivorExportRows(db, scopeOf(me(res)));
    await ctx.audit(req, res, {
      action: 'export',
      entity: 'survivor',
      details: { rows: rows.length, hospitals: scopeOf(me(res)), survivorIds: rows.map((r) => Number(r.survivor_id)) },
    });
    sendCsv(res, 'overlevende.csv', toCsv(rows, SURVIVOR_EXPORT_COLUMNS));
  });

  return r;
}

function survivorPage(ctx: StaffContext, s: SurvivorDetail, today: string) {
  const yes = ctx.t('staff.yes');
  return {
    survivor: {
      ...s,
      birthDate: formatDay(s.birthDate),
      arrestDate: formatDay(s.arrestDate),
      diedOn: formatDay(s.diedOn),
      withdrawnAt: formatDateTime(s.withdrawnAt),
      optedOutAt: formatDateTime(s.optedOutAt),
      sex: ctx.tOr(`staff.sexes.${s.sex}`, s.sex),
      language: ctx.tOr(`staff.languages.${s.language}`, s.language),
      channelRule: ctx.tOr(`staff.channelRules.${s.channelRule}`, s.channelRule),
      arrestType: ctx.tOr(`staff.arrestTypes.${s.arrestType}`, s.arrestType),
      hospitalText: s.hospitalName ? `${s.hospitalName} (${s.hospital})` : s.hospital,
    },
    invitation: s.invitation && {
      state: ctx.tOr(`staff.invitationStates.${s.invitation.state}`, s.invitation.state),
      cancelReason:
        s.invitation.cancelReason && ctx.tOr(`staff.reasons.${s.invitation.cancelReason}`, s.invitation.cancelReason),
      opensOn: formatDay(s.invitation.opensOn),
      closesOn: formatDay(s.invitation.closesOn),
      answeredAt: formatDateTime(s.invitation.answeredAt),
    },
    response: s.response && {
      mode: ctx.tOr(`staff.modes.${s.response.mode}`, s.response.mode),
      completedAt: formatDateTime(s.response.completedAt),
    },
    contacts: s.contacts.map((c) => ({
      step: ctx.tOr(`staff.steps.${c.step}`, c.step),
      channel: ctx.tOr(`staff.channels.${c.channel}`, c.channel),
      state: ctx.tOr(`staff.outboxStates.${c.state}`, c.state),
      dueAt: formatDateTime(c.dueAt),
      sentAt: formatDateTime(c.sentAt),
      outcome: describeOutcome(ctx.t, ctx.tOr, c.outcome),
    })),
    canWithdraw: !s.withdrawnAt,
    yes,
    today,
  };
}

/** The actions on the survivor page and the case history (src/staff/routes-casework.ts). */
function caseworkPage(
  ctx: StaffContext,
  s: SurvivorDetail,
  history: CaseEvent[],
  letters: SentLetter[],
  typed: { form: string; values: Record<string, unknown> } | undefined,
  today: string,
) {
  const t = ctx.t;
  const stopped = Boolean(s.diedOn || s.withdrawnAt || s.optedOutAt);
  const open =
    s.invitation !== null &&
    ['planned', 'sent', 'reminded'].includes(s.invitation.state) &&
    s.invitation.closesOn > today &&
    !s.response;
  const typedContact = typed?.form === 'contact' ? typed.values : undefined;
  const value = (field: string, current: string) =>
    typedContact && typeof typedContact[field] === 'string' ? typedContact[field] : current;
  const contact = {
    email: value('email', s.contact.email),
    phone: value('phone', s.contact.phone),
    addressLine: value('address_line', s.contact.addressLine),
    postalCode: value('postal_code', s.contact.postalCode),
    city: value('city', s.contact.city),
    languages: (['nb', 'nn', 'en'] as const).map((l) => ({
      value: l,
      text: ctx.tOr(`staff.languages.${l}`, l),
      selected: value('language', s.contact.language) === l,
    })),
    channelRules: CHANNEL_RULES.map((c) => ({
      value: c,
      text: ctx.tOr(`staff.channelRules.${c}`, c),
      selected: value('channel_rule', s.contact.channelRule) === c,
    })),
  };
  return {
    canPaperNow: open && !stopped,
    contact,
    canStop: !s.optedOutAt && !s.diedOn && !s.withdrawnAt,
    resume:
      s.optedOutAt && !s.diedOn && !s.withdrawnAt
        ? {
            at: formatDateTime(s.optedOutAt),
            source: ctx.tOr(`casework.stop.sources.${s.optOutSource ?? 'other'}`, ''),
          }
        : undefined,
    canRecordDeath: !s.diedOn,
    returnable: letters.map((l) => ({ id: l.id, returnId: formatLetterId(l.id), date: formatDay(l.letterDate) })),
    note: typed?.form === 'note' && typeof typed.values.text === 'string' ? typed.values.text : '',
    stopDate: typed?.form === 'stop' && typeof typed.values.date === 'string' ? typed.values.date : today,
    deathDate: typed?.form === 'death' && typeof typed.values.date === 'string' ? typed.values.date : '',
    history: history.map((h) => ({
      at: formatDateTime(h.at),
      who: h.who,
      what: ctx.tOr(`casework.events.${h.change}`, t('casework.events.other')),
      note: h.note,
    })),
  };
}

declare module 'express-session' {
  interface SessionData {
    /** A one-time confirmation shown on the next staff page. */
    staffFlash?: string;
  }
}
