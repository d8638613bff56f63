import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideInvitation,
  isInsideWindow,
  sendStopReason,
  surveyWindow,
  type SendFacts,
} from '../../src/invitations/programme.ts';
import type { ChannelRule } from '../../src/db/schema.ts';

const ARREST = '2026-01-01';
const OPENS = '2026-04-01'; // arrest + 90
const CLOSES = '2026-07-03'; // arrest + 183

const person = (over: Partial<Parameters<typeof decideInvitation>[1]> = {}) => ({
  diedOn: null,
  withdrawnAt: null,
  optedOutAt: null,
  email: 'kari@example.no' as string | null,
  channelRule: 'email-or-paper' as ChannelRule,
  ...over,
});

test('surveyWindow opens at arrest + 90 and closes at arrest + 183', () => {
  assert.deepEqual(surveyWindow(ARREST), { opensOn: OPENS, closesOn: CLOSES });
});

test('isInsideWindow includes the opening day and excludes the closing day', () => {
  const w = surveyWindow(ARREST);
  assert.equal(isInsideWindow(w, '2026-03-31'), false);
  assert.equal(isInsideWindow(w, OPENS), true);
  assert.equal(isInsideWindow(w, '2026-07-02'), true);
  assert.equal(isInsideWindow(w, CLOSES), false);
});

test('decideInvitation: not yet before day 90, invite on day 90, never on day 183', () => {
  const w = { opensOn: OPENS, closesOn: CLOSES };
  assert.deepEqual(decideInvitation(ARREST, person(), '2026-03-31'), { kind: 'not-yet' });
  assert.deepEqual(decideInvitation(ARREST, person(), OPENS), { kind: 'invite', window: w, channel: 'email' });
  assert.deepEqual(decideInvitation(ARREST, person(), '2026-07-02'), { kind: 'invite', window: w, channel: 'email' });
  assert.deepEqual(decideInvitation(ARREST, person(), CLOSES), { kind: 'never', window: w, reason: 'window_closed' });
});

test('decideInvitation: died, withdrawn, opted out are never invited', () => {
  const w = { opensOn: OPENS, closesOn: CLOSES };
  const at = new Date('2026-02-01T10:00:00Z');
  assert.deepEqual(decideInvitation(ARREST, person({ diedOn: '2026-02-01' }), OPENS), {
    kind: 'never',
    window: w,
    reason: 'died',
  });
  assert.deepEqual(decideInvitation(ARREST, person({ withdrawnAt: at }), OPENS), {
    kind: 'never',
    window: w,
    reason: 'withdrawn',
  });
  assert.deepEqual(decideInvitation(ARREST, person({ optedOutAt: at }), OPENS), {
    kind: 'never',
    window: w,
    reason: 'opted_out',
  });
});

test('decideInvitation: channel rules', () => {
  const channel = (over: Parameters<typeof person>[0]) => {
    const d = decideInvitation(ARREST, person(over), OPENS);
    assert.equal(d.kind, 'invite');
    return d.kind === 'invite' ? d.channel : undefined;
  };
  assert.equal(channel({ channelRule: 'paper-only' }), 'paper');
  assert.equal(channel({ channelRule: 'email-or-paper', email: null }), 'paper');
  assert.equal(channel({ channelRule: 'email-only', email: null }), 'paper');
  assert.equal(channel({ channelRule: 'email-or-paper' }), 'email');
  assert.equal(channel({ channelRule: 'email-only' }), 'email');
});

test('day 90 uses calendar days across the October DST change', () => {
  // 2026-10-20 + 90 calendar days = 2027-01-18; 90×24h from Oslo midnight would land on 2027-01-17 23:00 Oslo.
  assert.deepEqual(surveyWindow('2026-10-20'), { opensOn: '2027-01-18', closesOn: '2027-04-21' });
  assert.deepEqual(decideInvitation('2026-10-20', person(), '2027-01-17'), { kind: 'not-yet' });
  assert.equal(decideInvitation('2026-10-20', person(), '2027-01-18').kind, 'invite');
});

const facts = (over: Partial<SendFacts> = {}): SendFacts => ({
  diedOn: null,
  withdrawnAt: null,
  optedOutAt: null,
  invitationState: 'sent',
  answered: false,
  window: { opensOn: OPENS, closesOn: CLOSES },
  ...over,
});

test('sendStopReason: answered beats every other reason', () => {
  const everything = {
    diedOn: '2026-05-01',
    withdrawnAt: new Date(),
    optedOutAt: new Date(),
    invitationState: 'cancelled',
  };
  assert.equal(sendStopReason(facts({ ...everything, answered: true }), '2026-08-01'), 'answered');
  assert.equal(sendStopReason(facts({ ...everything, invitationState: 'answered' }), '2026-08-01'), 'answered');
});

test('sendStopReason: person facts, then state, then window', () => {
  const at = new Date('2026-05-01T10:00:00Z');
  assert.equal(sendStopReason(facts({ diedOn: '2026-05-01' }), '2026-05-02'), 'died');
  assert.equal(sendStopReason(facts({ withdrawnAt: at }), '2026-05-02'), 'withdrawn');
  assert.equal(sendStopReason(facts({ optedOutAt: at }), '2026-05-02'), 'opted_out');
  assert.equal(sendStopReason(facts({ diedOn: '2026-05-01' }), '2026-08-01'), 'died');
  for (const state of ['planned', 'sent', 'reminded']) {
    assert.equal(sendStopReason(facts({ invitationState: state }), '2026-05-02'), undefined, state);
  }
  for (const state of ['cancelled', 'expired', 'failed', 'stopped', '']) {
    assert.equal(sendStopReason(facts({ invitationState: state }), '2026-05-02'), 'superseded', state);
  }
  assert.equal(sendStopReason(facts(), '2026-07-02'), undefined);
  assert.equal(sendStopReason(facts(), CLOSES), 'window_closed');
  assert.equal(sendStopReason(facts(), '2026-12-01'), 'window_closed');
});
