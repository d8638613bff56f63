// The two queues: a repeatable scheduling pass and message delivery. Payloads carry ids only.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { redisOptions } from './redis.ts';

export const SCHEDULER_QUEUE = 'scheduler';
export const DELIVERY_QUEUE = 'delivery';
/** How often the wall-clock scheduling pass runs. Passes are idempotent, so often is cheap. */
const PASS_EVERY_MS = 10 * 60 * 1000;

export interface DeliveryJob {
  outboxId: number;
}

export interface Queues {
  prefix: string;
  redisUrl: string;
  scheduler: Queue;
  delivery: Queue<DeliveryJob>;
  connection: Redis;
  close(): Promise<void>;
}

export interface QueueOptions {
  /** Delivery attempts for transient SMTP errors (4xx, no connection). */
  attempts?: number;
  /** First retry delay; each next one doubles (exponential backoff, R-4). */
  backoffMs?: number;
}

export function openQueues(redisUrl: string, prefix: string, opts: QueueOptions = {}): Queues {
  const connection = new Redis(redisUrl, redisOptions());
  connection.on('error', () => {}); // reconnects by itself; health checks report the outage
  const scheduler = new Queue(SCHEDULER_QUEUE, { connection, prefix });
  const delivery = new Queue<DeliveryJob>(DELIVERY_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: opts.attempts ?? 8,
      backoff: { type: 'exponential', delay: opts.backoffMs ?? 30_000 },
      removeOnComplete: true,
      removeOnFail: false, // exhausted jobs stay for staff to see
    },
  });
  return {
    prefix,
    redisUrl,
    scheduler,
    delivery,
    connection,
    close: async () => {
      await Promise.all([scheduler.close(), delivery.close()]);
      connection.disconnect();
    },
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

/** Re-registered at every start-up: schedulers vanish with Redis data. */
export async function registerRepeatableJobs(queues: Queues): Promise<void> {
  await queues.scheduler.upsertJobScheduler('scheduling-pass', { every: PASS_EVERY_MS }, { name: 'pass', data: {} });
}
