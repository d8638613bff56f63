// Each test file uses its own BullMQ key prefix on the machine's Redis and removes it afterwards.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { openQueues, type Queues } from '../../src/queue/queues.ts';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(): string {
  return `prom-test-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export function openTestQueues(prefix = uniquePrefix()): Queues & { cleanup(): Promise<void> } {
  const queues = openQueues(TEST_REDIS_URL, prefix);
  return {
    ...queues,
    cleanup: async () => {
      await queues.close();
      await deletePrefix(prefix);
    },
  };
}

/** Deletes every Redis key under `prefix:` (also used by the benchmarks, on their Redis). */
export async function deletePrefix(prefix: string, redisUrl = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
