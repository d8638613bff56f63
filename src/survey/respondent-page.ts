// The page "Who is filling in this questionnaire?", between the start page and the
// first question: GOV.UK radios, required, saved to the draft like a page answer (key
// `respondent`), changeable from the check page. Its form's schema is respondentBodySchema.
import type { Request, Response, RequestHandler, Router } from 'express';
import type { Db } from '../db/database.ts';
import type { Respondent } from '../db/schema.ts';
import { loadDraft, saveDraftAnswers } from '../invitations/answers.ts';
import type { Lang, Views } from '../i18n/views.ts';
import { returnsToCheck } from './navigation.ts';
import { draftRespondent, RESPONDENT_KEY, RESPONDENTS, respondentBodySchema } from '../instruments/respondent.ts';

const RESPONDENT_PATH = '/s/who';

export interface RespondentPageDeps {
  db: Db;
  views: Views;
  today: () => string;
  /** Needs a session of an open invitation. */
  guard: RequestHandler;
  lang: (req: Request) => Lang;
  /** Renders a respondent page with the session's CSRF token and the footer's choice links. */
  render: (req: Request, res: Response, status: number, name: string, data: Record<string, unknown>) => void;
  refuseUnlessOpen: (req: Request, res: Response) => Promise<boolean>;
  savedNote: (req: Request) => string;
}

const LABEL: Record<Respondent, string> = {
  self: 'respondent.self',
  assisted: 'respondent.assisted',
  proxy: 'respondent.proxy',
};
const CHECK_LABEL: Record<Respondent, string> = {
  self: 'respondent.checkSelf',
  assisted: 'respondent.checkAssisted',
  proxy: 'respondent.checkProxy',
};

export function mountRespondentPage(r: Router, d: RespondentPageDeps): void {
  r.get(RESPONDENT_PATH, d.guard, async (req, res) => {
    const answers = (await loadDraft(d.db, req.session.invitationId!)).answers;
    show(req, res, 200, draftRespondent(answers) ?? undefined, false);
  });

  r.post(RESPONDENT_PATH, d.guard, async (req, res) => {
    const parsed = respondentBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) return show(req, res, 400, undefined, true);
    const { respondent } = parsed.data;
    // The window may close, or a paper answer count, between showing the page and saving it.
    const saved = await saveDraftAnswers(d.db, req.session.invitationId!, { [RESPONDENT_KEY]: respondent }, d.today());
    if (!saved && (await d.refuseUnlessOpen(req, res))) return;
    res.redirect(303, parsed.data.return === 'check' ? '/s/check' : '/s/q/1');
  });

  function show(req: Request, res: Response, status: number, value: Respondent | undefined, error: boolean) {
    const lang = d.lang(req);
    const toCheck = returnsToCheck(req);
    const msg = error ? d.views.t(lang, 'respondent.required') : undefined;
    d.render(req, res, status, 'survey/respondent', {
      heading: d.views.t(lang, 'respondent.title'),
      back: toCheck ? '/s/check' : '/s/start',
      returnToCheck: toCheck,
      options: RESPONDENTS.map((v, i) => ({
        value: v,
        id: `respondent-${i + 1}`,
        label: d.views.t(lang, LABEL[v]),
        checked: v === value,
      })),
      error: msg,
      errors: msg && [{ text: msg, href: '#respondent-1' }],
      savedNote: d.savedNote(req),
    });
  }
}

/** The check page's row: who is filling in, with a link to change it. */
export function respondentRow(views: Views, lang: Lang, answers: Readonly<Record<string, unknown>>) {
  const value = draftRespondent(answers);
  const heading = views.t(lang, 'respondent.checkHeading');
  return {
    id: 'row-respondent',
    heading,
    changeName: heading,
    value: views.t(lang, value ? CHECK_LABEL[value] : 'common.notAnswered'),
    href: `${RESPONDENT_PATH}?return=check`,
  };
}
