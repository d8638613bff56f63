// The contact programme and who may be contacted: pure rules, no I/O (docs/architecture.md, principle 3).
// Calendar days are Oslo days; times of day are Oslo wall-clock times, whatever the offset.
import { addDays, osloDay, ZONE } from '../clock.ts';
import type { Channel, ChannelRule, OutboxState, Step } from '../db/schema.ts';

/** One version of a register's programme (stored in `programme_settings`, see settings.ts). */
export interface Programme {
  /** First invitation on arrest day + this many days. */
  opensAfterDays: number;
  /** Reminder 1 on the invitation's day + this many days, same channel; null: no reminder 1. */
  reminder1AfterDays: number | null;
  /** Reminder 2 on the invitation's day + this many days; null: no reminder 2. */
  reminder2AfterDays: number | null;
  /** 'paper': reminder 2 is a letter with the questionnaire (unless the rule is email-only). */
  reminder2Channel: 'paper' | 'same';
  /** The window closes at arrest day + this many days: nothing is sent from that day on. */
  closesAfterDays: number;
  /** Steps become due at this Oslo hour on their day (a late import is invited at once). */
  sendAtHour: number;
}

export const DEFAULT_PROGRAMME: Programme = Object.freeze({
  opensAfterDays: 90,
  reminder1AfterDays: 14,
  reminder2AfterDays: 28,
  reminder2Channel: 'paper',
  closesAfterDays: 183,
  sendAtHour: 9,
});

export interface Window {
  opensOn: string;
  closesOn: string;
}

export function surveyWindow(arrestDate: string, p: Programme = DEFAULT_PROGRAMME): Window {
  return {
    opensOn: addDays(arrestDate, p.opensAfterDays),
    closesOn: addDays(arrestDate, p.closesAfterDays),
  };
}

export function isInsideWindow(window: Window, today: string): boolean {
  return today >= window.opensOn && today < window.closesOn;
}

export interface PersonFacts {
  diedOn: string | null;
  withdrawnAt: Date | null;
  optedOutAt: Date | null;
}

export type StopReason = 'died' | 'withdrawn' | 'opted_out' | 'window_closed' | 'answered' | 'superseded' | 'duplicate';

/**
 * Facts about the person that forbid any contact. A recorded fact counts from the moment it was
 * recorded, whatever clock a later pass runs with, so the dates are not compared with "today".
 */
export function personStopReason(p: PersonFacts): StopReason | undefined {
  if (p.diedOn) return 'died';
  if (p.withdrawnAt) return 'withdrawn';
  if (p.optedOutAt) return 'opted_out';
  return undefined;
}

export type InvitationDecision =
  | { kind: 'not-yet' }
  | { kind: 'invite'; window: Window; channel: Channel }
  | { kind: 'never'; window: Window; reason: StopReason };

export interface ContactFacts extends PersonFacts {
  email: string | null;
  channelRule: ChannelRule;
  /** The address that bounced permanently (SMTP 5xx), if any. */
  bouncedEmail?: string | null;
}

/** What a scheduling pass on `today` does with an arrest that has no invitation yet. */
export function decideInvitation(
  arrestDate: string,
  person: ContactFacts,
  today: string,
  p: Programme = DEFAULT_PROGRAMME,
): InvitationDecision {
  const window = surveyWindow(arrestDate, p);
  if (today < window.opensOn) return { kind: 'not-yet' };
  if (today >= window.closesOn) return { kind: 'never', window, reason: 'window_closed' };
  const stop = personStopReason(person);
  if (stop) return { kind: 'never', window, reason: stop };
  return { kind: 'invite', window, channel: firstChannel(person.channelRule, usableEmail(person)) };
}

/** An address we may write to: present, and not the one that bounced permanently. */
export function usableEmail(person: { email: string | null; bouncedEmail?: string | null }): string | null {
  if (!person.email) return null;
  return person.bouncedEmail && person.bouncedEmail.toLowerCase() === person.email.toLowerCase() ? null : person.email;
}

