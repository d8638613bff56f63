// Delivery job: payload is the outbox id only; the row decides everything else.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Clock } from '../src/clock.ts';
import type { DeliveryJob } from '../src/queue/queues.ts';
import { deliverOutboxRow, type DeliveryDeps } from '../src/invitations/delivery.ts';

/**
 * `onForeign`: told of a job whose outbox row this database does not hold — a job of another
 * installation sharing QUEUE_PREFIX. It is dropped without touching anything; the owner's next
 * pass queues its row again.
 */
export function deliveryProcessor(deps: DeliveryDeps, clock: Clock, onForeign: (outboxId: number) => void = () => {}) {
  return async (job: Job<DeliveryJob>) => {
    const outboxId = Number(job.data.outboxId);
    if (!Number.isSafeInteger(outboxId)) throw new UnrecoverableError('job without a valid outbox id');
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await deliverOutboxRow(deps, outboxId, clock, { finalAttempt });
    if (outcome !== 'foreign') return { outcome };
    onForeign(outboxId);
    return { outcome: 'not-in-this-database' };
  };
}
