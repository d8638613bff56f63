// Renders the e-mail for one outbox step: neutral subject and sender, nothing about health or the
// register, no national id. Every message carries the answer link, an opt-out link and a link to
// ask for the questionnaire on paper, all with the message's own token.
import type { Step } from '../db/schema.ts';
import type { Views, Lang } from '../web/views.ts';

export interface InvitationMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailLinks {
  answer: string;
  optOut: string;
  paper: string;
}

export function linksFor(publicUrl: string, token: string): MailLinks {
  const answer = `${publicUrl}/s/${token}`;
  return { answer, optOut: `${answer}/stop`, paper: `${answer}/paper` };
}

export function renderStepMail(views: Views, lang: Lang, step: Step, links: MailLinks, givenName: string | null): InvitationMail {
  const reminder = step !== 'invitation';
  const data = { lang, reminder, link: links.answer, optOutLink: links.optOut, paperLink: links.paper, name: givenName ?? '' };
  return {
    subject: views.t(lang, reminder ? 'email.reminderSubject' : 'email.subject'),
    text: views.render('email/invitation.txt', data, null),
    html: views.render('email/invitation.html', data, null),
  };
}

/** The first invitation (kept for callers of the walking skeleton). */
export function renderInvitationMail(views: Views, lang: Lang, link: string, givenName: string | null): InvitationMail {
  return renderStepMail(views, lang, 'invitation', { answer: link, optOut: `${link}/stop`, paper: `${link}/paper` }, givenName);
}
