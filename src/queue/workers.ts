// Starts the BullMQ workers of this process: scheduling passes and deliveries.
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Clock } from '../clock.ts';
import type { DeliveryDeps } from '../invitations/delivery.ts';
import { deliveryProcessor } from '../../jobs/deliver.ts';
import { schedulingPassProcessor } from '../../jobs/scheduling-pass.ts';
import { PRINT_BATCH_JOB } from '../../jobs/print-batch.ts';
import { DELIVERY_QUEUE, SCHEDULER_QUEUE, type Queues } from './queues.ts';
import { redisOptions } from './redis.ts';

export interface Workers {
  close(): Promise<void>;
}

export function startWorkers(
  deps: DeliveryDeps,
  queues: Queues,
  clock: Clock,
  opts: {
    scheduler?: boolean;
    concurrency?: number;
    onError?: (err: Error) => void;
    /** A delivery job for an outbox row this database does not hold (dropped untouched). */
    onForeignJob?: (outboxId: number, prefix: string) => void;
    printBatch?: (job: Job) => Promise<unknown>;
  } = {},
): Workers {
  const connection = new Redis(queues.redisUrl, redisOptions());
  connection.on('error', () => {});
  const onError = opts.onError ?? (() => {});
  const workers: Worker[] = [
    new Worker(
      DELIVERY_QUEUE,
      deliveryProcessor(deps, clock, (id) => opts.onForeignJob?.(id, queues.prefix)),
      {
        connection,
        prefix: queues.prefix,
        concurrency: opts.concurrency ?? 10,
      },
    ),
  ];
  if (opts.scheduler ?? true) {
    const pass = schedulingPassProcessor(deps.db, queues, clock);
    // The daily print batch shares the scheduler queue (jobs/print-batch.ts); without a processor it does nothing.
    const scheduled = (job: Job) =>
      job.name === PRINT_BATCH_JOB ? (opts.printBatch?.(job) ?? Promise.resolve(null)) : pass(job);
    workers.push(new Worker(SCHEDULER_QUEUE, scheduled, { connection, prefix: queues.prefix, concurrency: 1 }));
  }
  for (const w of workers) w.on('error', onError);
  return {
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      connection.disconnect();
    },
  };
}