/** The form an address takes when a letter comes back from it (`survivors.address_returned`). */
export function addressKey(addressLine: string, postalCode: string): string {
  return `${addressLine.trim().toLowerCase()}|${postalCode.trim()}`;
}

/**
 * A postal address we may write to: a street line and a postal code (enough for Posten; the city
 * follows from the code), and not the one a letter came back from.
 */
export function usablePostalAddress(p: {
  addressLine: string | null;
  postalCode: string | null;
  addressReturned?: string | null;
}): boolean {
  if (!p.addressLine || !p.postalCode) return false;
  return p.addressReturned !== addressKey(p.addressLine, p.postalCode);
}

/** No usable e-mail address means paper, whatever the rule says. */
function firstChannel(rule: ChannelRule, email: string | null): Channel {
  if (rule === 'paper-only' || !email) return 'paper';
  return 'email';
}

/**
 * The channel a step is planned with. Reminder 1 follows the invitation; reminder 2 is a letter
 * unless the person's rule is email-only (then every step is an e-mail while e-mail works).
 */
export function plannedChannel(
  step: Step,
  invitationChannel: Channel,
  rule: ChannelRule,
  p: Programme = DEFAULT_PROGRAMME,
): Channel {
  if (step === 'reminder2' && p.reminder2Channel === 'paper' && rule !== 'email-only') return 'paper';
  if (step === 'paper_request') return 'paper';
  return invitationChannel;
}

/**
 * The channel a due step goes out on. A step only ever moves from e-mail to paper, never back:
 * a paper step made due must never be e-mailed.
 */
export function channelAtDueTime(planned: Channel, rule: ChannelRule, email: string | null): Channel {
  if (planned === 'paper') return 'paper';
  return firstChannel(rule, email);
}

/** The instant of `hour`:00 Oslo wall-clock time on an Oslo calendar day (handles DST changes). */
export function osloTime(day: string, hour: number): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  for (const offset of [2, 1]) {
    // summer offset first: of a repeated autumn hour, the first
    const at = new Date(Date.UTC(y, m - 1, d, hour - offset));
    if (osloDay(at) === day && osloHourOf(at) === hour) return at;
  }
  // The hour does not exist that day (spring forward at 02:00): the instant the clocks skip to.
  return new Date(Date.UTC(y, m - 1, d, hour - 1));
}

const hourFormat = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', hourCycle: 'h23' });
function osloHourOf(at: Date): number {
  return Number(hourFormat.format(at));
}

/** The invitation is due at the programme's hour on day 90, or at once when the pass is later. */
export function invitationDueAt(now: Date, window: Window, p: Programme = DEFAULT_PROGRAMME): Date {
  const planned = osloTime(window.opensOn, p.sendAtHour);
  return planned > now ? planned : now;
}

export interface PlannedStep {
  step: Step;
  dueAt: Date;
}

/** Reminders counted in Oslo calendar days from the day the invitation went (or was due). */
export function reminderDueTimes(invitationAt: Date, p: Programme = DEFAULT_PROGRAMME): PlannedStep[] {
  const day = osloDay(invitationAt);
  const steps: PlannedStep[] = [];
  if (p.reminder1AfterDays !== null)
    steps.push({ step: 'reminder1', dueAt: osloTime(addDays(day, p.reminder1AfterDays), p.sendAtHour) });
  if (p.reminder2AfterDays !== null)
    steps.push({ step: 'reminder2', dueAt: osloTime(addDays(day, p.reminder2AfterDays), p.sendAtHour) });
  return steps;
}

/** Every step of a new invitation; steps that would fall on or after the closing day are left out. */
export function planSteps(invitationAt: Date, window: Window, p: Programme = DEFAULT_PROGRAMME): PlannedStep[] {
  const reminders = reminderDueTimes(invitationAt, p).filter((s) => osloDay(s.dueAt) < window.closesOn);
  return [{ step: 'invitation', dueAt: invitationAt }, ...reminders];
}

