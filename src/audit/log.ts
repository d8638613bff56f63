// The audit log: who (e-mail, id, role, address) did what (action) to which record (entity,
// entity id, or a list of survivor ids in details) and when. The table refuses updates and deletes
// (trigger in migrations/0001). Entries carry ids, never names, national ids or answers.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { isCalendarDate } from '../calendar-date.ts';

export interface AuditEntry {
  actor: string;
  actorRole?: string | null;
  actorId?: number | null;
  source?: string | null;
  action: string;
  entity: string;
  entityId?: string | number | null;
  details?: Record<string, unknown>;
}

export async function audit(db: Db, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: e.actor,
      actor_role: e.actorRole ?? null,
      actor_id: e.actorId ?? null,
      source: e.source ?? null,
      action: e.action,
      entity: e.entity,
      entity_id: e.entityId == null ? null : String(e.entityId),
      details: JSON.stringify(e.details ?? {}),
    })
    .execute();
}

export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  entity?: string | undefined;
  /** With entity "survivor", also finds list reads whose details name this survivor. */
  entityId?: string | undefined;
  /** Inclusive dates, YYYY-MM-DD, read as UTC days (the log is kept in UTC). */
  from?: string | undefined;
  to?: string | undefined;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  actorRole: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  source: string | null;
  details: Record<string, unknown>;
}

function filtered(db: Db, f: AuditFilter) {
  let q = db.selectFrom('audit_log').selectAll();
  if (f.actor) q = q.where('actor', 'ilike', `%${escapeLike(f.actor)}%`);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.entity) q = q.where('entity', '=', f.entity);
  if (f.entityId) {
    const id = f.entityId;
    if (f.entity === 'survivor' && /^\d{1,15}$/.test(id)) {
      q = q.where((eb) =>
        eb.or([
          eb('entity_id', '=', id),
          eb(sql`details->'survivorIds'`, '@>', sql`${JSON.stringify([Number(id)])}::jsonb`),
        ]),
      );
    } else q = q.where('entity_id', '=', id);
  }
  if (f.from && isCalendarDate(f.from))
    q = q.where('at', '>=', sql<Date>`${f.from}::date::timestamp AT TIME ZONE 'UTC'`);
  if (f.to && isCalendarDate(f.to))
    q = q.where('at', '<', sql<Date>`(${f.to}::date + 1)::timestamp AT TIME ZONE 'UTC'`);
  return q;
}

/** Newest first, `limit` rows before the id `before` (keyset paging). */
export async function searchAudit(
  db: Db,
  f: AuditFilter,
  opts: { limit: number; before?: number | undefined },
): Promise<AuditRow[]> {
  let q = filtered(db, f);
  if (opts.before) q = q.where('id', '<', opts.before);
  const rows = await q.orderBy('id', 'desc').limit(opts.limit).execute();
  return rows.map(toRow);
}

/** Every matching row, oldest first, in pages (for the CSV export). */
export async function* allAudit(db: Db, f: AuditFilter): AsyncGenerator<AuditRow> {
  let after = 0;
  for (;;) {
    const rows = await filtered(db, f).where('id', '>', after).orderBy('id').limit(2000).execute();
    for (const r of rows) yield toRow(r);
    if (rows.length < 2000) return;
    after = rows[rows.length - 1]!.id;
  }
}

export async function auditActions(db: Db): Promise<{ actions: string[]; entities: string[] }> {
  const [actions, entities] = await Promise.all([
    db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute(),
    db.selectFrom('audit_log').select('entity').distinct().orderBy('entity').execute(),
  ]);
  return { actions: actions.map((r) => r.action), entities: entities.map((r) => r.entity) };
}

function toRow(r: {
  id: number;
  at: Date;
  actor: string;
  actor_role: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  source: string | null;
  details: Record<string, unknown>;
}): AuditRow {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    actorRole: r.actor_role,
    action: r.action,
    entity: r.entity,
    entityId: r.entity_id,
    source: r.source,
    details: r.details,
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
