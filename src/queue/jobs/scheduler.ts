// The scheduler queue: the repeatable scheduling pass (every 10 minutes) and the daily print batch
// (LETTER_BATCH_HOUR, off when unset: a job scheduler at that Oslo hour). Payloads are empty. The
// work of each job is given by src/jobs/index.ts; without a print-batch processor that job does
// nothing.
import type { Job } from 'bullmq';
import type { Queues } from '../queues.ts';

export const SCHEDULER_QUEUE = 'scheduler';
export const PRINT_BATCH_JOB = 'print-batch';
/** How often the wall-clock scheduling pass runs. Passes are idempotent, so often is cheap. */
const PASS_EVERY_MS = 10 * 60 * 1000;

/** Re-registered at every start-up: schedulers vanish with Redis data. */
export async function registerRepeatableJobs(queues: Queues): Promise<void> {
  await queues.scheduler.upsertJobScheduler('scheduling-pass', { every: PASS_EVERY_MS }, { name: 'pass', data: {} });
}

/** Registers (or, with no hour, removes) the daily print batch; called at every start-up. */
export async function schedulePrintBatches(queues: Queues, hour: number | undefined): Promise<void> {
  if (hour === undefined) {
    await queues.scheduler.removeJobScheduler(PRINT_BATCH_JOB);
    return;
  }
  await queues.scheduler.upsertJobScheduler(
    PRINT_BATCH_JOB,
    { pattern: `0 0 ${hour} * * *`, tz: 'Europe/Oslo' },
    { name: PRINT_BATCH_JOB, data: {} },
  );
}

/** One processor for the queue: print-batch jobs to `printBatch` (if any), every other job is a pass. */
export function schedulerProcessor(
  pass: (job: Job) => Promise<unknown>,
  printBatch: ((job: Job) => Promise<unknown>) | undefined,
) {
  return (job: Job) => (job.name === PRINT_BATCH_JOB ? (printBatch?.(job) ?? Promise.resolve(null)) : pass(job));
}
