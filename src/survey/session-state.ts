// A respondent's session row, their invitation and their draft in one statement: every survey
// page needs all three, and the session is read first anyway. Staff sessions (no invitationId)
// join nothing. The state is only for choosing the page to show; saving re-checks the rules in
// its own statement (saveDraftAnswers).
import type { IncomingMessage } from 'node:http';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { preparedStatement } from '../db/prepared.ts';
import { SURVEY_STATE_COLUMNS, surveyStateOf, type SurveyState, type SurveyStateRow } from '../invitations/answers.ts';

type Row = { data: unknown; invitation_id: number | null } & {
  [K in keyof SurveyStateRow]: SurveyStateRow[K] | null;
};

const loaded = new WeakMap<IncomingMessage, Row>();

/** Every respondent page runs it: built once, a prepared statement on PostgreSQL (src/db/prepared.ts). */
export const readSessionWithState = preparedStatement((db: Db, sidKey: string) =>
  db
    .selectFrom('sessions as s')
    .leftJoin('invitations as i', (join) =>
      join.on(
        'i.id',
        '=',
        // Only a whole number joins (a staff session has none); anything else joins nothing.
        sql<number>`case when s.data->>'invitationId' ~ '^[0-9]{1,9}$' then (s.data->>'invitationId')::int end`,
      ),
    )
    .leftJoin('answer_drafts as d', 'd.invitation_id', 'i.id')
    .select(['s.data', 'i.id as invitation_id', ...SURVEY_STATE_COLUMNS])
    .where('s.sid', '=', sidKey)
    .where('s.expires_at', '>', sql<Date>`now()`),
);

/**
 * The session store's read (a SessionRead of src/web/session-store.ts, DbSessionStore's `reader`):
 * the row of `sidKey` while it has not expired, and its invitation.
 */
export function sessionWithSurveyState(db: Db): {
  read(sidKey: string): Promise<Row | undefined>;
  loaded(req: IncomingMessage, row: Row): void;
} {
  return {
    read: async (sidKey) => (await readSessionWithState(db, sidKey)).rows[0],
    loaded: (req, row) => {
      loaded.set(req, row);
    },
  };
}

/**
 * The state of `invitationId` read with this request's session, once (a second call, e.g. after a
 * save, answers undefined and the caller reads again); undefined also when the session was read
 * without it or the invitation no longer exists.
 */
export function takeSessionSurveyState(
  req: IncomingMessage,
  invitationId: number,
  today: string,
): SurveyState | undefined {
  const row = loaded.get(req);
  if (!row) return undefined;
  loaded.delete(req);
  if (row.invitation_id !== invitationId) return undefined;
  return surveyStateOf(row as SurveyStateRow, today);
}
