// A survivor's channel rule, set by staff (or `prom channel`): email-or-paper (default),
// email-only, paper-only — like ePROM's distribution rules. Planned steps follow the rule from
// the next invitation on; a change to paper-only also turns waiting e-mail steps into letters at
// once. A letter never turns back into an e-mail.
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ChannelRule } from '../db/schema.ts';
import { OPEN_STATES } from '../invitations/programme.ts';

export const CHANNEL_RULES = ['email-or-paper', 'email-only', 'paper-only'] as const satisfies readonly ChannelRule[];

export function isChannelRule(value: string): value is ChannelRule {
  return (CHANNEL_RULES as readonly string[]).includes(value);
}

/** Returns false when the register id is unknown. */
export async function setChannelRule(db: Db, registerId: string, rule: ChannelRule): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const s = await trx.selectFrom('survivors').select('id').where('register_id', '=', registerId).executeTakeFirst();
    if (!s) return false;
    await trx.updateTable('survivors').set({ channel_rule: rule, updated_at: sql`now()` }).where('id', '=', s.id).execute();
    if (rule !== 'paper-only') return true;
    await trx
      .updateTable('outbox')
      .set({ channel: 'paper', updated_at: sql`now()` })
      .where('state', '=', 'pending')
      .where('channel', '=', 'email')
      .where('invitation_id', 'in', (eb) =>
        eb
          .selectFrom('invitations as i')
          .innerJoin('arrest_events as e', 'e.id', 'i.arrest_event_id')
          .select('i.id')
          .where('e.survivor_id', '=', s.id)
          .where('i.state', 'in', OPEN_STATES),
      )
      .execute();
    return true;
  });
}
