// Keeps the delivery queue in line with the outbox, which is the truth: jobs of stopped steps are
// removed, and a due step whose job was lost (Redis flushed or restarted) or is stuck in the failed
// set is queued again by the next pass. Job ids are the outbox keys, so nothing is queued twice.
import type { Db } from '../db/database.ts';
import { deliveryJobId, type Queues } from './queues.ts';

const SCAN = 1000;

/** Removes waiting or delayed jobs of these steps; a running job is left alone (its row decides). */
export async function removeDeliveryJobs(queues: Queues, outboxIds: number[]): Promise<void> {
  for (let i = 0; i < outboxIds.length; i += 100) {
    await Promise.all(
      outboxIds.slice(i, i + 100).map((id) => queues.delivery.remove(deliveryJobId(id)).catch(() => 0)),
    );
  }
}

/**
 * Waiting or delayed jobs whose row is no longer pending are removed (a step stopped by the web
 * pages, which have no queue at hand); failed jobs whose row is still pending are removed so the
 * pass can queue them again.
 */
export async function pruneDeliveryJobs(db: Db, queues: Queues): Promise<{ stale: number; requeueable: number }> {
  const waiting = await queues.delivery.getJobs(['waiting', 'delayed', 'prioritized'], 0, SCAN - 1);
  const failed = await queues.delivery.getJobs(['failed'], 0, SCAN - 1);
  const pendingIds = await pendingAmong(
    db,
    [...waiting, ...failed].map((j) => Number(j?.data?.outboxId)),
  );
  const stale = waiting.filter((j) => j && !pendingIds.has(Number(j.data.outboxId)));
  const requeueable = failed.filter((j) => j && pendingIds.has(Number(j.data.outboxId)));
  for (const job of [...stale, ...requeueable]) await job.remove().catch(() => undefined);
  return { stale: stale.length, requeueable: requeueable.length };
}

async function pendingAmong(db: Db, ids: number[]): Promise<Set<number>> {
  const valid = [...new Set(ids.filter(Number.isSafeInteger))];
  if (valid.length === 0) return new Set();
  const rows = await db
    .selectFrom('outbox')
    .select('id')
    .where('id', 'in', valid)
    .where('state', '=', 'pending')
    .where('channel', '=', 'email')
    .execute();
  return new Set(rows.map((r) => r.id));
}
