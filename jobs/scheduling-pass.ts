// The repeatable job: one scheduling pass with the wall clock (or the given clock).
import type { Job } from 'bullmq';
import type { Clock } from '../src/clock.ts';
import type { Db } from '../src/db/database.ts';
import type { Queues } from '../src/queue/queues.ts';
import { runSchedulingPass } from '../src/invitations/scheduler.ts';
import { settleFacts } from '../src/reports/dashboard-facts.ts';

export function schedulingPassProcessor(db: Db, queues: Queues, clock: Clock) {
  return async (_job: Job) => {
    const r = await runSchedulingPass(db, queues, clock);
    // The pass touches many invitations; settling their dashboard facts here keeps a page view
    // from paying for a whole pass (src/reports/dashboard-facts.ts).
    const factsSettled = await settleFacts(db);
    const { dueOutboxIds, ...counts } = r;
    return { ...counts, queued: dueOutboxIds.length, factsSettled }; // counts only: a job's return value is kept in Redis
  };
}
