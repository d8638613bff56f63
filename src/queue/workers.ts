// Runs BullMQ workers on a connection of their own: one per queue given, each with its processor
// and concurrency. Which queues and processors a process runs is decided by src/jobs/index.ts.
import { Worker, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { redisOptions } from './redis.ts';

export interface Workers {
  close(): Promise<void>;
}

export interface WorkerSpec {
  queue: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each queue has its own payload type
  processor: Processor<any>;
  concurrency: number;
}

export function runWorkers(
  redisUrl: string,
  prefix: string,
  specs: WorkerSpec[],
  onError: (err: Error) => void = () => {},
): Workers {
  const connection = new Redis(redisUrl, redisOptions());
  connection.on('error', () => {});
  const workers = specs.map(
    (s) => new Worker(s.queue, s.processor, { connection, prefix, concurrency: s.concurrency }),
  );
  for (const w of workers) w.on('error', onError);
  return {
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
      connection.disconnect();
    },
  };
}
