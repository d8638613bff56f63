// The contact programme and who may be invited: pure rules, no I/O (ARCHITECTURE principle 3).
import { addDays } from '../clock.ts';
import type { Channel, ChannelRule } from '../db/schema.ts';

export const PROGRAMME = {
  /** First invitation at arrest + 90 days. */
  opensAfterDays: 90,
  /** The window closes at arrest + 183 days: nothing is sent from that day on. */
  closesAfterDays: 183,
} as const;

export interface Window {
  opensOn: string;
  closesOn: string;
}

export function surveyWindow(arrestDate: string): Window {
  return {
    opensOn: addDays(arrestDate, PROGRAMME.opensAfterDays),
    closesOn: addDays(arrestDate, PROGRAMME.closesAfterDays),
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

export type StopReason = 'died' | 'withdrawn' | 'opted_out' | 'window_closed' | 'answered' | 'superseded';

/** Facts about the person that forbid any contact, whatever the date. */
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

/** What a scheduling pass on `today` does with an arrest that has no invitation yet. */
export function decideInvitation(
  arrestDate: string,
  person: PersonFacts & { email: string | null; channelRule: ChannelRule },
  today: string,
): InvitationDecision {
  const window = surveyWindow(arrestDate);
  if (today < window.opensOn) return { kind: 'not-yet' };
  if (today >= window.closesOn) return { kind: 'never', window, reason: 'window_closed' };
  const stop = personStopReason(person);
  if (stop) return { kind: 'never', window, reason: stop };
  return { kind: 'invite', window, channel: firstChannel(person.channelRule, person.email) };
}

/** No e-mail address means paper, whatever the rule says. */
export function firstChannel(rule: ChannelRule, email: string | null): Channel {
  if (rule === 'paper-only' || !email) return 'paper';
  return 'email';
}

export interface SendFacts extends PersonFacts {
  invitationState: string;
  answered: boolean;
  window: Window;
}

/** Checked again right before every message (S-27, S-28); undefined means send. */
export function sendStopReason(f: SendFacts, today: string): StopReason | undefined {
  if (f.answered || f.invitationState === 'answered') return 'answered';
  const person = personStopReason(f);
  if (person) return person;
  if (!['planned', 'sent', 'reminded'].includes(f.invitationState)) return 'superseded';
  if (today >= f.window.closesOn) return 'window_closed';
  return undefined;
}
