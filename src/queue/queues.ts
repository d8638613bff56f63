// Opens the two queues (src/queue/jobs/: one module per queue) on one Redis connection.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { DELIVERY_QUEUE, deliveryJobOptions, type DeliveryJob, type DeliveryQueueOptions } from './jobs/delivery.ts';
import { SCHEDULER_QUEUE } from './jobs/scheduler.ts';
import { redisOptions } from './redis.ts';

export interface Queues {
  prefix: string;
  redisUrl: string;
  scheduler: Queue;
  delivery: Queue<DeliveryJob>;
  connection: Redis;
  close(): Promise<void>;
}

export function openQueues(redisUrl: string, prefix: string, opts: DeliveryQueueOptions = {}): Queues {
  const connection = new Redis(redisUrl, redisOptions());
  connection.on('error', () => {}); // reconnects by itself; health checks report the outage
  const scheduler = new Queue(SCHEDULER_QUEUE, { connection, prefix });
  const delivery = new Queue<DeliveryJob>(DELIVERY_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: deliveryJobOptions(opts),
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
