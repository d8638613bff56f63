// What a survey link or a letter's short code opens, judged by the caller's clock: an invitation
// whose window has closed answers "closed" from its closing day on, whether or not a scheduling
// pass has expired it yet.
import type { Db } from '../db/database.ts';
import type { Lang } from '../i18n/views.ts';
import { linkStatus, type LinkStatus } from './programme.ts';
import { TOKEN_PATTERN, hashToken } from './tokens.ts';

export type { LinkStatus };

export interface LinkedInvitation {
  invitationId: number;
  status: LinkStatus;
  language: Lang;
}

export async function findByToken(db: Db, token: string, today: string): Promise<LinkedInvitation | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const row = await db
    .selectFrom('invitation_tokens as t')
    .innerJoin('invitations as i', 'i.id', 't.invitation_id')
    .select(['i.id', 'i.state', 'i.closes_on', 'i.language'])
    .where('t.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row && { invitationId: row.id, status: linkStatus(row.state, row.closes_on, today), language: row.language };
}

/** The link status and, for a closed invitation, why it closed (e.g. 'opted_out'). */
export async function invitationInfo(
  db: Db,
  invitationId: number,
  today: string,
): Promise<{ status: LinkStatus; cancelReason: string | null }> {
  const row = await db
    .selectFrom('invitations')
    .select(['state', 'closes_on', 'cancel_reason'])
    .where('id', '=', invitationId)
    .executeTakeFirst();
  if (!row) return { status: 'closed', cancelReason: null }; // erased at the person's request
  return { status: linkStatus(row.state, row.closes_on, today), cancelReason: row.cancel_reason };
}
