// Renders the e-mail for one outbox step. The sender's name and the subject are the profile's own
// neutral fields (an envelope must not reveal a cardiac arrest); inside, the register says who
// asks, why, that it is voluntary, and how to reach it (GDPR art. 13/14). No national id.
// Every message carries the answer link, an opt-out link and a link to ask for the questionnaire
// on paper, all with the message's own token.
import type { Step } from '../db/schema.ts';
import { profileIn, type RegisterProfile } from '../register/profile.ts';
import type { Views, Lang } from '../i18n/views.ts';

export interface InvitationMail {
  subject: string;
  text: string;
  html: string;
  /** Display name of the From header (the address comes from MAIL_FROM). */
  fromName: string | undefined;
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

export function renderStepMail(
  views: Views,
  lang: Lang,
  step: Step,
  links: MailLinks,
  givenName: string | null,
  profile: RegisterProfile,
): InvitationMail {
  const reminder = step === 'reminder1' || step === 'reminder2';
  const register = profileIn(profile, lang);
  const subject =
    register.subject === undefined
      ? views.t(lang, reminder ? 'email.reminderSubject' : 'email.subject')
      : reminder
        ? views.t(lang, 'email.reminderSubjectOf', { subject: register.subject })
        : register.subject;
  const data = {
    lang,
    reminder,
    subject,
    register,
    signature: register.signature ?? register.name,
    link: links.answer,
    optOutLink: links.optOut,
    paperLink: links.paper,
    name: givenName ?? '',
  };
  return {
    subject,
    text: views.render('email/invitation.txt', data, null),
    html: views.render('email/invitation.html', data, null),
    fromName: register.senderName,
  };
}
