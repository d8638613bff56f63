// The audit log: who did what to which record. The table refuses updates and deletes.
import type { Db } from '../db/database.ts';

export interface AuditEntry {
  actor: string;
  actorRole?: string | null;
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
      action: e.action,
      entity: e.entity,
      entity_id: e.entityId == null ? null : String(e.entityId),
      details: JSON.stringify(e.details ?? {}),
    })
    .execute();
}
