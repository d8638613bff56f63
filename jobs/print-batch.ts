// The daily print batch (LETTER_BATCH_HOUR, off when unset): a job scheduler on the scheduler
// queue at that Oslo hour; the job makes a batch of every letter due into DATA_DIR/letters/<batch>/.
// The letters are sent only when staff confirm the hand-over (/staff/paper/batches).
import path from 'node:path';
import type { Job } from 'bullmq';
import type { Clock } from '../src/clock.ts';
import { letterCodeKey, makeBatch, type BatchDeps } from '../src/paper/batch.ts';
import type { Queues } from '../src/queue/queues.ts';
import type { Services } from '../src/services.ts';

export const PRINT_BATCH_JOB = 'print-batch';

export function printBatchDeps(s: Services): BatchDeps {
  return {
    db: s.database.db,
    views: s.views,
    instruments: s.instruments,
    publicUrl: s.config.publicUrl,
    codeKey: letterCodeKey(s.config.sessionSecret),
  };
}

/** Registers (or, with no hour, removes) the daily job; called at every start-up. */
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
