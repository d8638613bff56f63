// Status for the register's system: invitations changed since a time, paged by a cursor over
// (last change, id), where the last change is the later of the invitation's and its steps'
// updated_at; and one survivor's contact log. Limited to the key's hospitals.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { contactLog } from '../invitations/contact-log.ts';
import type { Cursor } from './cursor.ts';
import type { ApiKey } from './keys.ts';

const TEXT_TIME = (col: string) =>
  sql<string>`to_char(${sql.ref(col)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface InvitationPageQuery {
  since?: string | undefined;
  after?: Cursor | undefined;
  limit: number;
}

export async function invitationPage(db: Db, key: ApiKey, q: InvitationPageQuery) {
  const changed = db
    .selectFrom('invitations as i')
    .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
    .innerJoin('survivors as s', 's.id', 'e.survivor_id')
    .select([
      'i.id',
      's.id as survivor_id',
      's.register_id',
      'e.hospital',
      'i.state',
      'i.cancel_reason',
      'i.language',
      'i.opens_on',
      'i.closes_on',
      'i.answered_at',
      'i.created_at',
      sql<Date>`greatest(i.updated_at, (select max(o.updated_at) from outbox o where o.invitation_id = i.id))`.as(
        'changed_at',
      ),
    ])
    .$if(key.hospitals.length > 0, (qb) => qb.where('e.hospital', 'in', key.hospitals))
    .as('c');
  let query = db.selectFrom(changed).selectAll('c').select(TEXT_TIME('c.changed_at').as('changed_text'));
  if (q.since) query = query.where('c.changed_at', '>=', sql<Date>`${q.since}::timestamptz`);
  if (q.after) {
    const after = q.after;
    query = query.where(sql<boolean>`(c.changed_at, c.id) > (${after.at}::timestamptz, ${Number(after.id)}::bigint)`);
  }
  const rows = await query
    .orderBy('c.changed_at')
    .orderBy('c.id')
    .limit(q.limit + 1)
    .execute();
  const hasMore = rows.length > q.limit;
  const pageRows = rows.slice(0, q.limit);
  const steps = pageRows.length
    ? await db
        .selectFrom('outbox')
        .select(['invitation_id', 'step', 'channel', 'state', 'due_at', 'sent_at'])
        .where(
          'invitation_id',
          'in',
          pageRows.map((r) => r.id),
        )
        .orderBy('due_at')
        .orderBy('id')
        .execute()
    : [];
  const data = pageRows.map((r) => {
    const own = steps.filter((s) => s.invitation_id === r.id);
    const sent = own.filter((s) => s.sent_at !== null).sort((a, b) => a.sent_at!.getTime() - b.sent_at!.getTime());
    return {
      invitation_id: r.id,
      register_id: r.register_id,
      hospital: r.hospital,
      state: r.state,
      reason: r.cancel_reason,
      channel: sent.length ? sent[sent.length - 1]!.channel : null,
      language: r.language,
      opens_on: r.opens_on,
      closes_on: r.closes_on,
      first_sent_at: sent[0]?.sent_at?.toISOString() ?? null,
      last_sent_at: sent.length ? sent[sent.length - 1]!.sent_at!.toISOString() : null,
      answered_at: r.answered_at ? r.answered_at.toISOString() : null,
      created_at: r.created_at.toISOString(),
      updated_at: r.changed_text,
      steps: own.map((s) => ({
        step: s.step,
        channel: s.channel,
        state: s.state,
        due_at: s.due_at.toISOString(),
        sent_at: s.sent_at ? s.sent_at.toISOString() : null,
      })),
    };
  });
  const last = pageRows[pageRows.length - 1];
  return {
    data,
    survivorIds: [...new Set(pageRows.map((r) => r.survivor_id))],
    next: last ? { at: last.changed_text, id: String(last.id) } : q.after,
    hasMore,
  };
}

export async function survivorContactLog(db: Db, survivorId: number) {
  const entries = await contactLog(db, survivorId);
  return entries.map((e) => ({
    invitation_id: e.invitationId,
    invitation_state: e.invitationState,
    invitation_reason: e.invitationReason,
    step: e.step,
    channel: e.channel,
    state: e.state,
    intended_at: e.intendedAt.toISOString(),
    actual_at: e.actualAt ? e.actualAt.toISOString() : null,
    sent_at: e.sentAt ? e.sentAt.toISOString() : null,
    outcome: e.outcome,
    attempts: e.attempts,
  }));
}
