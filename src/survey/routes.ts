// Respondent pages: /s/<token> trades the link for a session cookie and redirects to an address
// without the token; then one question per page, check your answers, submit, receipt.
import { Router, type Request, type Response, type NextFunction } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/database.ts';
import { isLang, type Lang, type Views } from '../web/views.ts';
import { parsePageAnswer } from './answers.ts';
import { PAGES, firstUnanswered, type Answers, type Instruments, type PageId } from './instrument.ts';
import { findByToken, invitationStatus, loadAnswers, saveAnswer, submitWebResponse } from './responses.ts';

export interface SurveyDeps {
  db: Db;
  views: Views;
  instruments: Instruments;
  clock: Clock;
}

type Page = (res: Response, status: number, name: string, data: Record<string, unknown>) => void;

export function surveyRouter(deps: SurveyDeps): Router {
  const r = Router();
  const render = pageRenderer(deps);
  const messagePage = (req: Request, res: Response, status: number, key: string) => {
    const lang = langOf(req);
    const title = deps.views.t(lang, `${key}Title`);
    render(res, status, 'survey/message', { lang, heading: title, title, body: deps.views.t(lang, `${key}Body`) });
  };

  // Failed link attempts are limited per address; valid links never count (S-16).
  const linkLimiter = rateLimit({
    windowMs: 15 * 60 * 1000,
    limit: 20,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => messagePage(req, res, 429, 'errors.notFound'),
  });

  const respondent = respondentOnly(deps, messagePage);
  r.get('/s', respondent, async (req, res) => {
    const answers = await loadAnswers(deps.db, req.session.invitationId!);
    const next = firstUnanswered(answers);
    res.redirect(303, next ? pagePath(next) : '/s/check');
  });

  r.get('/s/q/:n', respondent, async (req, res) => {
    const page = pageOf(req);
    if (!page) return messagePage(req, res, 404, 'errors.pageNotFound');
    const answers = await loadAnswers(deps.db, req.session.invitationId!);
    render(res, 200, 'survey/question', questionView(deps, req, page, answers[page], undefined));
  });

  r.post('/s/q/:n', respondent, async (req, res) => {
    const page = pageOf(req);
    if (!page) return messagePage(req, res, 404, 'errors.pageNotFound');
    const raw = (req.body as Record<string, unknown>)?.answer;
    const parsed = parsePageAnswer(page, raw);
    if (!parsed.ok) {
      const kept = typeof raw === 'string' ? raw : undefined;
      return render(res, 400, 'survey/question', questionView(deps, req, page, kept, parsed.error));
    }
    await saveAnswer(deps.db, req.session.invitationId!, page, parsed.value);
    const returnToCheck = (req.body as Record<string, unknown>).return === 'check';
    const next = PAGES[PAGES.indexOf(page) + 1];
    res.redirect(303, returnToCheck || !next ? '/s/check' : pagePath(next));
  });

  r.get('/s/check', respondent, async (req, res) => {
    const answers = await loadAnswers(deps.db, req.session.invitationId!);
    render(res, 200, 'survey/check', checkView(deps, req, answers, false));
  });

  r.post('/s/submit', respondent, async (req, res) => {
    const result = await submitWebResponse(deps.db, req.session.invitationId!, langOf(req), deps.clock.now());
    if (result === 'incomplete') {
      const answers = await loadAnswers(deps.db, req.session.invitationId!);
      return render(res, 400, 'survey/check', checkView(deps, req, answers, true));
    }
    if (result === 'closed') return messagePage(req, res, 410, 'errors.closed');
    res.redirect(303, '/s/done');
  });

  r.get('/s/done', async (req, res) => {
    if (!req.session.invitationId) return messagePage(req, res, 401, 'errors.session');
    const status = await invitationStatus(deps.db, req.session.invitationId);
    if (status !== 'answered') return res.redirect(303, '/s');
    messagePage(req, res, 200, 'survey.done');
  });

  // Last, so /s/check, /s/done and /s/submit are never taken for tokens.
  r.get('/s/:token', linkLimiter, async (req, res) => {
    const found = await findByToken(deps.db, String(req.params.token));
    if (!found) return messagePage(req, res, 404, 'errors.notFound');
    req.session.regenerate((err) => {
      if (err) return messagePage(req, res, 500, 'errors.server');
      req.session.invitationId = found.invitationId;
      req.session.lang = found.language;
      if (found.status === 'closed') return messagePage(req, res, 410, 'errors.closed');
      res.redirect(303, found.status === 'answered' ? '/s/done' : '/s');
    });
  });

  return r;
}

