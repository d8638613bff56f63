// The delivery queue: one job per due e-mail step, job id `ob-<outbox id>`, payload { outboxId }
// only; the outbox row decides everything else. Its name and options, how to enqueue, how to keep
// it in line with the outbox, and how a job is processed (the sending itself is given by
// src/jobs/index.ts). The outbox is the truth: jobs of stopped steps are removed, and a due step
// whose job was lost (Redis flushed or restarted) or is stuck in the failed set is queued again by
// the next pass. Job ids are the outbox keys, so nothing is queued twice.
import { UnrecoverableError, type DefaultJobOptions, type Job } from 'bullmq';
import type { Db } from '../../db/database.ts';
import type { Queues } from '../queues.ts';

export const DELIVERY_QUEUE = 'delivery';

export interface DeliveryJob {
  outboxId: number;
}

export interface DeliveryQueueOptions {
  /** Delivery attempts for transient SMTP errors (4xx, no connection). */
  attempts?: number;
  /** First retry delay; each next one doubles (exponential backoff). */
  backoffMs?: number;
}

export function deliveryJobOptions(opts: DeliveryQueueOptions = {}): DefaultJobOptions {
  return {
    attempts: opts.attempts ?? 8,
    backoff: { type: 'exponential', delay: opts.backoffMs ?? 30_000 },
    removeOnComplete: true,
    removeOnFail: false, // exhausted jobs stay for staff to see (the queue health page)
  };
}

/** BullMQ job ids must not look like integers nor contain ':'. */
export function deliveryJobId(outboxId: number): string {
  return `ob-${outboxId}`;
}

/** Adds one job per outbox row; an id already queued is left alone by BullMQ. */
export async function enqueueDeliveries(queues: Queues, outboxIds: number[]): Promise<void> {
  for (let i = 0; i < outboxIds.length; i += 1000) {
    const chunk = outboxIds.slice(i, i + 1000);
    await queues.delivery.addBulk(
      chunk.map((outboxId) => ({ name: 'deliver', data: { outboxId }, opts: { jobId: deliveryJobId(outboxId) } })),
    );
  }
}

/** Whether an outbox row's delivery job is in the queue (waiting, delayed, running or failed). */
export function deliveryJobQueued(queues: Queues): (outboxId: number) => Promise<boolean> {
  return async (outboxId) => (await queues.delivery.getJob(deliveryJobId(outboxId))) !== undefined;
}

/** What sending one outbox row came to; 'foreign': this database does not hold the row. */
export type Deliver = (outboxId: number, opts: { finalAttempt: boolean }) => Promise<string>;

/**
 * `onForeign`: told of a job whose outbox row this database does not hold — a job of another
 * installation sharing QUEUE_PREFIX. It is dropped without touching anything; the owner's next
 * pass queues its row again.
 */
export function deliveryProcessor(deliver: Deliver, onForeign: (outboxId: number) => void = () => {}) {
  return async (job: Job<DeliveryJob>) => {
    const outboxId = Number(job.data.outboxId);
    if (!Number.isSafeInteger(outboxId)) throw new UnrecoverableError('job without a valid outbox id');
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await deliver(outboxId, { finalAttempt });
    if (outcome !== 'foreign') return { outcome };
    onForeign(outboxId);
    return { outcome: 'not-in-this-database' };
  };
}

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
