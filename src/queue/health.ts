// Queue health (the admins' page and /metrics): job counts per BullMQ queue, read from Redis.
// Counts only — job data holds ids, but failure reasons can quote an SMTP answer with an address,
// so they stay out.
import type { Queue } from 'bullmq';
import type { Queues } from './queues.ts';

export const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface QueueHealth {
  name: string;
  counts: Record<JobState, number>;
}

export type QueueHealthReport =
  { available: true; queues: QueueHealth[] } | { available: false; reason: 'not-configured' | 'unreachable' };

export async function queueHealth(queues: Queues | undefined, timeoutMs = 2000): Promise<QueueHealthReport> {
  if (!queues) return { available: false, reason: 'not-configured' };
  const list: Queue[] = [queues.scheduler, queues.delivery];
  try {
    const counts = await withTimeout(Promise.all(list.map((q) => q.getJobCounts(...JOB_STATES))), timeoutMs);
    return {
      available: true,
      queues: list.map((q, i) => ({
        name: q.name,
        counts: Object.fromEntries(JOB_STATES.map((s) => [s, counts[i]![s] ?? 0])) as Record<JobState, number>,
      })),
    };
  } catch {
    return { available: false, reason: 'unreachable' };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
