// Helpers for the contact-programme tests: survivors with postal addresses, a clock the test moves,
// passes followed by direct delivery with the same clock, answers on the web and on paper, and
// reading back what happened per survivor.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Clock } from '../../src/clock.ts';
import { osloDay, parseNow } from '../../src/clock.ts';
import { importSurvivors, type ImportReport } from '../../src/cohort/import.ts';
import type { Db } from '../../src/db/database.ts';
import {
  deliverOutboxRow,
  RetryLater,
  type DeliveryDeps,
  type DeliveryOutcome,
} from '../../src/invitations/delivery.ts';
import { runSchedulingPass, type PassOptions, type PassResult } from '../../src/invitations/scheduler.ts';
import type { Queues } from '../../src/queue/queues.ts';
import { loadDraft, recordWebAnswer, saveDraftAnswer } from '../../src/invitations/answers.ts';
import { PAGES } from '../../src/instruments/eq5d-texts.ts';
import { CSV_COLUMNS_WITH_ADDRESS, type PersonRow } from './people.ts';
import type { Received } from './smtp.ts';

export interface LifecyclePerson extends PersonRow {
  address_line?: string;
  postal_code?: string;
  city?: string;
}

const COLUMNS = CSV_COLUMNS_WITH_ADDRESS;

export function lifecycleCsv(rows: LifecyclePerson[]): string {
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => r[c] ?? '').join(','))].join('\n') + '\n';
}

export async function importPeople(db: Db, rows: LifecyclePerson[]): Promise<ImportReport> {
  const report = await importSurvivors(db, Readable.from([lifecycleCsv(rows)]));
  if (report.rejected > 0) throw new Error(`import rejected rows: ${report.problems.join('; ')}`);
  return report;
}

export const withAddress = { address_line: 'Storgata 1', postal_code: '0155', city: 'Oslo' } as const;

/** A clock the test moves; `at('2026-04-01')` is noon in Oslo, or give an ISO time. */
export function testClock(start: string): Clock & { at(when: string): Date; now(): Date } {
  let current = toInstant(start);
  return {
    now: () => new Date(current.getTime()),
    at(when: string) {
      current = toInstant(when);
      return new Date(current.getTime());
    },
  };
}

function toInstant(when: string): Date {
  const at = parseNow(when);
  if (!at) throw new Error(`bad test time ${when}`);
  return at;
}

/** One pass and then, with the same clock, a direct delivery of each e-mail it made due. */
export async function passAndDeliver(
  db: Db,
  deps: DeliveryDeps,
  clock: Clock,
  opts: PassOptions & { queues?: Queues; scope?: string[] } = {},
): Promise<{ pass: PassResult; outcomes: Map<number, DeliveryOutcome | 'retry'> }> {
  const pass = await runSchedulingPass(db, opts.queues, clock, opts);
  const outcomes = new Map<number, DeliveryOutcome | 'retry'>();
  const mine = opts.scope ? new Set(await outboxIdsOf(db, opts.scope)) : undefined;
  for (const id of pass.dueOutboxIds.filter((i) => !mine || mine.has(i))) {
    try {
      outcomes.set(id, await deliverOutboxRow(deps, id, clock));
    } catch (err) {
      if (!(err instanceof RetryLater)) throw err;
      outcomes.set(id, 'retry');
    }
  }
  return { pass, outcomes };
}

/** Outbox ids of these survivors: tests sharing a database deliver only their own. */
export async function outboxIdsOf(db: Db, registerIds: string[]): Promise<number[]> {
  const rows = await db
    .selectFrom('outbox as o')
    .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select('o.id')
    .where('s.register_id', 'in', registerIds)
    .execute();
  return rows.map((r) => r.id);
}

export async function survivorId(db: Db, registerId: string): Promise<number> {
  return (await db.selectFrom('survivors').select('id').where('register_id', '=', registerId).executeTakeFirstOrThrow())
    .id;
}

export async function invitationOf(db: Db, registerId: string) {
  return db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['i.id', 'i.state', 'i.cancel_reason', 'i.programme_version', 'i.opens_on', 'i.closes_on'])
    .where('s.register_id', '=', registerId)
    .executeTakeFirst();
}

/** The outbox rows of one survivor, in step order. */
export async function stepsOf(db: Db, registerId: string) {
  return db
    .selectFrom('outbox as o')
    .innerJoin('invitations as i', 'i.id', 'o.invitation_id')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select(['o.id', 'o.step', 'o.channel', 'o.state', 'o.due_at', 'o.sent_at', 'o.last_error', 'o.attempts'])
    .where('s.register_id', '=', registerId)
    .orderBy('o.due_at')
    .orderBy('o.id')
    .execute();
}

/** A web answer through the respondent module's own functions. */
export async function answerOnWeb(db: Db, invitationId: number, now: Date): Promise<string> {
  for (const page of PAGES) await saveDraftAnswer(db, invitationId, page, page === 'vas' ? 70 : 2, osloDay(now));
  return recordWebAnswer(db, invitationId, 'nb', now, (await loadDraft(db, invitationId)).version);
}

/** A paper answer as staff data entry will record it: a counted response, nothing else changed. */
export async function answerOnPaper(db: Db, invitationId: number, now: Date): Promise<void> {
  await db
    .insertInto('responses')
    .values({
      id: randomUUID(),
      invitation_id: invitationId,
      mode: 'paper',
      language: 'nb',
      mobility: 1,
      self_care: 1,
      usual_activities: 2,
      pain_discomfort: 2,
      anxiety_depression: 1,
      vas: 80,
      completed_at: now,
    })
    .execute();
}

/** The outbox key a message was sent for, from its Message-ID `<outbox-N@host>`. */
export function outboxKey(message: Received): number {
  const m = /<?outbox-(\d+)@/.exec(message.messageId);
  if (!m) throw new Error(`message without an outbox key: ${message.messageId}`);
  return Number(m[1]);
}

/** All links in a message, by kind. */
export function linksIn(text: string): { answer: string[]; optOut: string[]; paper: string[] } {
  const all = [...text.matchAll(/https?:\/\/[^\s"<>]+\/s\/[A-Za-z0-9_-]{43}(?:\/(?:stop|paper))?/g)].map((m) => m[0]);
  return {
    answer: all.filter((l) => !/\/(stop|paper)$/.test(l)),
    optOut: all.filter((l) => l.endsWith('/stop')),
    paper: all.filter((l) => l.endsWith('/paper')),
  };
}
