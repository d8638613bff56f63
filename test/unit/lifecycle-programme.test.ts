// The contact programme's pure rules: due times in Oslo wall-clock time across DST changes,
// which steps are planned, channels, and what every send checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { osloDay } from '../../src/clock.ts';
import {
  channelAtDueTime,
  decideInvitation,
  DEFAULT_PROGRAMME,
  invitationDueAt,
  invitationStateAfterSend,
  invitationStateAfterStop,
  osloTime,
  planSteps,
  plannedChannel,
  reminderDueTimes,
  sendStopReason,
  surveyWindow,
  usableEmail,
  type Programme,
  type SendFacts,
} from '../../src/invitations/programme.ts';
import { programmeSchema } from '../../src/invitations/settings.ts';
import { deathRowSchema } from '../../src/cohort/deaths-import.ts';
import { pooled } from '../../src/invitations/mailer.ts';
import { syntheticNationalId } from '../support/people.ts';

const iso = (d: Date) => d.toISOString();

test('osloTime: 09:00 Oslo is 08:00Z in winter and 07:00Z in summer', () => {
  assert.equal(iso(osloTime('2026-01-15', 9)), '2026-01-15T08:00:00.000Z');
  assert.equal(iso(osloTime('2026-07-01', 9)), '2026-07-01T07:00:00.000Z');
});

test('osloTime on the DST change days, including the hour that does not exist', () => {
  assert.equal(iso(osloTime('2026-03-29', 9)), '2026-03-29T07:00:00.000Z'); // already summer time
  assert.equal(iso(osloTime('2026-03-29', 1)), '2026-03-29T00:00:00.000Z'); // still winter time
  assert.equal(iso(osloTime('2026-03-29', 2)), '2026-03-29T01:00:00.000Z'); // 02:00 is skipped: 03:00 CEST
  assert.equal(iso(osloTime('2026-10-25', 9)), '2026-10-25T08:00:00.000Z'); // back to winter time
  assert.equal(iso(osloTime('2026-10-25', 2)), '2026-10-25T00:00:00.000Z'); // 02:00 twice: the first
  assert.equal(iso(osloTime('2026-10-25', 0)), '2026-10-24T22:00:00.000Z');
});

test('the invitation is due at 09:00 Oslo on day 90, or at once when the pass comes later', () => {
  const w = surveyWindow('2026-01-01'); // opens 2026-04-01
  assert.equal(iso(invitationDueAt(new Date('2026-03-31T22:05:00Z'), w)), '2026-04-01T07:00:00.000Z'); // 00:05 Oslo
  const noon = new Date('2026-04-01T10:00:00Z');
  assert.equal(iso(invitationDueAt(noon, w)), iso(noon));
  const late = new Date('2026-05-20T18:00:00Z'); // imported late: invited at once
  assert.equal(iso(invitationDueAt(late, w)), iso(late));
});

test('reminders on the invitation day + 14 and + 28 at 09:00 Oslo, across the spring change', () => {
  const sent = new Date('2026-03-20T11:00:00Z'); // 12:00 CET
  assert.deepEqual(
    reminderDueTimes(sent).map((s) => [s.step, iso(s.dueAt)]),
    [
      ['reminder1', '2026-04-03T07:00:00.000Z'], // 09:00 CEST
      ['reminder2', '2026-04-17T07:00:00.000Z'],
    ],
  );
});

test('reminders across the autumn change, and an evening send in Oslo counts as that Oslo day', () => {
  const sent = new Date('2026-10-15T21:30:00Z'); // 23:30 CEST on the 15th
  assert.equal(osloDay(sent), '2026-10-15');
  assert.deepEqual(
    reminderDueTimes(sent).map((s) => iso(s.dueAt)),
    ['2026-10-29T08:00:00.000Z', '2026-11-12T08:00:00.000Z'], // 09:00 CET
  );
  const justAfterMidnight = new Date('2026-10-15T22:30:00Z'); // 00:30 on the 16th in Oslo
  assert.equal(iso(reminderDueTimes(justAfterMidnight)[0]!.dueAt), '2026-10-30T08:00:00.000Z');
});

