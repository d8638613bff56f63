// Response rate: answered / invited, where "invited" means at least one message has gone out.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface ResponseRate {
  invited: number;
  answered: number;
  /** Share in [0, 1]; null when nobody has been invited yet. */
  rate: number | null;
}

export async function responseRate(db: Db): Promise<ResponseRate> {
  const row = await db
    .selectFrom('invitations as i')
    .select([
      sql<number>`count(*) filter (where exists (select 1 from outbox o where o.invitation_id = i.id and o.state = 'sent'))::int`.as('invited'),
      sql<number>`count(*) filter (where exists (select 1 from responses r where r.invitation_id = i.id and r.counted))::int`.as('answered'),
    ])
    .executeTakeFirstOrThrow();
  return { invited: row.invited, answered: row.answered, rate: row.invited > 0 ? row.answered / row.invited : null };
}
