// GET /invitations: invitation states, paged by an opaque cursor over (last change, id).
import type { ApiDeps, Handler } from '../answer.ts';
import { json } from '../answer.ts';
import { encodeCursor } from '../cursor.ts';
import { note } from '../middleware/audit.ts';
import { DEFAULT_PAGE, invitationsQuerySchema } from '../schemas.ts';
import { invitationPage } from '../status.ts';
import { cursorOrProblem, parseQuery } from './input.ts';

export function listInvitations({ db }: ApiDeps): Handler {
  return async (req, res, key) => {
    const q = parseQuery(invitationsQuerySchema, req.query);
    const after = q.cursor === undefined ? undefined : cursorOrProblem('invitations', q.cursor);
    const page = await invitationPage(db, key, { since: q.updated_since, after, limit: q.limit ?? DEFAULT_PAGE });
    note(res, { entity: 'invitation', details: { count: page.data.length, survivorIds: page.survivorIds } });
    return json(200, {
      data: page.data,
      next_cursor: page.next ? encodeCursor('invitations', page.next) : null,
      has_more: page.hasMore,
    });
  };
}
