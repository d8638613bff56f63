// `prom schedule --drain` waits for the outbox rows its pass made due to settle — not for an
// empty queue, since other workers may take some of them and repeatable jobs never end.
import type { Db } from '../db/database.ts';

export interface Settled {
  counts: { sent: number; cancelled: number; failed: number; unknown: number };
  waiting: number;
}

export async function waitUntilSettled(db: Db, outboxIds: number[], timeoutMs: number): Promise<Settled> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const settled = await tally(db, outboxIds);
    if (settled.waiting === 0 || Date.now() >= deadline) return settled;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function tally(db: Db, ids: number[]): Promise<Settled> {
  const counts = { sent: 0, cancelled: 0, failed: 0, unknown: 0 };
  let waiting = 0;
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db.selectFrom('outbox').select('state').where('id', 'in', ids.slice(i, i + 5000)).execute();
    for (const { state } of rows) {
      if (state === 'pending' || state === 'sending') waiting++;
      else counts[state]++;
    }
  }
  return { counts, waiting };
}