test('planSteps leaves out steps that would fall on or after the closing day', () => {
  const w = surveyWindow('2026-01-01'); // closes 2026-07-03
  const steps = (at: string) => planSteps(new Date(at), w).map((s) => s.step);
  assert.deepEqual(steps('2026-04-01T10:00:00Z'), ['invitation', 'reminder1', 'reminder2']);
  assert.deepEqual(steps('2026-06-01T10:00:00Z'), ['invitation', 'reminder1', 'reminder2']); // reminder 2 on 06-29
  assert.deepEqual(steps('2026-06-10T10:00:00Z'), ['invitation', 'reminder1']); // reminder 2 on 07-08: closed
  assert.deepEqual(steps('2026-06-18T10:00:00Z'), ['invitation', 'reminder1']); // reminder 1 on 07-02, the last open day
  assert.deepEqual(steps('2026-06-19T10:00:00Z'), ['invitation']); // reminder 1 would be on the closing day
});

test('a register may change the programme: other days, no second reminder', () => {
  const p: Programme = {
    ...DEFAULT_PROGRAMME,
    opensAfterDays: 60,
    reminder1AfterDays: 21,
    reminder2AfterDays: null,
    sendAtHour: 10,
  };
  const w = surveyWindow('2026-01-01', p);
  assert.equal(w.opensOn, '2026-03-02');
  assert.equal(decideInvitation('2026-01-01', person(), '2026-03-02', p).kind, 'invite');
  assert.deepEqual(
    planSteps(invitationDueAt(new Date('2026-03-01T23:10:00Z'), w, p), w, p).map((s) => [s.step, iso(s.dueAt)]),
    [
      ['invitation', '2026-03-02T09:00:00.000Z'],
      ['reminder1', '2026-03-23T09:00:00.000Z'],
    ],
  );
});

function person(over: Partial<Parameters<typeof decideInvitation>[1]> = {}): Parameters<typeof decideInvitation>[1] {
  return {
    diedOn: null,
    withdrawnAt: null,
    optedOutAt: null,
    email: 'kari@example.no',
    channelRule: 'email-or-paper',
    ...over,
  };
}

test('channel rules: email-or-paper ends on paper, email-only stays e-mail, paper-only is all paper', () => {
  const plan = (rule: 'email-or-paper' | 'email-only' | 'paper-only', email: string | null = 'kari@example.no') => {
    const d = decideInvitation('2026-01-01', person({ channelRule: rule, email }), '2026-04-01');
    assert.equal(d.kind, 'invite');
    const first = d.kind === 'invite' ? d.channel : 'email';
    return (['invitation', 'reminder1', 'reminder2'] as const).map((s) => plannedChannel(s, first, rule));
  };
  assert.deepEqual(plan('email-or-paper'), ['email', 'email', 'paper']);
  assert.deepEqual(plan('email-only'), ['email', 'email', 'email']);
  assert.deepEqual(plan('paper-only'), ['paper', 'paper', 'paper']);
  assert.deepEqual(plan('email-or-paper', null), ['paper', 'paper', 'paper']);
  assert.deepEqual(plan('email-only', null), ['paper', 'paper', 'paper']);
  assert.deepEqual(
    (['invitation', 'reminder1', 'reminder2'] as const).map((s) =>
      plannedChannel(s, 'email', 'email-or-paper', { ...DEFAULT_PROGRAMME, reminder2Channel: 'same' }),
    ),
    ['email', 'email', 'email'],
  );
  assert.equal(plannedChannel('paper_request', 'email', 'email-only'), 'paper');
});

test('at due time a step only ever moves from e-mail to paper, never back', () => {
  assert.equal(channelAtDueTime('paper', 'email-or-paper', 'kari@example.no'), 'paper');
  assert.equal(channelAtDueTime('paper', 'email-only', 'kari@example.no'), 'paper');
  assert.equal(channelAtDueTime('email', 'email-or-paper', 'kari@example.no'), 'email');
  assert.equal(channelAtDueTime('email', 'email-or-paper', null), 'paper');
  assert.equal(channelAtDueTime('email', 'paper-only', 'kari@example.no'), 'paper');
});

