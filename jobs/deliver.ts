// Delivery job: payload is the outbox id only; the row decides everything else.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Clock } from '../src/clock.ts';
import type { DeliveryJob } from '../src/queue/queues.ts';
import { deliverOutboxRow, type DeliveryDeps } from '../src/invitations/delivery.ts';

export function deliveryProcessor(deps: DeliveryDeps, clock: Clock) {
  return async (job: Job<DeliveryJob>) => {
    const outboxId = Number(job.data.outboxId);
    if (!Number.isSafeInteger(outboxId)) throw new UnrecoverableError('job without a valid outbox id');
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return { outcome: await deliverOutboxRow(deps, outboxId, clock, { finalAttempt }) };
  };
}