/** Pages of an open invitation; after an answer every page says "already answered". */
function respondentOnly(deps: SurveyDeps, messagePage: (req: Request, res: Response, status: number, key: string) => void) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.session.invitationId) return messagePage(req, res, 401, 'errors.session');
    if (typeof req.query.lang === 'string' && isLang(req.query.lang)) {
      req.session.lang = req.query.lang;
      return res.redirect(303, req.path);
    }
    const status = await invitationStatus(deps.db, req.session.invitationId);
    if (status === 'answered') return messagePage(req, res, 200, 'survey.already');
    if (status === 'closed') return messagePage(req, res, 410, 'errors.closed');
    next();
  };
}

function pageRenderer(deps: SurveyDeps): Page {
  return (res, status, name, data) => {
    const req = res.req;
    const lang = (data.lang as Lang) ?? langOf(req);
    res.status(status).set('Cache-Control', 'no-store');
    res.send(
      deps.views.render(name, {
        ...data,
        lang,
        csrfToken: req.session?.invitationId ? req.csrfToken?.() : undefined,
        languageLinks: req.session?.invitationId && req.method === 'GET' ? languageLinks(deps, req.path, lang) : undefined,
      }),
    );
  };
}

function languageLinks(deps: SurveyDeps, path: string, current: Lang) {
  return (['nb', 'nn', 'en'] as const)
    .filter((l) => l !== current)
    .map((l) => ({ lang: l, href: `${path}?lang=${l}`, name: deps.views.t(l, 'site.langName') }));
}

function questionView(deps: SurveyDeps, req: Request, page: PageId, value: unknown, error: 'required' | 'invalid' | undefined) {
  const lang = langOf(req);
  const text = deps.instruments[lang];
  const index = PAGES.indexOf(page);
  const common = {
    lang,
    pageNumber: index + 1,
    progress: deps.views.t(lang, 'survey.questionOf', { n: index + 1, total: PAGES.length }),
    action: pagePath(page),
    back: index === 0 ? undefined : pagePath(PAGES[index - 1]!),
    returnToCheck: req.query.return === 'check' || (req.body as Record<string, unknown> | undefined)?.return === 'check',
    intro: index === 0 ? text.intro : undefined,
    savedNote: deps.views.t(lang, 'survey.savedNote'),
    preview: deps.instruments.preview ? text.notice : undefined,
  };
  if (page === 'vas') {
    const message = error ? deps.views.t(lang, error === 'required' ? 'survey.vasRequired' : 'survey.vasInvalid') : undefined;
    return { ...common, isVas: true, vas: text.vas, heading: text.vas.heading, value: value ?? '', error: message, fieldId: 'answer' };
  }
  const dim = text.dimensions[index]!;
  const message = error ? deps.views.t(lang, 'survey.chooseLevel', { heading: dim.heading.toLowerCase() }) : undefined;
  const options = dim.levels.map((label, i) => ({ value: i + 1, label, id: `answer-${i + 1}`, checked: String(value) === String(i + 1) }));
  return { ...common, isVas: false, heading: dim.heading, question: dim.question, options, error: message, fieldId: 'answer-1' };
}

function checkView(deps: SurveyDeps, req: Request, answers: Answers, showMissing: boolean) {
  const lang = langOf(req);
  const text = deps.instruments[lang];
  const rows = PAGES.map((page, i) => {
    const value = answers[page];
    const heading = page === 'vas' ? text.vas.heading : text.dimensions[i]!.heading;
    const shown = value === undefined ? deps.views.t(lang, 'common.notAnswered') : page === 'vas' ? String(value) : text.dimensions[i]!.levels[value - 1];
    return { heading, value: shown, href: `${pagePath(page)}?return=check` };
  });
  const missing = PAGES.find((p) => answers[p] === undefined);
  return {
    lang,
    heading: deps.views.t(lang, 'survey.checkTitle'),
    rows,
    error: showMissing && missing ? deps.views.t(lang, 'survey.missingAnswers') : undefined,
    errorHref: missing ? pagePath(missing) : undefined,
  };
}

function pageOf(req: Request): PageId | undefined {
  const n = Number(req.params.n);
  return Number.isInteger(n) ? PAGES[n - 1] : undefined;
}

export function pagePath(page: PageId): string {
  return `/s/q/${PAGES.indexOf(page) + 1}`;
}

function langOf(req: Request): Lang {
  return isLang(req.session?.lang) ? req.session.lang : 'nb';
}
