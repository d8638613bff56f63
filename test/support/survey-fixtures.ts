// Invitations made straight in the database for respondent-page tests: a survivor, their arrest,
// an invitation in a given state, a link token and (optionally) a short code.
import type { Db } from '../../src/db/database.ts';
import type { InvitationState } from '../../src/db/schema.ts';
import type { Lang } from '../../src/i18n/views.ts';
import { addDays, osloDay } from '../../src/clock.ts';
import { hashToken, newToken } from '../../src/invitations/tokens.ts';
import { issueShortCode } from '../../src/invitations/short-codes.ts';
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
  opts: { language?: Lang; state?: InvitationState; cancelReason?: string } = {},
): Promise<TestInvitation> {
  const n = 5000 + ++counter;
  // An arrest 100 days ago: the window (day 90 to day 183) is open today, whatever day the suite runs.
  const arrestDate = addDays(osloDay(new Date()), -100);
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
    .values({ survivor_id: survivor.id, arrest_date: arrestDate, arrest_type: 'OHCA', hospital: 'OUS' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const invitation = await db
    .insertInto('invitations')
    .values({
      arrest_event_id: event.id,
      state: opts.state ?? 'sent',
      cancel_reason: opts.cancelReason ?? null,
      opens_on: addDays(arrestDate, 90),
      closes_on: addDays(arrestDate, 183),
      language: opts.language ?? 'nb',
      created_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const token = newToken();
  await db
    .insertInto('invitation_tokens')
    .values({ token_hash: hashToken(token), invitation_id: invitation.id })
    .execute();
  const shortCode = await issueShortCode(db, invitation.id);
  return { invitationId: invitation.id, survivorId: survivor.id, token, shortCode };
}
