// The channel rules a survivor can have: email-or-paper (default), email-only, paper-only — like
// ePROM's distribution rules. Setting one is a transition of the rules' owner
// (src/invitations/person.ts, setChannelRule).
import type { ChannelRule } from '../db/schema.ts';

export const CHANNEL_RULES = ['email-or-paper', 'email-only', 'paper-only'] as const satisfies readonly ChannelRule[];

export function isChannelRule(value: string): value is ChannelRule {
  return (CHANNEL_RULES as readonly string[]).includes(value);
}