test('a bounced address is unusable until the register sends another one', () => {
  assert.equal(usableEmail({ email: 'kari@example.no', bouncedEmail: null }), 'kari@example.no');
  assert.equal(usableEmail({ email: 'kari@example.no', bouncedEmail: 'Kari@Example.no' }), null);
  assert.equal(usableEmail({ email: 'kari.ny@example.no', bouncedEmail: 'kari@example.no' }), 'kari.ny@example.no');
  assert.equal(usableEmail({ email: null, bouncedEmail: null }), null);
  const bounced = decideInvitation('2026-01-01', person({ bouncedEmail: 'kari@example.no' }), '2026-04-01');
  assert.deepEqual(bounced.kind === 'invite' ? bounced.channel : bounced.kind, 'paper');
});

const facts = (over: Partial<SendFacts> = {}): SendFacts => ({
  diedOn: null,
  withdrawnAt: null,
  optedOutAt: null,
  invitationState: 'sent',
  answered: false,
  window: { opensOn: '2026-04-01', closesOn: '2026-07-03' },
  ...over,
});

test('sendStopReason: another open invitation for the same arrest stops the later one', () => {
  assert.equal(sendStopReason(facts({ otherOpenInvitation: true }), '2026-05-01'), 'duplicate');
  assert.equal(sendStopReason(facts({ otherOpenInvitation: false }), '2026-05-01'), undefined);
  // Facts count from when they were recorded, even for a pass run with an earlier clock.
  assert.equal(sendStopReason(facts({ diedOn: '2026-06-01' }), '2026-05-01'), 'died');
  assert.equal(sendStopReason(facts({ withdrawnAt: new Date('2026-06-01T10:00:00Z') }), '2026-05-01'), 'withdrawn');
});

test('what a stop and a send do to the invitation state', () => {
  assert.equal(invitationStateAfterStop('died'), 'cancelled');
  assert.equal(invitationStateAfterStop('opted_out'), 'cancelled');
  assert.equal(invitationStateAfterStop('duplicate'), 'cancelled');
  assert.equal(invitationStateAfterStop('window_closed'), 'expired');
  assert.equal(invitationStateAfterStop('answered'), undefined);
  assert.equal(invitationStateAfterSend('invitation', 'planned'), 'sent');
  assert.equal(invitationStateAfterSend('invitation', 'answered'), undefined);
  assert.equal(invitationStateAfterSend('reminder1', 'sent'), 'reminded');
  assert.equal(invitationStateAfterSend('reminder2', 'reminded'), undefined);
  assert.equal(invitationStateAfterSend('paper_request', 'sent'), undefined);
});

test('programme settings are validated', () => {
  assert.ok(programmeSchema.safeParse(DEFAULT_PROGRAMME).success);
  const bad = (over: Record<string, unknown>) => programmeSchema.safeParse({ ...DEFAULT_PROGRAMME, ...over }).success;
  assert.equal(bad({ closesAfterDays: 80 }), false);
  assert.equal(bad({ reminder1AfterDays: 30, reminder2AfterDays: 28 }), false);
  assert.equal(bad({ sendAtHour: 24 }), false);
  assert.equal(bad({ reminder2Channel: 'sms' }), false);
  assert.equal(bad({ opensAfterDays: 1.5 }), false);
  assert.equal(bad({ colour: 'red' }), false);
  assert.equal(bad({ reminder1AfterDays: null, reminder2AfterDays: null }), true);
});

test('death file rows: a valid national id and a real date', () => {
  const id = syntheticNationalId(7);
  assert.ok(deathRowSchema.safeParse({ national_id: id, date_of_death: '2026-02-28' }).success);
  assert.equal(deathRowSchema.safeParse({ national_id: id, date_of_death: '2026-02-30' }).success, false);
  assert.equal(deathRowSchema.safeParse({ national_id: '12345678901', date_of_death: '2026-02-28' }).success, false);
  assert.equal(deathRowSchema.safeParse({ national_id: id }).success, false);
});

test('the SMTP transport reuses connections unless SMTP_URL says otherwise', () => {
  assert.equal(pooled('smtp://mail.example.no:587'), 'smtp://mail.example.no:587?pool=true');
  assert.equal(pooled('smtps://u:p@mail.example.no?pool=false'), 'smtps://u:p@mail.example.no?pool=false');
});
