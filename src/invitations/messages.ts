// Renders the e-mail for one outbox step: neutral subject and sender, nothing about health.
import type { Views, Lang } from '../web/views.ts';

export interface InvitationMail {
  subject: string;
  text: string;
  html: string;
}

export function renderInvitationMail(views: Views, lang: Lang, link: string, givenName: string | null): InvitationMail {
  const data = { lang, link, name: givenName ?? '' };
  return {
    subject: views.t(lang, 'email.subject'),
    text: views.render('email/invitation.txt', data, null),
    html: views.render('email/invitation.html', data, null),
  };
}
