// Why a step stopped or waits, in words for staff: the codes the rules' owner writes to
// `outbox.last_error` and `invitations.cancel_reason`, and the SMTP replies it keeps, become
// Norwegian sentences. A reply from a mail server is quoted after a plain explanation.
import type { TextVars } from '../i18n/views.ts';

type T = (key: string, vars?: TextVars) => string;
type TOr = (key: string, fallback: string) => string;

const SIMPLE = /^[a-z_]+$/;

export function describeOutcome(t: T, tOr: TOr, outcome: string | null | undefined): string {
  if (!outcome) return '';
  if (SIMPLE.test(outcome)) return tOr(`casework.outcomes.${outcome}`, t('casework.outcomes.other'));
  if (outcome.startsWith('vital_status_unknown')) return t('casework.outcomes.vital_status_unknown');
  if (outcome.startsWith('gave up:'))
    return t('casework.outcomes.gaveUp', { reply: outcome.slice('gave up:'.length).trim() });
  if (outcome.endsWith('moved to paper')) return t('casework.outcomes.movedToPaper');
  if (outcome.startsWith('letter returned undeliverable')) return t('casework.outcomes.returnedToEmail');
  if (outcome.startsWith('worker stopped while sending')) return t('casework.outcomes.workerStopped');
  return t('casework.outcomes.mailServer', { reply: outcome });
}
