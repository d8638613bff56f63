// `prom schedule --drain` waits for the outbox rows its pass made due to settle — not for an
// empty queue, since other workers may take some of them and repeatable jobs never end.
import type { Db } from '../db/database.ts';
import type { OutboxState } from '../db/schema.ts';

export interface Settled {
  counts: { sent: number; cancelled: number; failed: number; unknown: number };
  waiting: number;
}

export interface Drained {
  counts: Settled['counts'] & {
    /** Moved to paper (no usable address, or a permanent SMTP failure): a pass makes them letters. */
    paper: number;
    /**
     * Vital status unknown: left pending for a later pass. With `queued`, a step deferred before
     * and queued again counts here only once its new job has run.
     */
    deferred: number;
  };
  /** Still pending or sending (includes `lost`). */
  waiting: number;
  /**
   * Pending, never tried, and its job is no longer queued: taken by a worker that does not hold
   * the row (another installation using the same QUEUE_PREFIX). Nothing here will run it.
   */
  lost: number;
}

/** Whether an outbox row's delivery job is still in the queue. */
export type JobQueued = (outboxId: number) => Promise<boolean>;

/** The walking skeleton's summary: e-mail outcomes only. */
export async function waitUntilSettled(db: Db, outboxIds: number[], timeoutMs: number): Promise<Settled> {
  const { counts, waiting } = await waitForDrain(db, outboxIds, timeoutMs);
  return {
    counts: { sent: counts.sent, cancelled: counts.cancelled, failed: counts.failed, unknown: counts.unknown },
    waiting,
  };
}

export async function waitForDrain(
  db: Db,
  outboxIds: number[],
  timeoutMs: number,
  pollMs = 100,
  queued?: JobQueued,
): Promise<Drained> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const drained = await tally(db, outboxIds, queued);
    if (drained.waiting === drained.lost || Date.now() >= deadline) return drained;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function tally(db: Db, ids: number[], queued?: JobQueued): Promise<Drained> {
  const counts = { sent: 0, cancelled: 0, failed: 0, unknown: 0, paper: 0, deferred: 0 };
  let waiting = 0;
  let lost = 0;
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db
      .selectFrom('outbox')
      .select(['id', 'state', 'channel', 'last_error', 'attempts'])
      .where('id', 'in', ids.slice(i, i + 5000))
      .execute();
    for (const row of rows) {
      let kind = classify(row);
      // A step deferred by an earlier pass and queued again by this one reads as deferred until
      // its new job has run: while that job is in the queue, the step is still on its way.
      if (kind === 'deferred' && queued && (await queued(row.id))) kind = 'waiting';
      if (kind !== 'waiting') counts[kind]++;
      else {
        waiting++;
        if (queued && row.state === 'pending' && row.attempts === 0 && !(await queued(row.id))) lost++;
      }
    }
  }
  return { counts, waiting, lost };
}

function classify(row: {
  state: OutboxState;
  channel: string;
  last_error: string | null;
}): keyof Drained['counts'] | 'waiting' {
  if (row.state === 'sending') return 'waiting';
  if (row.channel === 'paper' && row.state !== 'cancelled') return 'paper';
  if (row.state === 'pending') return row.last_error?.startsWith('vital_status_unknown') ? 'deferred' : 'waiting';
  if (row.state === 'print' || row.state === 'held') return 'paper';
  return row.state;
}