/** Outbox states of a step that has not gone yet and can still be stopped. */
export const WAITING_STATES = ['pending', 'print', 'held'] as const satisfies readonly OutboxState[];
/** Invitation states in which messages may go and the link works. */
export const OPEN_STATES = ['planned', 'sent', 'reminded'] as const;

export function isOpen(state: string): boolean {
  return (OPEN_STATES as readonly string[]).includes(state);
}

export interface SendFacts extends PersonFacts {
  invitationState: string;
  answered: boolean;
  window: Window;
  /** Another open invitation for the same arrest was made first. */
  otherOpenInvitation?: boolean;
}

/** Checked again right before every message; undefined means send. */
export function sendStopReason(f: SendFacts, today: string): StopReason | undefined {
  if (f.answered || f.invitationState === 'answered') return 'answered';
  const person = personStopReason(f);
  if (person) return person;
  if (!isOpen(f.invitationState)) return 'superseded';
  if (today >= f.window.closesOn) return 'window_closed';
  if (f.otherOpenInvitation) return 'duplicate';
  return undefined;
}

/** What a link or a short code opens, by the caller's clock: the window closes on `closesOn` whatever a pass has done. */
export type LinkStatus = 'open' | 'answered' | 'closed';

export function linkStatus(state: string, closesOn: string, today: string): LinkStatus {
  if (state === 'answered') return 'answered';
  return isOpen(state) && today < closesOn ? 'open' : 'closed';
}

/** A returned form may have been posted before the window closed: it counts if received this many days after. */
const POSTAL_GRACE_DAYS = 14;

export type UncountedReason = 'died' | 'withdrawn' | 'stopped' | 'window_closed';

export interface ReturnFacts {
  invitationState: string;
  cancelReason: string | null;
  closesOn: string;
  /** The invitation already has a counted response. */
  answered: boolean;
  diedOn: string | null;
  withdrawnAt: Date | null;
}

export type PaperVerdict = { kind: 'count' } | { kind: 'duplicate' } | { kind: 'uncounted'; reason: UncountedReason };

/**
 * What a returned paper form received on `receivedOn` is. Death and withdrawal win: such a form
 * is only recorded, its answers are not stored. A form from someone who only asked not to be
 * contacted again counts: opting out concerns contact, consent stands, and the person chose to
 * answer. A form received up to POSTAL_GRACE_DAYS after the window closed counts (it may have
 * been posted in time); later it is recorded uncounted. Any other stop (a duplicate invitation,
 * staff stopping contact) makes it uncounted.
 */
export function paperVerdict(f: ReturnFacts, receivedOn: string): PaperVerdict {
  if (f.diedOn) return { kind: 'uncounted', reason: 'died' };
  if (f.withdrawnAt) return { kind: 'uncounted', reason: 'withdrawn' };
  if (f.answered || f.invitationState === 'answered') return { kind: 'duplicate' };
  if (receivedOn >= addDays(f.closesOn, POSTAL_GRACE_DAYS)) return { kind: 'uncounted', reason: 'window_closed' };
  if (f.invitationState === 'cancelled' && f.cancelReason !== 'opted_out')
    return { kind: 'uncounted', reason: 'stopped' };
  return { kind: 'count' };
}

/** What a stop does to the invitation: person facts cancel it, the window expires it. */
export function invitationStateAfterStop(reason: StopReason): 'cancelled' | 'expired' | undefined {
  if (reason === 'window_closed') return 'expired';
  if (reason === 'answered' || reason === 'superseded') return undefined;
  return 'cancelled';
}

/** The invitation state once a step has gone out. */
export function invitationStateAfterSend(step: Step, current: string): 'sent' | 'reminded' | undefined {
  if (step === 'invitation') return current === 'planned' ? 'sent' : undefined;
  if (step === 'paper_request') return undefined;
  return current === 'planned' || current === 'sent' ? 'reminded' : undefined;
}
