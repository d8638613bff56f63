// The check right before each message: e-mails in the delivery worker, letters when a
// pass makes them due for print and again when a print batch is made. Database facts
// first (answered, withdrawn, opted out, died, window, another open invitation), then the
// vital-status adapter for those still due. A stop is recorded with its reason at once.
import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import { hasCountedResponse } from './fragments.ts';
import type { ChannelRule, Database } from '../db/schema.ts';
import type { Lang } from '../i18n/views.ts';
import { lookupVitalStatus, type VitalStatusAdapter } from './vital-status.ts';
import {
  OPEN_STATES,
  sendStopReason,
  usableEmail,
  usablePostalAddress,
  type SendFacts,
  type StopReason,
} from './programme.ts';
import { stopInvitation, stopSurvivor } from './transitions.ts';

export interface Target {
  invitationId: number;
  survivorId: number;
  /** Only for the vital-status look-up; never logged, rendered or queued. */
  nationalId: string;
  language: Lang;
  givenName: string | null;
  email: string | null;
  channelRule: ChannelRule;
  hasPostalAddress: boolean;
  programmeVersion: number | null;
  facts: SendFacts;
}

export type CheckResult = { kind: 'go' } | { kind: 'stop'; reason: StopReason } | { kind: 'defer'; reason: string };

export async function loadTargets(db: Db, invitationIds: number[]): Promise<Map<number, Target>> {
  const targets = new Map<number, Target>();
  for (let i = 0; i < invitationIds.length; i += 1000) {
    for (const t of await loadChunk(db, invitationIds.slice(i, i + 1000))) targets.set(t.invitationId, t);
  }
  return targets;
}

async function loadChunk(db: Db, ids: number[]): Promise<Target[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(TARGET_COLUMNS)
    .select(targetFacts)
    .where('i.id', 'in', ids)
    .execute();
  return rows.map(toTarget);
}

/** What loadTargets reads of the invitation `i` and the survivor `s` (also the delivery claim's join). */
export const TARGET_COLUMNS = [
  'i.id',
  'i.state',
  'i.opens_on',
  'i.closes_on',
  'i.language',
  'i.programme_version',
  's.id as survivor_id',
  's.national_id',
  's.email',
  's.bounced_email',
  's.given_name',
  's.channel_rule',
  's.address_line',
  's.postal_code',
  's.address_returned',
  's.died_on',
  's.withdrawn_at',
  's.opted_out_at',
] as const;

/** Answered, and whether an earlier invitation for the same arrest is still open. */
export function targetFacts(eb: ExpressionBuilder<Database & { i: Database['invitations'] }, 'i'>) {
  return [
    hasCountedResponse(eb).as('answered'),
    eb
      .exists(
        eb
          .selectFrom('invitations as other')
          .select('other.id')
          .whereRef('other.arrest_event_id', '=', 'i.arrest_event_id')
          .whereRef('other.id', '<', 'i.id')
          .where('other.state', 'in', OPEN_STATES),
      )
      .as('other_open'),
  ];
}

type Invitation = Selectable<Database['invitations']>;
type Survivor = Selectable<Database['survivors']>;
/** A row of TARGET_COLUMNS and targetFacts. */
type TargetRow = Pick<Invitation, 'id' | 'state' | 'opens_on' | 'closes_on' | 'language' | 'programme_version'> &
  Pick<
    Survivor,
    | 'national_id'
    | 'email'
    | 'bounced_email'
    | 'given_name'
    | 'channel_rule'
    | 'address_line'
    | 'postal_code'
    | 'address_returned'
    | 'died_on'
    | 'withdrawn_at'
    | 'opted_out_at'
  > & { survivor_id: number; answered: unknown; other_open: unknown };

export function toTarget(r: TargetRow): Target {
  return {
    invitationId: r.id,
    survivorId: r.survivor_id,
    nationalId: r.national_id,
    language: r.language,
    givenName: r.given_name,
    email: usableEmail({ email: r.email, bouncedEmail: r.bounced_email }),
    channelRule: r.channel_rule,
    hasPostalAddress: usablePostalAddress({
      addressLine: r.address_line,
      postalCode: r.postal_code,
      addressReturned: r.address_returned,
    }),
    programmeVersion: r.programme_version,
    facts: {
      invitationState: r.state,
      answered: Boolean(r.answered),
      diedOn: r.died_on,
      withdrawnAt: r.withdrawn_at,
      optedOutAt: r.opted_out_at,
      window: { opensOn: r.opens_on, closesOn: r.closes_on },
      otherOpenInvitation: Boolean(r.other_open),
    },
  };
}

/** Database facts, then vital status for those still due. A dead answer is recorded on the survivor. */
export async function checkBeforeSend(
  db: Db,
  vital: VitalStatusAdapter,
  targets: Target[],
  today: string,
): Promise<Map<number, CheckResult>> {
  const results = new Map<number, CheckResult>();
  const ask: Target[] = [];
  for (const t of targets) {
    const stop = sendStopReason(t.facts, today);
    if (stop) results.set(t.invitationId, { kind: 'stop', reason: stop });
    else ask.push(t);
  }
  const status = await lookupVitalStatus(vital, [...new Set(ask.map((t) => t.nationalId))]);
  for (const t of ask) {
    const s = status.get(t.nationalId)!;
    if (s.kind === 'alive') results.set(t.invitationId, { kind: 'go' });
    else if (s.kind === 'unknown')
      results.set(t.invitationId, { kind: 'defer', reason: `vital_status_unknown: ${s.reason}` });
    else {
      await recordDeath(db, t.survivorId, s.diedOn);
      results.set(t.invitationId, { kind: 'stop', reason: 'died' });
    }
  }
  return results;
}

async function recordDeath(db: Db, survivorId: number, diedOn: string): Promise<void> {
  await db
    .updateTable('survivors')
    .set({ died_on: diedOn, updated_at: sql`now()` })
    .where('id', '=', survivorId)
    .where('died_on', 'is', null)
    .execute();
}

/** Records a stop: person facts stop all their invitations, the rest only this one. Returns cancelled outbox ids. */
export async function applyStop(
  trx: Db,
  target: Pick<Target, 'invitationId' | 'survivorId'>,
  reason: StopReason,
): Promise<number[]> {
  if (reason === 'died' || reason === 'withdrawn' || reason === 'opted_out')
    return stopSurvivor(trx, target.survivorId, reason);
  return stopInvitation(trx, target.invitationId, reason);
}
