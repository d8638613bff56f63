// Respondent pages. /s/<token> (or a short code typed on /kode) is traded for a session cookie and
// the browser is sent on to an address without the token; then one question per page, check your
// answers, submit, receipt. /s/<token>/stop and /s/<token>/paper lead to the two contact choices.
import { Router, type Request, type Response, type NextFunction, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z, type ZodError } from 'zod';
import { osloDay, type Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { isLang, type Lang, type TextVars, type Views } from '../i18n/views.ts';
import { parsePageAnswer, type AnswerError } from '../instruments/eq5d-answers.ts';
import { chooseNoContact, choosePaper, contactChoices } from './choices.ts';
import { PAGES as EQ5D_PAGES, type Instruments, type PageId } from '../instruments/eq5d-texts.ts';
import {
  loadDraft,
  loadDraftAndProgramme,
  loadSurveyState,
  recordWebAnswer,
  saveDraftAnswer,
  saveDraftAnswers,
  type Draft,
  type SurveyState,
} from '../invitations/answers.ts';
import { answerItems } from '../instruments/model.ts';
import { programmeInstruments } from '../instruments/programme.ts';
import {
  buildFlow,
  firstUnanswered,
  isAsked,
  neighbour,
  stepNumber,
  type Flow,
  type Step,
} from '../instruments/flow.ts';
import { itemPageSchema, itemPageView, itemRows } from './item-pages.ts';
import { nextPath, pagePath, returnsToCheck, stepOf } from './navigation.ts';
import { langOf, languageLinks, selfAddress, withoutLang } from './language.ts';
import { findByToken, invitationInfo, type LinkedInvitation } from '../invitations/links.ts';
import { findByShortCode } from '../invitations/short-codes.ts';
import type { LocalProfile } from '../register/profile.ts';
import { registerView } from '../register/web.ts';
import { optionalText, readForm, text } from '../form-fields.ts';
import { instrumentsFor } from '../instruments/proxy.ts';
import { mountRespondentPage, respondentRow } from './respondent-page.ts';
import { takeSessionSurveyState } from './session-state.ts';
import { draftRespondent } from '../instruments/respondent.ts';

export interface SurveyDeps {
  db: Db;
  views: Views;
  instruments: Instruments;
  clock: Clock;
}

interface PageOptions {
  /** The page has a form: embed the session's CSRF token (creates a session if there is none). */
  csrf?: boolean;
  /** Show "rather on paper" and "do not contact me" links in the footer. */
  choices?: boolean;
  /** The GET address of this page, for the language links (defaults to the request's). */
  self?: string;
  scripts?: string[];
}

type ErrorItem = { text: string; href: string };

declare module 'express-session' {
  interface SessionData {
    /** 'code': came with a letter's short code (told to keep the letter, not to reopen a link). */
    via?: 'code';
  }
}

/** The EQ VAS field says what was wrong and how to put it right. */
const VAS_ERRORS: Record<AnswerError, string> = {
  required: 'survey.vasRequired',
  invalid: 'survey.vasInvalid',
  decimal: 'vas.decimal',
  notNumber: 'vas.notNumber',
};

/** Failed link and code attempts per address; valid links and ordinary answering never count. */
const ATTEMPT_WINDOW_MS = 15 * 60 * 1000;
const ATTEMPT_LIMIT = 20;

/** Respondent addresses where a language link may change the session's language. */
const SESSION_PAGES =
  /^\/(s(\/(start|who|q\/\d+|check|done|stop|stop\/done|paper|paper\/done))?|kode|tilgjengelighet)$/;

export function surveyRouter(deps: SurveyDeps): Router {
  const r = Router();
  const { views, db } = deps;
  const today = () => osloDay(deps.clock.now());
  const info = (invitationId: number) => invitationInfo(db, invitationId, today());
  /**
   * The saved answers and the session's pages (the instruments of the programme version the
   * invitation was planned with), from one read of the draft and the invitation.
   */
  const answersAndFlow = async (req: Request) => {
    const invitationId = req.session.invitationId!;
    // The guard's read, taken once: a later call (after a save) reads again.
    const known = guardRead.get(req);
    guardRead.delete(req);
    const { answers, programmeVersion } =
      known?.invitationId === invitationId ? known.state : await loadDraftAndProgramme(db, invitationId);
    // Someone answering on the person's behalf is asked each instrument's proxy variant.
    const respondent = draftRespondent(answers);
    const list = await programmeInstruments(db, deps.instruments, programmeVersion);
    const flow: Flow = { ...buildFlow(await instrumentsFor(db, deps.instruments, list, respondent)), respondent };
    return { answers, flow };
  };
  const flowOf = async (req: Request): Promise<Flow> => (await answersAndFlow(req)).flow;
  /**
   * The guard's one statement (link status, draft, programme version) kept for the page it let
   * through, so the page does not read the invitation and the draft again.
   */
  const guardRead = new WeakMap<Request, { invitationId: number; state: SurveyState }>();

  const page = (
    req: Request,
    res: Response,
    status: number,
    name: string,
    data: Record<string, unknown>,
    opts: PageOptions = {},
  ) => {
    const lang = langOf(req);
    res.status(status).set('Cache-Control', 'no-store');
    res.send(
      views.render(name, {
        ...data,
        lang,
        csrfToken: opts.csrf ? req.csrfToken?.() : undefined,
        languageLinks: languageLinks(views, opts.self ?? selfAddress(req), lang),
        choiceLinks: opts.choices === true,
        scripts: opts.scripts,
        register: registerView(res, lang),
      }),
    );
  };
  const message = (
    req: Request,
    res: Response,
    status: number,
    key: string,
    extra: { paragraphs?: string[]; links?: ErrorItem[] } = {},
  ) => {
    const lang = langOf(req);
    page(req, res, status, 'survey/message', {
      heading: views.t(lang, `${key}Title`),
      body: views.t(lang, `${key}Body`),
      ...extra,
    });
  };
  const codeLink = (req: Request) => ({
    paragraphs: [views.t(langOf(req), 'errors.codeHint')],
    links: [{ href: '/kode', text: views.t(langOf(req), 'errors.codeLink') }],
  });
  const notFound = (req: Request, res: Response) => message(req, res, 404, 'errors.notFound', codeLink(req));
  const closed = (req: Request, res: Response, cancelReason: string | null) =>
    message(req, res, 410, cancelReason === 'opted_out' ? 'errors.optedOut' : 'errors.closed');

  const attemptLimiter = rateLimit({
    windowMs: ATTEMPT_WINDOW_MS,
    limit: ATTEMPT_LIMIT,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.locals.failedAttempt !== true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => {
      req.log.warn({ ip: req.ip }, 'too many failed link or code attempts');
      message(req, res, 429, 'errors.tooMany');
    },
  });
  const failedAttempt = (req: Request, res: Response, kind: 'survey link' | 'short code') => {
    res.locals.failedAttempt = true;
    // Never the token or code itself: only that an attempt failed, and from where.
    req.log.warn({ ip: req.ip }, `unknown ${kind}`);
  };

  /** A new session for the invitation (no fixation), then on to an address without the token. */
  const startSession = (req: Request, res: Response, found: LinkedInvitation, lang: Lang, to: string) => {
    req.session.regenerate((err) => {
      if (err) return message(req, res, 500, 'errors.server');
      req.session.invitationId = found.invitationId;
      req.session.lang = lang;
      res.redirect(303, to);
    });
  };

  const needSession = (req: Request, res: Response, next: NextFunction) => {
    if (!req.session.invitationId) return message(req, res, 401, 'errors.session', codeLink(req));
    next();
  };
  /** Pages of an open invitation; after an answer they say "already answered", never a form. */
  const openOnly = async (req: Request, res: Response, next: NextFunction) => {
    const invitationId = req.session.invitationId!;
    const state =
      takeSessionSurveyState(req, invitationId, today()) ?? (await loadSurveyState(db, invitationId, today()));
    if (refuseClosed(req, res, state)) return;
    guardRead.set(req, { invitationId, state });
    next();
  };
  /** Answers the "already answered" or "closed" page and returns true unless `now` is open. */
  const refuseClosed = (req: Request, res: Response, now: { status: string; cancelReason: string | null }) => {
    if (now.status === 'answered') message(req, res, 200, 'survey.already');
    else if (now.status === 'closed') closed(req, res, now.cancelReason);
    return now.status !== 'open';
  };
  /** Answers the "already answered" or "closed" page and returns true unless the invitation is open by today's date. */
  const refuseUnlessOpen = async (req: Request, res: Response): Promise<boolean> => {
    return refuseClosed(req, res, await info(req.session.invitationId!));
  };
  const respondent: RequestHandler = (req, res, next) =>
    needSession(req, res, () => void openOnly(req, res, next).catch(next));

  // A language link (?lang=xx) on a respondent page stores the choice in the session and reloads
  // the same address; saved answers stay where they are, in the database.
  r.use((req, res, next) => {
    if (req.method !== 'GET' || !isLang(req.query.lang) || !SESSION_PAGES.test(req.path)) return next();
    if (!req.session.invitationId && req.path !== '/kode') return next();
    req.session.lang = req.query.lang;
    res.redirect(303, withoutLang(req.originalUrl));
  });

  // Nothing saved yet: the start page first (who asks, why, what it takes). With saved answers,
  // on where they left off. `via=code` marks a visitor who came with a letter's code.
  const resumeQuery = z.object({ via: optionalText });
  r.get('/s', respondent, async (req, res) => {
    const query: z.infer<typeof resumeQuery> = readForm(resumeQuery, req.query);
    if (query.via === 'code') req.session.via = 'code';
    const { answers, flow } = await answersAndFlow(req);
    const next = firstUnanswered(flow, answers);
    res.redirect(303, Object.keys(answers).length === 0 ? '/s/start' : next ? pagePath(flow, next.key) : '/s/check');
  });

  r.get('/s/start', respondent, async (req, res) => {
    const lang = langOf(req);
    const flow = await flowOf(req);
    const register = registerView(res, lang);
    page(
      req,
      res,
      200,
      'survey/start',
      {
        heading: views.t(lang, 'start.title'),
        questions: flow.instruments.reduce((n, i) => n + answerItems(i).length, 0),
        pauseNote: views.t(lang, req.session.via === 'code' ? 'start.pauseCode' : 'start.pauseLink'),
        privacy: register && privacyParagraphs(views, lang, register),
      },
      { choices: true },
    );
  });

  mountRespondentPage(r, {
    db,
    views,
    today,
    guard: respondent,
    lang: langOf,
    render: (req, res, status, name, data) => page(req, res, status, name, data, { csrf: true, choices: true }),
    refuseUnlessOpen,
    savedNote: (req) => views.t(langOf(req), req.session.via === 'code' ? 'start.savedNoteCode' : 'survey.savedNote'),
  });

  // A short public page instead of a 404: what this is, the way in with a letter's code, contact.
  r.get('/', (req, res) => {
    page(req, res, 200, 'survey/home', { heading: views.t(langOf(req), 'start.homeTitle') });
  });

  r.get('/s/q/:n', respondent, async (req, res) => {
    const { answers, flow } = await answersAndFlow(req);
    const step = stepOf(req, flow);
    if (!step) return message(req, res, 404, 'errors.pageNotFound');
    // A page whose enableWhen is false is not asked: on to the next one that is.
    if (!isAsked(step, answers)) return res.redirect(303, nextPath(req, flow, step, answers));
    if (step.kind === 'items') return showItems(req, res, 200, flow, step, answers, undefined);
    showQuestion(req, res, 200, flow, step.key, answers[step.key], undefined);
  });

  // An EQ-5D page sends `answer` (a level 1–5, or the VAS); an item page's schema is built from its items.
  const questionForm = z.object({ answer: optionalText });
  r.post('/s/q/:n', respondent, async (req, res) => {
    const { answers, flow } = await answersAndFlow(req);
    const step = stepOf(req, flow);
    if (!step) return message(req, res, 404, 'errors.pageNotFound');
    let values: Record<string, unknown>;
    let saved: boolean;
    // The window may close, or a paper answer count, between showing the page and saving it.
    if (step.kind === 'items') {
      // The page's schema is built from its item definitions; the handler takes what it infers.
      const parsed = itemPageSchema(step.page, answers).safeParse(req.body ?? {});
      if (!parsed.success) return showItems(req, res, 400, flow, step, answers, parsed.error);
      values = parsed.data;
      saved = await saveDraftAnswers(db, req.session.invitationId!, values, today());
    } else {
      const form: z.infer<typeof questionForm> = readForm(questionForm, req.body);
      const parsed = parsePageAnswer(step.key, form.answer);
      if (!parsed.ok) return showQuestion(req, res, 400, flow, step.key, form.answer, parsed.error);
      values = { [step.key]: parsed.value };
      saved = await saveDraftAnswer(db, req.session.invitationId!, step.key, parsed.value, today());
    }
    if (!saved && (await refuseUnlessOpen(req, res))) return;
    res.redirect(303, nextPath(req, flow, step, { ...answers, ...values }, answers));
  });

  r.get('/s/check', respondent, async (req, res) => {
    // The draft and its version from the guard's read, the same statement that found the invitation open.
    const { version } = guardRead.get(req)?.state ?? (await loadDraft(db, req.session.invitationId!));
    const { answers, flow } = await answersAndFlow(req);
    showCheck(req, res, 200, flow, { answers, version }, { showErrors: false });
  });

  // Idempotent: a double click or a second tab finds the response already there and gets the receipt.
  // Stores exactly what the check page showed: its draft version travels in the form (undefined
  // when the form did not carry one).
  const submitForm = z.object({
    version: z
      .string()
      .regex(/^\d{1,9}$/)
      .transform(Number)
      .optional()
      .catch(undefined),
  });
  r.post('/s/submit', needSession, async (req, res) => {
    const { version: shown }: z.infer<typeof submitForm> = readForm(submitForm, req.body);
    const flow = await flowOf(req);
    const result = await recordWebAnswer(db, req.session.invitationId!, langOf(req), deps.clock.now(), shown, flow);
    if (result === 'incomplete')
      return showCheck(req, res, 400, flow, await loadDraft(db, req.session.invitationId!), { showErrors: true });
    if (result === 'changed')
      return showCheck(req, res, 409, flow, await loadDraft(db, req.session.invitationId!), {
        showErrors: false,
        changed: true,
      });
    if (result === 'closed') return closed(req, res, (await info(req.session.invitationId!)).cancelReason);
    res.redirect(303, '/s/done');
  });

  r.get('/s/done', needSession, async (req, res) => {
    if ((await info(req.session.invitationId!)).status !== 'answered') return res.redirect(303, '/s');
    const register = registerView(res, langOf(req));
    message(req, res, 200, 'survey.done', {
      paragraphs: register ? [views.t(langOf(req), 'contact.doneNext', { name: register.name })] : [],
    });
  });

  // "Do not contact me again": works whatever the invitation's state.
  r.get('/s/stop', needSession, async (req, res) => {
    if ((await contactChoices(db, req.session.invitationId!)).optedOut) return res.redirect(303, '/s/stop/done');
    showConfirm(req, res, 'stop');
  });
  r.post('/s/stop', needSession, async (req, res) => {
    await chooseNoContact(db, req.session.invitationId!, deps.clock.now());
    res.redirect(303, '/s/stop/done');
  });
  r.get('/s/stop/done', needSession, async (req, res) => {
    if (!(await contactChoices(db, req.session.invitationId!)).optedOut) return res.redirect(303, '/s/stop');
    message(req, res, 200, 'choices.stopDone');
  });

  // "I would rather answer on paper": only while the questionnaire is open.
  r.get('/s/paper', respondent, async (req, res) => {
    if ((await contactChoices(db, req.session.invitationId!)).paper) return res.redirect(303, '/s/paper/done');
    showConfirm(req, res, 'paper');
  });
  r.post('/s/paper', respondent, async (req, res) => {
    await choosePaper(db, req.session.invitationId!, deps.clock.now());
    res.redirect(303, '/s/paper/done');
  });
  r.get('/s/paper/done', respondent, async (req, res) => {
    if (!(await contactChoices(db, req.session.invitationId!)).paper) return res.redirect(303, '/s/paper');
    message(req, res, 200, 'choices.paperDone', {
      links: [{ href: '/s', text: views.t(langOf(req), 'choices.paperDoneOnline') }],
    });
  });

  // A short code from a letter, typed in (a session is made for the form's CSRF token).
  // A QR code in a letter may carry the code (/kode?kode=…): it only fills in the field.
  const codeQuery = z.object({ kode: text.transform((s) => s.slice(0, 40)) });
  r.get('/kode', (req, res) => {
    const query: z.infer<typeof codeQuery> = readForm(codeQuery, req.query);
    showCode(req, res, 200, query.kode, undefined);
  });
  const codeForm = z.object({ code: text });
  r.post('/kode', attemptLimiter, async (req, res) => {
    const { code: typed }: z.infer<typeof codeForm> = readForm(codeForm, req.body);
    if (typed.trim() === '') return showCode(req, res, 400, typed, 'required');
    const found = await findByShortCode(db, typed, today());
    if (!found) {
      failedAttempt(req, res, 'short code');
      return showCode(req, res, 400, typed, 'notFound');
    }
    if (found.status === 'closed') return closed(req, res, (await info(found.invitationId)).cancelReason);
    // A language chosen on this page wins over the register's.
    const lang = isLang(req.session.lang) ? req.session.lang : found.language;
    startSession(req, res, found, lang, found.status === 'answered' ? '/s/done' : '/s?via=code');
  });

  r.get('/tilgjengelighet', (req, res) => {
    page(req, res, 200, 'survey/accessibility', { heading: views.t(langOf(req), 'a11y.title') });
  });

  // Links from e-mails. Last, so the fixed addresses above are never taken for tokens.
  for (const [suffix, to] of [
    ['/stop', '/s/stop'],
    ['/paper', '/s/paper'],
  ] as const) {
    r.get(`/s/:token${suffix}`, attemptLimiter, async (req, res) => {
      const found = await findByToken(db, String(req.params.token), today());
      if (!found) {
        failedAttempt(req, res, 'survey link');
        return notFound(req, res);
      }
      startSession(req, res, found, found.language, to);
    });
  }
  r.get('/s/:token', attemptLimiter, async (req, res) => {
    const found = await findByToken(db, String(req.params.token), today());
    if (!found) {
      failedAttempt(req, res, 'survey link');
      return notFound(req, res);
    }
    // Served directly (no session, no redirect) so the status says what happened.
    if (found.status === 'closed') {
      if (!isLang(req.query.lang)) res.locals.lang = found.language;
      return closed(req, res, (await info(found.invitationId)).cancelReason);
    }
    startSession(req, res, found, found.language, found.status === 'answered' ? '/s/done' : '/s');
  });

  return r;

  function common(req: Request, flow: Flow, key: string, answers: Record<string, unknown>) {
    const lang = langOf(req);
    const index = stepNumber(flow, key) - 1;
    const toCheck = returnsToCheck(req);
    const previous = neighbour(flow, index, -1, answers);
    return {
      self: pagePath(flow, key) + (toCheck ? '?return=check' : ''),
      progress: views.t(lang, 'survey.questionOf', { n: index + 1, total: flow.steps.length }),
      action: pagePath(flow, key),
      back: toCheck ? '/s/check' : previous ? pagePath(flow, previous.key) : undefined,
      returnToCheck: toCheck,
      first: index === 0 && !toCheck,
      savedNote: views.t(lang, req.session.via === 'code' ? 'start.savedNoteCode' : 'survey.savedNote'),
    };
  }

  function showItems(
    req: Request,
    res: Response,
    status: number,
    flow: Flow,
    step: Extract<Step, { kind: 'items' }>,
    answers: Record<string, unknown>,
    error: ZodError | undefined,
  ) {
    const lang = langOf(req);
    const { self, first: _first, ...base } = common(req, flow, step.key, answers);
    const typed = error ? readForm(typedItems, req.body) : undefined;
    const view = itemPageView(views, lang, step.page, answers, typed, error);
    const scripts = view.items.some((i) => i.slider) ? ['/static/item-slider.js'] : undefined;
    page(req, res, status, 'survey/items', { ...base, ...view }, { csrf: true, choices: true, self, scripts });
  }

  function showQuestion(
    req: Request,
    res: Response,
    status: number,
    flow: Flow,
    pageId: PageId,
    value: unknown,
    error: AnswerError | undefined,
  ) {
    const lang = langOf(req);
    const texts = flow.respondent === 'proxy' ? deps.instruments.proxy : deps.instruments;
    const text = texts[lang];
    const index = dimensionIndex(pageId);
    const { self, first, ...rest } = common(req, flow, pageId, {});
    const common_ = {
      ...rest,
      intro: first ? text.intro : undefined,
      savedNote: views.t(lang, req.session.via === 'code' ? 'start.savedNoteCode' : 'survey.savedNote'),
      preview: texts.preview ? text.notice : undefined,
    };
    if (pageId === 'vas') {
      const msg = error ? views.t(lang, VAS_ERRORS[error]) : undefined;
      const vasTicks = Array.from({ length: 21 }, (_, i) => ({ value: 100 - i * 5, major: i % 2 === 0 }));
      return page(
        req,
        res,
        status,
        'survey/vas',
        {
          ...common_,
          vas: text.vas,
          heading: text.vas.heading,
          value: value ?? '',
          vasTicks,
          error: msg,
          errors: msg && [{ text: msg, href: '#answer' }],
        },
        { csrf: true, choices: true, self, scripts: ['/static/vas.js'] },
      );
    }
    const dim = text.dimensions[index]!;
    const msg = error ? views.t(lang, 'survey.chooseLevel', { heading: dim.heading.toLowerCase() }) : undefined;
    const options = dim.levels.map((label, i) => ({
      value: i + 1,
      label,
      id: `answer-${i + 1}`,
      checked: String(value) === String(i + 1),
    }));
    page(
      req,
      res,
      status,
      'survey/question',
      {
        ...common_,
        heading: dim.heading,
        question: dim.question,
        options,
        error: msg,
        errors: msg && [{ text: msg, href: '#answer-1' }],
      },
      { csrf: true, choices: true, self },
    );
  }

  function showCheck(
    req: Request,
    res: Response,
    status: number,
    flow: Flow,
    draft: Draft,
    opts: { showErrors: boolean; changed?: boolean },
  ) {
    const { answers } = draft;
    const { showErrors } = opts;
    const lang = langOf(req);
    const text = (flow.respondent === 'proxy' ? deps.instruments.proxy : deps.instruments)[lang];
    const rows = flow.steps.flatMap((step) => {
      if (step.kind === 'items')
        return itemRows(views, lang, step.page, answers, showErrors, `${pagePath(flow, step.key)}?return=check`);
      const pageId = step.key;
      const i = dimensionIndex(pageId);
      const value = answers[pageId];
      const heading = pageId === 'vas' ? text.vas.heading : text.dimensions[i]!.heading;
      const shown =
        value === undefined
          ? views.t(lang, 'common.notAnswered')
          : pageId === 'vas'
            ? String(value)
            : text.dimensions[i]!.levels[value - 1];
      const error = showErrors && value === undefined ? views.t(lang, 'survey.missingOne', { heading }) : undefined;
      return {
        id: `row-${pageId}`,
        heading,
        changeName: heading,
        value: shown,
        href: `${pagePath(flow, pageId)}?return=check`,
        error,
      };
    });
    const last = [...flow.steps].reverse().find((step) => isAsked(step, answers));
    const errors = rows.filter((row) => row.error).map((row) => ({ text: row.error!, href: row.href }));
    page(
      req,
      res,
      status,
      'survey/check',
      {
        heading: views.t(lang, 'survey.checkTitle'),
        back: last ? pagePath(flow, last.key) : undefined,
        rows,
        who: respondentRow(views, lang, answers),
        errors: errors.length > 0 ? errors : undefined,
        version: draft.version,
        changedNotice: opts.changed ? views.t(lang, 'survey.changedSinceShown') : undefined,
      },
      { csrf: true, choices: true, self: '/s/check' },
    );
  }

  function showConfirm(req: Request, res: Response, choice: 'stop' | 'paper') {
    const lang = langOf(req);
    const k = (key: string) => views.t(lang, `choices.${choice}${key}`);
    page(
      req,
      res,
      200,
      'survey/confirm',
      {
        heading: k('Title'),
        paragraphs: [k('Body'), k('More')],
        action: `/s/${choice}`,
        confirmText: k('Confirm'),
        cancelText: k('Cancel'),
        cancelHref: '/s',
        warning: choice === 'stop',
      },
      { csrf: true },
    );
  }

  function showCode(
    req: Request,
    res: Response,
    status: number,
    value: string,
    error: 'required' | 'notFound' | undefined,
  ) {
    const lang = langOf(req);
    const msg = error && views.t(lang, `shortCode.${error}`);
    page(
      req,
      res,
      status,
      'survey/short-code',
      { heading: views.t(lang, 'shortCode.title'), value, error: msg, errors: msg && [{ text: msg, href: '#code' }] },
      { csrf: true, self: '/kode' },
    );
  }
}

/** What an item page sent, shown again beside its errors (the page's own schema said what was wrong). */
const typedItems = z.record(z.string(), z.unknown());

/** What happens with the answers: controller and processor, the register's purpose only, withdrawal. */
function privacyParagraphs(views: Views, lang: Lang, register: LocalProfile): string[] {
  const vars: TextVars = { ...register, phone: register.phoneUnbroken };
  return [
    views.t(lang, 'contact.privacyController', vars),
    views.t(lang, 'contact.privacyUse'),
    views.t(lang, 'contact.privacyWithdraw', vars),
  ];
}

/** A page's place among EQ-5D's six (the dimension's texts are at this index). */
function dimensionIndex(pageId: PageId): number {
  return EQ5D_PAGES.indexOf(pageId);
}
