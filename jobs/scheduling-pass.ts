// The repeatable job: one scheduling pass with the wall clock (or the given clock).
import type { Job } from 'bullmq';
import type { Clock } from '../src/clock.ts';
import type { Db } from '../src/db/database.ts';
import type { Queues } from '../src/queue/queues.ts';
import { runSchedulingPass } from '../src/invitations/scheduler.ts';

export function schedulingPassProcessor(db: Db, queues: Queues, clock: Clock) {
  return async (_job: Job) => {
    const r = await runSchedulingPass(db, queues, clock);
    const { dueOutboxIds, ...counts } = r;
    return { ...counts, queued: dueOutboxIds.length }; // counts only: a job's return value is kept in Redis
  };
}
