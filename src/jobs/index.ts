// The jobs' registry: what each queue's jobs do. It gives the queue modules (src/queue/jobs/)
// their work — sending an outbox row, a scheduling pass, the daily print batch — and starts the
// workers of this process. The one place where queue infrastructure meets the domain.
import path from 'node:path';
import type { Job } from 'bullmq';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { DbHandle } from '../db/database.ts';
import type { Views } from '../i18n/views.ts';
import { deliverOutboxRow, type DeliveryDeps } from '../invitations/delivery.ts';
import { runSchedulingPass } from '../invitations/scheduler.ts';
import { letterCodeKey, makeBatch, type BatchDeps } from '../paper/batch.ts';
import { DELIVERY_QUEUE, deliveryProcessor } from '../queue/jobs/delivery.ts';
import { SCHEDULER_QUEUE, schedulerProcessor } from '../queue/jobs/scheduler.ts';
import type { Queues } from '../queue/queues.ts';
import { runWorkers, type WorkerSpec, type Workers } from '../queue/workers.ts';
import { settleFacts } from '../reports/dashboard-facts.ts';
import type { Instruments } from '../instruments/eq5d-texts.ts';

export type { Workers } from '../queue/workers.ts';

/**
 * Delivery jobs in flight per process: four times the mailer's 5 pooled SMTP connections, so the
 * connections never wait for the database, and enough that the jobs' claims and mark-sents meet
 * in shared statements (src/invitations/delivery.ts). Not more: a worker killed mid-send leaves
 * every row it had claimed `unknown` for staff to resolve by hand (principle 2), so this is also
 * the most one crash can hand them.
 */
const DELIVERY_CONCURRENCY = 20;

/** Starts the delivery worker and (unless `scheduler: false`) the scheduler queue's worker. */
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
  const deliver = (outboxId: number, o: { finalAttempt: boolean }) => deliverOutboxRow(deps, outboxId, clock, o);
  const specs: WorkerSpec[] = [
    {
      queue: DELIVERY_QUEUE,
      processor: deliveryProcessor(deliver, (id) => opts.onForeignJob?.(id, queues.prefix)),
      concurrency: opts.concurrency ?? DELIVERY_CONCURRENCY,
    },
  ];
  if (opts.scheduler ?? true) {
    const pass = schedulingPassProcessor(deps.db, queues, clock);
    specs.push({ queue: SCHEDULER_QUEUE, processor: schedulerProcessor(pass, opts.printBatch), concurrency: 1 });
  }
  return runWorkers(queues.redisUrl, queues.prefix, specs, opts.onError);
}

/** The repeatable job: one scheduling pass with the wall clock (or the given clock). */
function schedulingPassProcessor(db: DeliveryDeps['db'], queues: Queues, clock: Clock) {
  return async (_job: Job) => {
    const r = await runSchedulingPass(db, queues, clock);
    // The pass touches many invitations; settling their dashboard facts here keeps a page view
    // from paying for a whole pass (src/reports/dashboard-facts.ts).
    const factsSettled = await settleFacts(db);
    const { dueOutboxIds, ...counts } = r;
    return { ...counts, queued: dueOutboxIds.length, factsSettled }; // counts only: a job's return value is kept in Redis
  };
}

/** What a print batch needs, from a process's services. */
export function printBatchDeps(s: {
  config: Pick<Config, 'publicUrl' | 'sessionSecret'>;
  database: Pick<DbHandle, 'db'>;
  views: Views;
  instruments: Instruments;
}): BatchDeps {
  return {
    db: s.database.db,
    views: s.views,
    instruments: s.instruments,
    publicUrl: s.config.publicUrl,
    codeKey: letterCodeKey(s.config.sessionSecret),
  };
}

/**
 * The daily print batch: a batch of every letter due into DATA_DIR/letters/<batch>/. The letters
 * are sent only when staff confirm the hand-over (/staff/paper/batches).
 */
export function printBatchProcessor(deps: BatchDeps, letterDir: string, clock: Clock) {
  return async (_job: Job) => {
    const r = await makeBatch(deps, clock, (id) => path.join(letterDir, String(id)), 'daily print batch');
    // Counts only: a job's return value is kept in Redis.
    return {
      batchId: r.batchId ?? null,
      letters: r.files?.letters ?? 0,
      stopped: r.stopped,
      held: r.held,
      deferred: r.deferred,
      profileHeld: r.profileHeld,
    };
  };
}
