// Invitations made straight in the database for respondent-page tests: a survivor, their arrest,
// an invitation in a given state, a link token and (optionally) a short code.
import type { Db } from '../../src/db/database.ts';
import type { InvitationState, Language } from '../../src/db/schema.ts';
import { hashToken, newToken } from '../../src/invitations/tokens.ts';
import { issueShortCode } from '../../src/survey/short-codes.ts';
import { syntheticNationalId } from './people.ts';

export interface TestInvitation {
  invitationId: number;
  survivorId: number;
  token: string;
  shortCode: string;
}

let counter = 0;

export async function createInvitation(
  db: Db,
  opts: { language?: Language; state?: InvitationState; cancelReason?: string } = {},
): Promise<TestInvitation> {
  const n = 5000 + ++counter;
  const survivor = await db
    .insertInto('survivors')
    .values({
      register_id: `E${n}-${Date.now().toString(36)}`,
      national_id: syntheticNationalId(n),
      birth_date: '1950-06-15',
      sex: 'female',
      email: `e2e${n}@example.test`,
      language: opts.language ?? 'nb',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const event = await db
    .insertInto('arrest_events')
    .values({ survivor_id: survivor.id, arrest_date: '2026-01-01', arrest_type: 'OHCA', hospital: 'OUS' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const invitation = await db
    .insertInto('invitations')
    .values({
      arrest_event_id: event.id,
      state: opts.state ?? 'sent',
      cancel_reason: opts.cancelReason ?? null,
      opens_on: '2026-04-01',
      closes_on: '2026-07-03',
      language: opts.language ?? 'nb',
      created_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const token = newToken();
  await db.insertInto('invitation_tokens').values({ token_hash: hashToken(token), invitation_id: invitation.id }).execute();
  const shortCode = await issueShortCode(db, invitation.id);
  return { invitationId: invitation.id, survivorId: survivor.id, token, shortCode };
}
